import { createResolver } from '@moat/auth';
import { MemoryFleetState } from '@moat/fleet-state';
import { compilePolicy, defaultChecks, MessageScanner, Pipeline, resolverOptions, type ScanOptions, type Verdict } from '@moat/pipeline';
import type { Policy } from '@moat/policy';
import { UsageError, writeLine, type Command } from '../command.js';
import { messagesIn } from '../scan/message-files.js';
import { offlineVerdict } from '../scan/offline-verdict.js';
import { parseScanRequest } from '../scan/scan-request.js';

export const SCAN_USAGE = `moat scan [--json] [--policy FILE] [--client-ip IP] [--helo NAME] [--mail-from ADDR] [--rcpt ADDR]...
          [--dns HOST:PORT] [--clamd HOST:PORT] [--model FILE|default] PATH...

Scans messages offline through the same pipeline as a scan node, without delivering anything, and prints
one result per message. PATH is a message file (.eml), an mbox file (one that starts with a "From " line;
each message is reported as PATH#N, counting from 1) or a directory, scanned recursively in name order.

  --json             one JSON object per line: {"file","action","score","symbols":[{"name","score","detail"}]}
                     (action: deliver, tag, quarantine, reject, tempfail, hold or discard)
  --policy FILE      the tenant policy (JSON, as for moat policy set). Without it, a policy with no lists,
                     the default thresholds and the --rcpt domains as the tenant's domains, so that relay
                     control accepts the recipients and the content checks run.
  --client-ip IP     the connecting client, for the IP lists (without it, no IP check runs)
  --helo NAME        the HELO/EHLO name
  --mail-from ADDR   the envelope sender, for the sender checks ("" for the null sender)
  --rcpt ADDR        an envelope recipient; repeat for several. Without any, the recipient checks (relay,
                     accounts, per-domain lists) do not run and only the content is judged.
  --dns HOST:PORT    DNS resolver for the DNS-based checks (reverse DNS, SPF/DKIM/DMARC/ARC, DNS lists);
                     without it, the policy's dns.servers; without either, the stage-1 DNS checks do not run
  --clamd HOST:PORT  clamd for the antivirus check, as a node uses MOAT_CLAMD; without it only the policy's
                     SHA-256 list runs, each message carries AV_SKIPPED and a warning goes to stderr. clamd
                     not answering makes the verdict tempfail, as on a node
  --model FILE       score with this classifier model (moat train --out FILE; "default": the one shipped
                     with Moat), turning the classifier on whatever the policy says. Without it, a policy
                     with "classifier": {"enabled": true} scores with the shipped model
Stage-1 checks that count (greylisting, rate control, mail bombs) count over the messages of one run.
A message a node refuses before reading it (empty, NUL bytes) is reported as reject with the node's symbol.
Every engine or DNS check group the policy asks for that does not run is named in a warning on stderr.

Exit status: 0 when every message was scanned, 1 when a file could not be read, 2 on bad usage.`;

/**
 * \`moat scan\`: returns the exit code. Results go to \`out\`, problems with files or arguments to \`err\`.
 */
export async function runScan(args: string[], out: NodeJS.WritableStream, err: NodeJS.WritableStream = process.stderr): Promise<number> {
  let request;
  try {
    request = await parseScanRequest(args);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    writeLine(err, `moat scan: ${error.message}\nrun moat scan --help for usage`);
    return 2;
  }
  if (request === 'help') {
    writeLine(out, SCAN_USAGE);
    return 0;
  }

  // One run is one fleet: greylisting and rate counters see every message of the run. DNS checks run
  // with --dns, or with the policy's DNS servers.
  const dns = !request.options.dns && request.policy.dns.servers.length > 0 ? { resolver: createResolver(resolverOptions(request.policy.dns)) } : {};
  const options = { ...request.options, ...dns, fleetState: new MemoryFleetState(), explainSkippedEngines: true };
  for (const warning of skippedEngines(request.policy, options)) writeLine(err, `moat scan: warning: ${warning}`);
  const scanner = new MessageScanner(compilePolicy(request.policy, 0), new Pipeline(defaultChecks(), options));
  let unreadable = 0;
  for await (const source of messagesIn(request.paths)) {
    if ('error' in source) {
      unreadable++;
      writeLine(err, `moat scan: cannot read ${source.file}: ${source.error}`);
      continue;
    }
    const verdict = await offlineVerdict(scanner, source.raw, request.envelope);
    writeLine(out, request.json ? jsonLine(source.file, verdict) : textLine(source.file, verdict));
  }
  return unreadable > 0 ? 1 : 0;
}

/** The command as the \`moat\` CLI registers it; it parses its own options, --help included. */
export const scanCommand: Command = {
  name: 'scan',
  summary: 'scan .eml files, mbox files and directories offline, without delivering',
  usage: SCAN_USAGE,
  delegatesHelp: true,
  run: (args, io) => runScan(args, io.out, io.err),
};

/** One line per engine or check group the policy asks for that this run cannot use (printed on stderr). */
function skippedEngines(policy: Policy, options: ScanOptions): string[] {
  const skipped: string[] = [];
  if (policy.attachments.antivirus.clamav && !options.antivirus?.length) {
    skipped.push('ClamAV did not run (no --clamd HOST:PORT): the verdicts say nothing about viruses; each message carries AV_SKIPPED');
  }
  if (!options.dns && !options.resolver) {
    skipped.push("no DNS resolver (--dns HOST:PORT or the policy's dns.servers): reverse DNS, SPF, DKIM, DMARC, ARC and the DNS lists did not run");
  }
  return skipped;
}

function jsonLine(file: string, verdict: Verdict): string {
  return JSON.stringify({ file, action: verdict.action, score: verdict.score, symbols: verdict.symbols.map(({ name, score, detail }) => ({ name, score, detail })) });
}

function textLine(file: string, verdict: Verdict): string {
  const symbols = verdict.symbols.map((s) => `${s.name}(${s.score})`).join(' ');
  return `${file}  ${verdict.action}  ${verdict.score}${symbols ? `  ${symbols}` : ''}`;
}
