import { Injectable } from '@nestjs/common';
import { ldapBindVerifies, openLdapClient } from '@moat/credentials';
import { ResultCodeError, type Entry } from 'ldapts';
import { DirectoryRepository, MAX_DIRECTORY_ENTRIES, type DirectoryConnection, type DirectoryEntry, type DirectoryQuery } from './directory.repository.js';

/** DirectoryRepository over ldapts (`@moat/credentials` opens the connection): one connection per call, closed afterwards. */
@Injectable()
export class LdaptsDirectoryRepository extends DirectoryRepository {
  async search(connection: DirectoryConnection, bindDn: string, password: string, queries: DirectoryQuery[]): Promise<DirectoryEntry[][]> {
    const client = await openLdapClient(connection);
    try {
      await step(`bind as ${bindDn}`, () => client.bind(bindDn, password));
      const results: DirectoryEntry[][] = [];
      for (const query of queries) {
        const options = { scope: 'sub' as const, filter: query.filter, attributes: query.attributes, paged: { pageSize: 500 }, sizeLimit: MAX_DIRECTORY_ENTRIES };
        const { searchEntries } = await step(`search ${query.baseDn} ${query.filter}`, () => client.search(query.baseDn, options));
        results.push(searchEntries.map((entry) => toEntry(entry, query.attributes)));
      }
      return results;
    } finally {
      await client.unbind().catch(() => undefined);
    }
  }

  verify(connection: DirectoryConnection, dn: string, password: string): Promise<boolean> {
    return ldapBindVerifies(connection, dn, password);
  }
}

/** Runs one LDAP operation; its failure names the operation and the LDAP result (ldapts' own messages are bare codes). */
async function step<T>(what: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    const reason = err instanceof ResultCodeError ? `${err.name.replace(/Error$/, '')} (LDAP result ${err.code})` : err instanceof Error ? err.message : String(err);
    throw new Error(`${what}: ${reason}`, { cause: err });
  }
}

/** The asked attributes of ENTRY as text values, found whatever case the server spells their names in. */
function toEntry(entry: Entry, attributes: readonly string[]): DirectoryEntry {
  const byLowerName = new Map(Object.keys(entry).map((name) => [name.toLowerCase(), name]));
  const values: Record<string, string[]> = {};
  for (const attribute of attributes) {
    const name = byLowerName.get(attribute.toLowerCase());
    const raw = name === undefined ? [] : entry[name];
    const list = Array.isArray(raw) ? raw : raw === undefined ? [] : [raw];
    values[attribute] = list.map((v) => (typeof v === 'string' ? v : v.toString('utf8')));
  }
  return { dn: entry.dn, attributes: values };
}
