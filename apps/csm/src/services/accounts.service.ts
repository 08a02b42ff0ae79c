import { Injectable } from '@nestjs/common';
import { hashPassword, weakPasswordReason } from '@moat/credentials';
import type { Policy } from '@moat/policy';
import { InvalidInputError } from '../util/errors.js';
import { PolicyService } from './policy.service.js';

export interface AccountsImport {
  /** CSV text: one address per line in the first column; an "address"/"email" header line, blank lines and # comments are skipped. */
  csv: string;
  /** Replace the accounts of every domain the file names (others are untouched) instead of adding to them. */
  replace?: boolean;
}

export interface AccountsView {
  version: number;
  domains: { name: string; accounts: string[] }[];
  /** Accounts that may submit mail (outbound.accounts), without their password hashes. */
  senders: { address: string; canSend: boolean; hasPassword: boolean; aliases: string[] }[];
}

export interface PasswordSetResult {
  version: number;
  address: string;
  canSend: boolean;
}

export interface AccountsImportResult {
  version: number;
  /** Per domain named in the file: accounts after the import and how many were new. */
  domains: { name: string; accounts: number; added: number }[];
}

/**
 * The tenant's accounts (valid recipients). They live in the policy (`domains[].accounts`), so an import is
 * a new, audited policy version that every node receives, and a node refuses unknown recipients at RCPT
 * with the accounts of the policy it runs, also when the CSM is down.
 */
@Injectable()
export class AccountsService {
  constructor(private readonly policy: PolicyService) {}

  async list(): Promise<AccountsView> {
    const { version, policy } = await this.policy.scoped().get();
    return {
      version,
      domains: policy.domains.map((d) => ({ name: d.name, accounts: d.accounts })),
      senders: policy.outbound.accounts.map((a) => ({ address: a.address, canSend: a.canSend, hasPassword: a.passwordHash !== undefined, aliases: a.aliases })),
    };
  }

  /**
   * Sets the SMTP AUTH password of ADDRESS (`{password, canSend?}`): weak passwords are refused (400), only the
   * scrypt hash is stored, in the policy's `outbound.accounts`, as a new audited policy version that reaches
   * the nodes. A new entry may send unless `canSend: false`; an existing entry keeps its setting unless given.
   */
  async setPassword(address: string, input: unknown, author: string): Promise<PasswordSetResult> {
    const body = typeof input === 'object' && input !== null ? (input as Record<string, unknown>) : {};
    const password = body['password'];
    const canSend = body['canSend'];
    const problems: string[] = [];
    if (typeof password !== 'string') problems.push('password: must be a string');
    if (canSend !== undefined && typeof canSend !== 'boolean') problems.push('canSend: must be true or false');
    const normalized = address.trim().toLowerCase();
    const match = /^([^@\s<>]{1,64})@([a-z0-9.-]{1,253})$/.exec(normalized);
    const current = await this.policy.scoped().get();
    const domain = match ? current.policy.domains.find((d) => d.name === match[2]) : undefined;
    if (!match) problems.push(`address: "${address.slice(0, 100)}" is not an email address`);
    else if (!domain) problems.push(`address: ${match[2]} is not one of the tenant's domains`);
    else if (domain.accounts.length > 0 && !domain.accounts.includes(match[1] ?? '')) problems.push(`address: ${normalized} is not one of ${domain.name}'s accounts`);
    const weak = typeof password === 'string' ? weakPasswordReason(password, normalized) : undefined;
    if (weak) problems.push(`password: ${weak}`);
    if (problems.length > 0) throw new InvalidInputError('password not set', problems);
    const passwordHash = await hashPassword(password as string);
    let allowed = false;
    const edit = (policy: Policy): Policy => {
      const existing = policy.outbound.accounts.find((a) => a.address === normalized);
      allowed = typeof canSend === 'boolean' ? canSend : (existing?.canSend ?? true);
      const account = { address: normalized, aliases: existing?.aliases ?? [], canSend: allowed, passwordHash };
      const others = policy.outbound.accounts.filter((a) => a.address !== normalized);
      return { ...policy, outbound: { ...policy.outbound, accounts: [...others, account].sort((a, b) => a.address.localeCompare(b.address)) } };
    };
    const stored = await this.policy.scoped().modify(edit, author, `password set for ${normalized}`);
    return { version: stored.version, address: normalized, canSend: allowed };
  }

