import { randomInt } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { isIPv6 } from 'node:net';
import { connect } from 'node:net';
import * as packet from 'dns-packet';

/**
 * One DNS exchange with one server, spoken directly rather than through c-ares (node:dns): c-ares refuses
 * names with octets outside hostname syntax (EBADNAME), yet SPF and DKIM build query names from macros and
 * tags that may hold any octet DNS can carry (RFC 7208 section 7, RFC 6376 section 3.6.2.1).
 * Each query has its own socket (random source port) and random ID, and an answer only counts when its ID
 * and question match ours.
 */

export interface DnsServer {
  host: string;
  port: number;
}

export type QueryType = 'A' | 'AAAA' | 'TXT' | 'MX' | 'PTR' | 'CNAME' | 'NS' | 'TLSA';

export interface DnsResponse {
  rcode: number;
  answers: packet.Answer[];
  /** The AD bit (RFC 4035 section 3.2.3): the server validated the answer with DNSSEC. Asked for only with `dnssec`. */
  authentic: boolean;
}

/** "host", "host:port", "[v6]" or "[v6]:port"; port 53 when absent. */
export function parseServer(text: string): DnsServer {
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(text);
  if (bracketed) return { host: bracketed[1], port: Number(bracketed[2] ?? 53) };
  if (isIPv6(text)) return { host: text, port: 53 };
  const [host, port] = text.split(':');
  return { host, port: Number(port ?? 53) };
}

const udpPayloadSize = 1232;

/**
 * With DNSSEC the query sets AD (RFC 6840 section 5.7: "tell me whether you validated it") and EDNS's DO bit,
 * which a validating resolver needs before it sets AD in the answer.
 */
function queryPacket(id: number, name: string, type: QueryType, edns: boolean, dnssec: boolean): Buffer {
  return packet.encode({
    type: 'query',
    id,
    flags: packet.RECURSION_DESIRED | (dnssec ? packet.AUTHENTIC_DATA : 0),
    questions: [{ type, name, class: 'IN' }],
    additionals: edns || dnssec ? [{ type: 'OPT', name: '.', udpPayloadSize, extendedRcode: 0, ednsVersion: 0, flags: 0, flag_do: dnssec, options: [] }] : [],
  });
}

function matches(response: packet.DecodedPacket, id: number, name: string, type: QueryType): boolean {
  const question = response.questions?.[0];
  return (
    response.id === id &&
    response.flag_qr &&
    question !== undefined &&
    question.type === type &&
    question.name.toLowerCase() === name.replace(/\.$/, '').toLowerCase()
  );
}

const toResponse = (decoded: packet.DecodedPacket, dnssec: boolean): DnsResponse => ({
  rcode: (decoded.flags ?? 0) & 0xf,
  answers: decoded.answers ?? [],
  authentic: dnssec && ((decoded.flags ?? 0) & packet.AUTHENTIC_DATA) !== 0,
});

function overUdp(server: DnsServer, name: string, type: QueryType, timeoutMs: number, dnssec: boolean): Promise<packet.DecodedPacket | 'timeout'> {
  return new Promise((resolveExchange, reject) => {
    const id = randomInt(0, 0x10000);
    const socket = createSocket(isIPv6(server.host) ? 'udp6' : 'udp4');
    const finish = (result: packet.DecodedPacket | 'timeout' | Error): void => {
      clearTimeout(timer);
      socket.close();
      if (result instanceof Error) reject(result);
      else resolveExchange(result);
    };
    const timer = setTimeout(() => finish('timeout'), timeoutMs);
    socket.on('error', (error) => finish(error));
    socket.on('message', (message, from) => {
      if (from.port !== server.port) return;
      try {
        const decoded = packet.decode(message);
        if (matches(decoded, id, name, type)) finish(decoded);
      } catch {
        // Not a DNS message for us: keep waiting for the real answer.
      }
    });
    socket.send(queryPacket(id, name, type, true, dnssec), server.port, server.host);
  });
}

function overTcp(server: DnsServer, name: string, type: QueryType, timeoutMs: number, dnssec: boolean): Promise<packet.DecodedPacket | 'timeout'> {
  return new Promise((resolveExchange, reject) => {
    const id = randomInt(0, 0x10000);
    const socket = connect({ host: server.host, port: server.port });
    let received = Buffer.alloc(0);
    const finish = (result: packet.DecodedPacket | 'timeout' | Error): void => {
      clearTimeout(timer);
      socket.destroy();
      if (result instanceof Error) reject(result);
      else resolveExchange(result);
    };
    const timer = setTimeout(() => finish('timeout'), timeoutMs);
    socket.on('error', (error) => finish(error));
    socket.on('connect', () => {
      const query = queryPacket(id, name, type, false, dnssec);
      const length = Buffer.alloc(2);
      length.writeUInt16BE(query.length);
      socket.write(Buffer.concat([length, query]));
    });
    socket.on('data', (chunk) => {
      received = Buffer.concat([received, chunk]);
      if (received.length < 2 || received.length < 2 + received.readUInt16BE(0)) return;
      try {
        const decoded = packet.decode(received.subarray(2, 2 + received.readUInt16BE(0)));
        finish(matches(decoded, id, name, type) ? decoded : new Error('DNS answer over TCP does not match the question'));
      } catch (error) {
        finish(error as Error);
      }
    });
  });
}

/** Asks one server once (UDP, then TCP when the answer was truncated); 'timeout' when it did not answer. */
export async function exchange(server: DnsServer, name: string, type: QueryType, timeoutMs: number, dnssec = false): Promise<DnsResponse | 'timeout'> {
  const udp = await overUdp(server, name, type, timeoutMs, dnssec);
  if (udp === 'timeout') return udp;
  if (!udp.flag_tc) return toResponse(udp, dnssec);
  const tcp = await overTcp(server, name, type, timeoutMs, dnssec);
  return tcp === 'timeout' ? tcp : toResponse(tcp, dnssec);
}
