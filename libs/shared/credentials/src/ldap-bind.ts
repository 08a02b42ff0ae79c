import { Client, InvalidCredentialsError } from 'ldapts';

/** How to reach a directory server: ldap:// (optionally upgraded by StartTLS) or ldaps://, and the CA to trust. */
export interface LdapConnection {
  url: string;
  startTls: boolean;
  /** PEM certificate(s) the server's certificate must chain to; absent: the system's CAs. */
  ca?: string;
}

const TIMEOUT_MS = 10_000;

/**
 * A client for CONNECTION (it connects at its first operation), upgraded by StartTLS when asked. The server's
 * certificate is checked against the URL's host (ldapts' StartTLS would check it against "localhost" otherwise) and
 * the CA when one is given.
 */
export async function openLdapClient(connection: LdapConnection): Promise<Client> {
  const url = new URL(connection.url);
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  const tls = () => ({ host, ...(connection.ca ? { ca: connection.ca } : {}) });
  // ldapts connects with TLS whenever it is given TLS options, so an ldap:// URL gets them only for StartTLS.
  const client = new Client({ url: connection.url, timeout: TIMEOUT_MS, connectTimeout: TIMEOUT_MS, ...(url.protocol === 'ldaps:' ? { tlsOptions: tls() } : {}) });
  if (connection.startTls) {
    try {
      await client.startTLS(tls());
    } catch (err) {
      await client.unbind().catch(() => undefined);
      throw new Error(`StartTLS with ${connection.url}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    }
  }
  return client;
}

/**
 * True when DN binds with PASSWORD at CONNECTION, false when the server refuses the credentials; throws when it
 * cannot be reached. An empty password is refused without asking: LDAP takes it as an anonymous bind, which succeeds.
 */
export async function ldapBindVerifies(connection: LdapConnection, dn: string, password: string): Promise<boolean> {
  if (password === '' || dn === '') return false;
  const client = await openLdapClient(connection);
  try {
    await client.bind(dn, password);
    return true;
  } catch (err) {
    if (err instanceof InvalidCredentialsError) return false;
    throw err;
  } finally {
    await client.unbind().catch(() => undefined);
  }
}
