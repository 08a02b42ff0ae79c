import { Injectable } from '@nestjs/common';
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
    const { version, policy } = await this.policy.get();
    return { version, domains: policy.domains.map((d) => ({ name: d.name, accounts: d.accounts })) };
  }

  /** Validates the whole file first: one bad line and nothing is imported (400 with every problem). */
  async import(input: unknown, author: string): Promise<AccountsImportResult> {
    const { csv, replace } = parseImport(input);
    const current = await this.policy.get();
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
    const stored = await this.policy.modify(edit, author, `accounts import: ${lines} addresses${replace ? ' (replace)' : ''}`);
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
