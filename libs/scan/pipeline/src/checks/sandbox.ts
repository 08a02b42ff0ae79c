import { createHash } from 'node:crypto';
import type { InspectedFile } from '@moat/content';
import type { SandboxPolicy } from '@moat/policy';
import type { ScanContext, StageCheck } from '../check.js';
import type { SandboxAnswer, SandboxSample } from '../sandbox/sandbox-client.js';

/**
 * F11: hands the message, or its attachments of the chosen types, to the external analysis servers and acts on
 * the verdict level by the policy's rules. Network I/O only, awaited on the main thread: other sessions go on
 * meanwhile. Past the deadline or with no server answering the message is delivered or held (`onTimeout`).
 */
export const sandbox: StageCheck<'data'> = {
  name: 'sandbox',
  stage: 'data',
  // Both directions; the policy's `directions` choose per message.
  directions: ['inbound', 'outbound'],
  enabled: (policy) => policy.policy.sandbox.enabled && policy.policy.sandbox.servers.length > 0,
  async run(ctx) {
    const settings = ctx.policy.policy.sandbox;
    const client = ctx.options.sandbox;
    const direction = ctx.envelope.direction ?? 'inbound';
    // A message already refused is not delivered whatever the sandbox says: no need to keep the client waiting.
    if (!client || !settings.directions.includes(direction) || ctx.results.refused) return;
    const samples = samplesOf(ctx, settings, direction);
    if (samples.length === 0) return;
    const call = { servers: settings.servers, pollIntervalMs: settings.pollIntervalMs, deadlineMs: Date.now() + settings.timeoutMs };
    const answers = await Promise.all(samples.map(async (s) => ({ name: s.fileName, answer: await client.analyse(s, call) })));
    for (const { name, answer } of answers) record(ctx, settings, name, answer);
  },
};

function samplesOf(ctx: ScanContext<'data'>, settings: SandboxPolicy, direction: SandboxSample['direction']): SandboxSample[] {
  const messageId = ctx.message.headers.messageId;
  if (settings.scope === 'message') {
    const raw = ctx.message.raw;
    return [{ messageId, direction, fileName: 'message.eml', fileType: 'message/rfc822', sha256: createHash('sha256').update(raw).digest('hex'), content: raw }];
  }
  const seen = new Set<string>();
  return ctx.content.files
    .filter((f) => chosen(f, settings) && !seen.has(f.sha256) && seen.add(f.sha256))
    .map((f) => ({ messageId, direction, fileName: f.name || f.path, fileType: f.type.mime, sha256: f.sha256, content: f.content }));
}

function chosen(file: InspectedFile, settings: SandboxPolicy): boolean {
  const dot = file.name.lastIndexOf('.');
  const ext = dot >= 0 ? file.name.slice(dot + 1).toLowerCase() : '';
  return settings.types.includes(file.type.kind) || (ext !== '' && settings.extensions.includes(ext));
}

function record(ctx: ScanContext<'data'>, settings: SandboxPolicy, name: string, answer: SandboxAnswer): void {
  for (const server of answer.failedOver) ctx.results.add('SANDBOX_FAILOVER', 0, `${name}: ${server} did not answer, next server tried`);
  if (answer.outcome === 'verdict') {
    const rule = settings.rules[answer.level];
    const how = `${answer.server}, ${answer.cached ? 'cached' : `${answer.latencyMs} ms`}`;
    ctx.results.add(`SANDBOX_${answer.level.toUpperCase()}`, rule.score, `${name}: ${answer.detail || answer.level} (${how})`);
    if (rule.action === 'reject') ctx.results.reject({ code: 554, message: '5.7.1 message refused by content analysis' });
    else if (rule.action !== 'score') ctx.results.setAction(rule.action);
    return;
  }
  const detail =
    answer.outcome === 'timeout'
      ? `${name}: no verdict from ${answer.server} within ${settings.timeoutMs} ms`
      : `${name}: ${answer.detail}`;
  const held = settings.onTimeout === 'hold';
  ctx.results.add(answer.outcome === 'timeout' ? 'SANDBOX_TIMEOUT' : 'SANDBOX_UNAVAILABLE', 0, `${detail}; ${held ? 'held (fail-closed)' : 'delivered (fail-open)'}`);
  if (held) ctx.results.setAction('hold');
}
