import { readFile, stat } from 'node:fs/promises';
import { isIP } from 'node:net';
import { parseArgs } from 'node:util';
import { loadDefaultModel, loadModel, type SpamModel } from '@moat/classifier';
import { ClamdEngine } from '@moat/content';
import { parseEnvelopeAddress, parseHostPort, type Envelope, type HostPort, type ScanOptions } from '@moat/pipeline';
import { parsePolicy, PolicyValidationError, type Policy } from '@moat/policy';
import { UsageError } from '../command.js';

/** What `moat scan` was asked to do, validated. */
export interface ScanRequest {
  json: boolean;
  paths: string[];
  policy: Policy;
  envelope: Partial<Envelope>;
  options: ScanOptions;
}

const OPTIONS = {
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  policy: { type: 'string' },
  'client-ip': { type: 'string' },
  helo: { type: 'string' },
  'mail-from': { type: 'string' },
  rcpt: { type: 'string', multiple: true },
  dns: { type: 'string' },
  clamd: { type: 'string' },
  model: { type: 'string' },
} as const;

/** Parses and checks the arguments ('help' for --help); every problem is a UsageError naming the option. */
export async function parseScanRequest(args: string[]): Promise<ScanRequest | 'help'> {
  let parsed;
  try {
    parsed = parseArgs({ args, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help) return 'help';
  if (positionals.length === 0) throw new UsageError('no PATH to scan');

  const envelope: Partial<Envelope> = {};
  if (values['client-ip'] !== undefined) {
    if (isIP(values['client-ip']) === 0) throw new UsageError(`--client-ip "${values['client-ip']}" is not an IP address`);
    envelope.clientIp = values['client-ip'];
  }
  if (values.helo !== undefined) envelope.helo = values.helo;
  if (values['mail-from'] !== undefined) {
    checkAddress('--mail-from', values['mail-from'], true);
    envelope.mailFrom = values['mail-from'];
  }
  if (values.rcpt !== undefined) {
    for (const rcpt of values.rcpt) checkAddress('--rcpt', rcpt, false);
    envelope.rcptTo = values.rcpt;
  }

  const clamd = hostPortOption('clamd', values.clamd);
  const options: ScanOptions = { ...(values.dns === undefined ? {} : { dns: hostPortOption('dns', values.dns) }), ...(clamd ? { antivirus: [new ClamdEngine(clamd)] } : {}) };
  let policy = values.policy === undefined ? offlinePolicy(envelope.rcptTo ?? []) : await readPolicy(values.policy);
  if (values.model !== undefined) {
    // A model asked for is a model to score with, whatever the policy says.
    options.classifier = { model: await readModel(values.model) };
    policy = { ...policy, classifier: { ...policy.classifier, enabled: true } };
  } else if (policy.classifier.enabled) {
    options.classifier = { model: loadDefaultModel() };
  }
  for (const path of positionals) {
    if (!(await stat(path).catch(() => undefined))) throw new UsageError(`no such file or directory: ${path}`);
  }
  return { json: values.json ?? false, paths: positionals, policy, envelope, options };
}

/**
 * The policy used without --policy: no lists, default thresholds, and the --rcpt domains as the tenant's
 * domains, so relay control accepts them and the content checks run.
 */
export function offlinePolicy(recipients: readonly string[]): Policy {
  const domains = new Set<string>();
  for (const rcpt of recipients) {
    const parsed = parseEnvelopeAddress(rcpt, false);
    if (parsed.ok && parsed.mailbox && !parsed.mailbox.addressLiteral) domains.add(parsed.mailbox.domain);
  }
  try {
    // The downstream is never contacted: moat scan delivers nothing.
    return parsePolicy({ domains: [...domains].map((name) => ({ name, downstream: { host: '127.0.0.1' } })) });
  } catch (err) {
    if (err instanceof PolicyValidationError) throw new UsageError(`without --policy, each --rcpt domain must be a domain name a policy accepts:\n  ${err.problems.join('\n  ')}`);
    throw err;
  }
}

export async function readPolicy(file: string): Promise<Policy> {
  let text;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new UsageError(`cannot read --policy ${file}: ${(err as Error).message}`);
  }
  try {
    return parsePolicy(text);
  } catch (err) {
    if (err instanceof PolicyValidationError) throw new UsageError(`--policy ${file} is not a valid policy:\n  ${err.problems.join('\n  ')}`);
    throw err;
  }
}

export async function readModel(file: string): Promise<SpamModel> {
  if (file === 'default') return loadDefaultModel();
  try {
    return await loadModel(file);
  } catch (err) {
    throw new UsageError(`--model ${file}: ${(err as Error).message}`);
  }
}

function checkAddress(option: string, value: string, allowNull: boolean): void {
  const parsed = parseEnvelopeAddress(value, allowNull);
  if (!parsed.ok) throw new UsageError(`${option} "${value}" is not a valid envelope address: ${parsed.reason}`);
}

function hostPortOption(name: 'dns' | 'clamd', value: string | undefined): HostPort | undefined {
  if (value === undefined) return undefined;
  try {
    return parseHostPort(value);
  } catch (err) {
    throw new UsageError(`--${name}: ${(err as Error).message}`);
  }
}
