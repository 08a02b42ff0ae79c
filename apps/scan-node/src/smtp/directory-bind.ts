import type { OutboundDirectory } from '@moat/policy';
import { Client, InvalidCredentialsError } from 'ldapts';

const TIMEOUT_MS = 10_000;

/** Checks a password by an LDAP bind as the account's DN: true bound, false refused; throws when the server cannot answer. */
export interface DirectoryBinder {
  verify(directory: OutboundDirectory, dn: string, password: string): Promise<boolean>;
}

/**
 * DirectoryBinder over ldapts: a connection per check (StartTLS first when asked, the policy's CA trusted), bound
 * as the user itself, so the node holds no service account password. An empty password is refused without asking
 * (LDAP takes it as an anonymous bind, which succeeds).
 */
export class LdapDirectoryBinder implements DirectoryBinder {
  async verify(directory: OutboundDirectory, dn: string, password: string): Promise<boolean> {
    if (password === '' || dn === '') return false;
    const tlsOptions = directory.ca ? { ca: directory.ca } : {};
    const client = new Client({ url: directory.url, timeout: TIMEOUT_MS, connectTimeout: TIMEOUT_MS, tlsOptions });
    try {
      if (directory.startTls) await client.startTLS(tlsOptions);
      await client.bind(dn, password);
      return true;
    } catch (err) {
      if (err instanceof InvalidCredentialsError) return false;
      throw err;
    } finally {
      await client.unbind().catch(() => undefined);
    }
  }
}