  /** Validates the whole file first: one bad line and nothing is imported (400 with every problem). */
  async import(input: unknown, author: string): Promise<AccountsImportResult> {
    const { csv, replace } = parseImport(input);
    const current = await this.policy.scoped().get();
    const byDomain = readAccounts(csv, new Set(current.policy.domains.map((d) => d.name)));
    const counts = new Map<string, { accounts: number; added: number }>();
    const edit = (policy: Policy): Policy => ({
      ...policy,
      domains: policy.domains.map((domain) => {
        const imported = byDomain.get(domain.name);
        if (!imported) return domain;
        const before = new Set(domain.accounts);
        const accounts = [...new Set(replace ? imported : [...domain.accounts, ...imported])].sort();
        counts.set(domain.name, { accounts: accounts.length, added: accounts.filter((a) => !before.has(a)).length });
        return { ...domain, accounts };
      }),
    });
    const lines = [...byDomain.values()].reduce((n, list) => n + list.length, 0);
    const stored = await this.policy.scoped().modify(edit, author, `accounts import: ${lines} addresses${replace ? ' (replace)' : ''}`);
    return { version: stored.version, domains: [...counts].map(([name, c]) => ({ name, ...c })) };
  }
}

function parseImport(input: unknown): AccountsImport {
  const body = typeof input === 'object' && input !== null ? (input as Record<string, unknown>) : {};
  const problems: string[] = [];
  if (typeof body['csv'] !== 'string' || body['csv'].trim() === '') problems.push('csv: must be the non-empty text of a CSV file');
  if (body['replace'] !== undefined && typeof body['replace'] !== 'boolean') problems.push('replace: must be true or false');
  if (problems.length > 0) throw new InvalidInputError('invalid accounts import', problems);
  return { csv: body['csv'] as string, replace: body['replace'] as boolean | undefined };
}

/** Local parts by tenant domain; every problem names its line. */
function readAccounts(csv: string, domains: ReadonlySet<string>): Map<string, string[]> {
  const byDomain = new Map<string, string[]>();
  const problems: string[] = [];
  csv.split(/\r?\n/).forEach((line, index) => {
    const first = firstColumn(line).trim();
    if (first === '' || first.startsWith('#') || (index === 0 && /^(address|email|e-mail|mail)$/i.test(first))) return;
    const match = /^([A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]{1,64})@([A-Za-z0-9.-]{1,253})$/.exec(first);
    if (!match || match[1]!.startsWith('.') || match[1]!.endsWith('.') || match[1]!.includes('..')) {
      problems.push(`line ${index + 1}: "${first.slice(0, 100)}" is not an email address`);
      return;
    }
    const domain = match[2]!.toLowerCase();
    if (!domains.has(domain)) {
      problems.push(`line ${index + 1}: ${domain} is not one of the tenant's domains`);
      return;
    }
    byDomain.set(domain, [...(byDomain.get(domain) ?? []), match[1]!.toLowerCase()]);
  });
  if (problems.length > 0) throw new InvalidInputError('invalid accounts file', problems);
  if (byDomain.size === 0) throw new InvalidInputError('invalid accounts file', ['the file lists no address']);
  return byDomain;
}

/** The first CSV field, unquoted ("a@b.test",Alice -> a@b.test). */
function firstColumn(line: string): string {
  const quoted = /^\s*"((?:[^"]|"")*)"/.exec(line);
  if (quoted) return quoted[1]!.replace(/""/g, '"');
  return line.split(',')[0] ?? '';
}
