#!/usr/bin/env node
// Writes Moat's own offline ClamAV signature set to var/clamav-db/ (or the directory given as argument).
// freshclam cannot reach its mirrors from the build and CI machines, so clamd there loads these signatures
// instead of main/daily.cvd: the EICAR test string and the ClamAV project's test program (clam.exe, which
// every file in Debian's clamav-testfiles wraps: packed, archived, encoded or embedded). Production
// installations point clamd at the freshclam database instead (see README.md).
//
// Idempotent: a file is rewritten only when its content differs, so a running clamd is not disturbed.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const dbDir = resolve(root, process.argv[2] ?? 'var/clamav-db');

// Signatures are kept as hex so that this file is not itself flagged by a virus scanner.
const eicarHex =
  '58354f2150254041505b345c505a58353428505e2937434329377d2445494341522d5354414e444152442d414e544956495255532d544553542d46494c452124482b482a';
// clam.exe from clamav-testfiles: its code section (offset 0x40) and its whole-file MD5.
const clamExeCodeHex = 'bb7110400033c050508bf3535350b02940300466ac79f9ba3100780dad50ff66700e1fbe3100e9e5ffb409cd21b44ccd21';
const clamExeMd5 = 'aa15bcf478d165efd2065190eb473bcb';
const eicarMd5 = '44d88612fea8a8f36de82e1278abb02f';

// .ndb body signatures, Name:TargetType:Offset:Hex. Target 0 = any file, 1 = PE (matched after unpacking).
const ndb = [
  `Eicar-Test-Signature:0:*:${eicarHex}`,
  `Clamav.Test.File-Body:1:*:${clamExeCodeHex}`,
];
// .hdb whole-file hashes, MD5:Size:Name; also matched against every file ClamAV extracts from a container.
const hdb = [`${eicarMd5}:68:Eicar-Test-Signature`, `${clamExeMd5}:544:Clamav.Test.File-MD5`];

function writeIfChanged(name, lines) {
  const path = resolve(dbDir, name);
  const content = `${lines.join('\n')}\n`;
  let current = null;
  try {
    current = readFileSync(path, 'utf8');
  } catch {
    // Not written yet.
  }
  if (current === content) return false;
  writeFileSync(path, content, { mode: 0o644 });
  return true;
}

mkdirSync(dbDir, { recursive: true });
const changed = [writeIfChanged('moat.ndb', ndb), writeIfChanged('moat.hdb', hdb)].some(Boolean);
console.log(`[clamav-db] ${changed ? 'wrote' : 'up to date:'} ${dbDir} (${ndb.length + hdb.length} signatures)`);
