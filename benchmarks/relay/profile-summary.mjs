#!/usr/bin/env node
// Summarises a V8 .cpuprofile (node --cpu-prof): self time by function and by package/file, and inclusive
// time of the project's own functions. Usage: node benchmarks/relay/profile-summary.mjs FILE [TOP]
import { readFileSync } from 'node:fs';

const [file, topArg = '25'] = process.argv.slice(2);
if (!file) throw new Error('usage: profile-summary.mjs FILE.cpuprofile [TOP]');
const top = Number(topArg);
const profile = JSON.parse(readFileSync(file, 'utf8'));
const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map();
for (const n of profile.nodes) for (const child of n.children ?? []) parent.set(child, n.id);

// Self time per node from the sample intervals.
const selfUs = new Map();
profile.samples.forEach((id, i) => selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
const totalUs = [...selfUs.values()].reduce((a, b) => a + b, 0);

const where = ({ callFrame: f }) => {
  const url = f.url.replace(/^file:\/\//, '');
  const short = url.includes('/node_modules/') ? url.slice(url.lastIndexOf('/node_modules/') + 14) : url.replace(/^.*\/(apps|libs)\//, '$1/');
  return `${f.functionName || '(anonymous)'} ${short || '(native)'}${url ? `:${f.lineNumber + 1}` : ''}`;
};
const bucket = ({ callFrame: f }) => {
  const url = f.url.replace(/^file:\/\//, '');
  if (!url) return f.functionName.startsWith('(') ? f.functionName : '(native)';
  if (url.startsWith('node:')) return url;
  const m = /\/node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (m) return m[1];
  return url.replace(/^.*\/(apps|libs)\//, '$1/');
};

function table(title, entries) {
  console.log(`\n${title}`);
  for (const [name, us] of entries.sort((a, b) => b[1] - a[1]).slice(0, top)) {
    console.log(`${((100 * us) / totalUs).toFixed(1).padStart(5)}%  ${(us / 1000).toFixed(0).padStart(6)} ms  ${name}`);
  }
}

const add = (map, key, us) => map.set(key, (map.get(key) ?? 0) + us);
const byFunction = new Map();
const byBucket = new Map();
const inclusiveOwn = new Map();
for (const [id, us] of selfUs) {
  const node = nodes.get(id);
  add(byFunction, where(node), us);
  add(byBucket, bucket(node), us);
  // Inclusive time of our own code: each of our frames on the stack once.
  const seen = new Set();
  for (let cur = id; cur !== undefined; cur = parent.get(cur)) {
    const frame = nodes.get(cur);
    if (!/\/(apps|libs)\//.test(frame.callFrame.url) || frame.callFrame.url.includes('/node_modules/')) continue;
    const key = where(frame);
    if (!seen.has(key)) add(inclusiveOwn, key, us);
    seen.add(key);
  }
}
console.log(`profile ${file}: ${(totalUs / 1000).toFixed(0)} ms sampled`);
table('self time by package / file', [...byBucket]);
table('self time by function', [...byFunction]);
table('inclusive time of Moat functions', [...inclusiveOwn]);
