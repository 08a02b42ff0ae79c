import { ldapBindVerifies } from '@moat/credentials';
import type { OutboundDirectory } from '@moat/policy';

/** Checks a password by an LDAP bind as the account's DN: true bound, false refused; throws when the server cannot answer. */
export interface DirectoryBinder {
  verify(directory: OutboundDirectory, dn: string, password: string): Promise<boolean>;
}

/**
 * DirectoryBinder over `@moat/credentials` (ldapts): a connection per check (StartTLS first when asked, the policy's
 * CA trusted), bound as the user itself, so the node holds no service account password.
 */
export class LdapDirectoryBinder implements DirectoryBinder {
  verify(directory: OutboundDirectory, dn: string, password: string): Promise<boolean> {
    return ldapBindVerifies(directory, dn, password);
  }
}
