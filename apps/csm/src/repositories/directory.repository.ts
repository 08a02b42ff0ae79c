import type { LdapConnection } from '@moat/credentials';

/** How to reach a directory server: ldap:// (optionally upgraded by StartTLS) or ldaps://, and the CA to trust. */
export type DirectoryConnection = LdapConnection;

/** One search: the subtree under BASEDN matching FILTER, with the named attributes. */
export interface DirectoryQuery {
  baseDn: string;
  filter: string;
  attributes: string[];
}

/** An entry found: its DN and the values of the attributes asked for (names in the case asked, values as text). */
export interface DirectoryEntry {
  dn: string;
  attributes: Record<string, string[]>;
}

/** An LDAP or Active Directory server, spoken to by the CSM (sync, administrator login). */
export abstract class DirectoryRepository {
  /**
   * Binds as BINDDN with PASSWORD and runs each query (paged, up to MAX_DIRECTORY_ENTRIES entries each), on one
   * connection; throws with the server's reason when it cannot be reached, refuses the bind or a search.
   */
  abstract search(connection: DirectoryConnection, bindDn: string, password: string, queries: DirectoryQuery[]): Promise<DirectoryEntry[][]>;
  /**
   * True when DN binds with PASSWORD, false when the server refuses the credentials (an empty password is refused
   * here: LDAP would take it as an anonymous bind); throws when the server cannot be reached.
   */
  abstract verify(connection: DirectoryConnection, dn: string, password: string): Promise<boolean>;
}

/** At most this many entries per query: a directory larger than that is refused rather than read partly. */
export const MAX_DIRECTORY_ENTRIES = 100_000;
