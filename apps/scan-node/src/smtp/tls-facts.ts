import type { Socket } from 'node:net';
import { TLSSocket } from 'node:tls';
import type { SMTPServerSession } from 'smtp-server';

/** What a session's events report of its TLS: whether it is on, the protocol, the cipher suite and the SNI name. */
export interface TlsFacts {
  tls: boolean;
  tlsVersion: string;
  tlsCipher: string;
  tlsServerName: string;
}

// Filled by the listener's onSecure hook once STARTTLS completes; smtp-server keeps one session object per connection.
const negotiated = new WeakMap<SMTPServerSession, { version: string; cipher: string; serverName: string }>();

/** Called when SESSION's connection finished its TLS handshake on SOCKET. */
export function recordTls(session: SMTPServerSession, socket: Socket | TLSSocket): void {
  if (!(socket instanceof TLSSocket)) return;
  const serverName = (socket as TLSSocket & { servername?: string | false }).servername;
  negotiated.set(session, { version: socket.getProtocol() ?? '', cipher: socket.getCipher().standardName, serverName: typeof serverName === 'string' ? serverName : '' });
}

export function tlsFacts(session: SMTPServerSession): TlsFacts {
  const facts = session.secure ? negotiated.get(session) : undefined;
  return { tls: session.secure, tlsVersion: facts?.version ?? '', tlsCipher: facts?.cipher ?? '', tlsServerName: facts?.serverName ?? '' };
}
