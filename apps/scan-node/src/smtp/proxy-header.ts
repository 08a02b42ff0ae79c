import { isIPv4, isIPv6 } from 'node:net';

/**
 * The HAProxy PROXY protocol header (v1 text, v2 binary; haproxy.org/download/2.6/doc/proxy-protocol.txt) that
 * a proxy sends before the client's first byte, decoded from the bytes received so far. The decoder never
 * reads past what the header declares and never buffers more than a header may be long.
 */

export interface ProxyEndpoint {
  address: string;
  port: number;
}

export type ProxyHeader =
  /** A relayed client connection: SOURCE is the real client. */
  | { version: 1 | 2; command: 'proxy'; source: ProxyEndpoint; destination: ProxyEndpoint; length: number }
  /** The proxy speaking for itself (v2 LOCAL, v1 UNKNOWN: health checks): the connection's own addresses apply. */
  | { version: 1 | 2; command: 'local'; length: number };

export type ProxyDecodeResult =
  | { status: 'incomplete' }
  | { status: 'invalid'; reason: string }
  /** LENGTH bytes of the input are the header; what follows belongs to the client's stream. */
  | { status: 'complete'; header: ProxyHeader };

/** v1 lines are at most 107 bytes with the CRLF (the spec's worst case, TCP6 with full-length addresses). */
export const MAX_V1_LENGTH = 107;
/** v2 headers: 16 fixed bytes plus at most this much address and TLV data (HAProxy's own TLVs fit easily). */
export const MAX_V2_PAYLOAD = 2048;

const V1_PREFIX = Buffer.from('PROXY ', 'latin1');
const V2_SIGNATURE = Buffer.from([0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a]);
const V2_FIXED = 16;
const INCOMPLETE: ProxyDecodeResult = { status: 'incomplete' };

export function decodeProxyHeader(data: Buffer): ProxyDecodeResult {
  if (data.length === 0) return INCOMPLETE;
  if (startsLike(data, V2_SIGNATURE)) return data.length < V2_SIGNATURE.length ? INCOMPLETE : decodeV2(data);
  if (startsLike(data, V1_PREFIX)) return data.length < V1_PREFIX.length ? INCOMPLETE : decodeV1(data);
  return invalid('not a PROXY protocol header');
}

function decodeV1(data: Buffer): ProxyDecodeResult {
  const lf = data.subarray(0, MAX_V1_LENGTH).indexOf(0x0a);
  if (lf < 0) return data.length >= MAX_V1_LENGTH ? invalid(`v1 line longer than ${MAX_V1_LENGTH} bytes`) : INCOMPLETE;
  if (data[lf - 1] !== 0x0d) return invalid('v1 line not ended by CRLF');
  const end = lf - 1;
  const length = lf + 1;
  const fields = data.toString('latin1', 0, end).split(' ');
  if (fields[1] === 'UNKNOWN') return complete({ version: 1, command: 'local', length });
  if (fields.length !== 6) return invalid('v1 line does not have 6 fields');
  const [, protocol, sourceAddress, destinationAddress, sourcePort, destinationPort] = fields as [string, string, string, string, string, string];
  const isFamily = protocol === 'TCP4' ? isIPv4 : protocol === 'TCP6' ? isIPv6 : undefined;
  if (!isFamily) return invalid(`v1 protocol ${JSON.stringify(protocol)} is not TCP4, TCP6 or UNKNOWN`);
  if (!isFamily(sourceAddress) || !isFamily(destinationAddress)) return invalid(`v1 addresses are not ${protocol} addresses`);
  const ports = [v1Port(sourcePort), v1Port(destinationPort)];
  if (ports[0] === undefined || ports[1] === undefined) return invalid('v1 ports are not numbers from 0 to 65535');
  return complete({ version: 1, command: 'proxy', source: { address: sourceAddress, port: ports[0] }, destination: { address: destinationAddress, port: ports[1] }, length });
}

function v1Port(text: string): number | undefined {
  if (!/^\d{1,5}$/.test(text)) return undefined;
  const port = Number(text);
  return port <= 65535 ? port : undefined;
}

function decodeV2(data: Buffer): ProxyDecodeResult {
  if (data.length < V2_FIXED) return INCOMPLETE;
  const version = data[12]! >> 4;
  const command = data[12]! & 0x0f;
  const family = data[13]! >> 4;
  const transport = data[13]! & 0x0f;
  const payload = data.readUInt16BE(14);
  if (version !== 2) return invalid(`v2 signature with version ${version}`);
  if (command > 1) return invalid(`v2 command ${command} is neither LOCAL nor PROXY`);
  if (payload > MAX_V2_PAYLOAD) return invalid(`v2 header declares ${payload} bytes, more than ${MAX_V2_PAYLOAD}`);
  const length = V2_FIXED + payload;
  if (data.length < length) return INCOMPLETE;
  // LOCAL: the spec tells the receiver to ignore the address block and use the connection's own endpoints.
  if (command === 0) return complete({ version: 2, command: 'local', length });
  const addressLength = family === 1 ? 12 : family === 2 ? 36 : 0;
  if (addressLength === 0 || transport !== 1) return invalid(`v2 PROXY for family ${family} transport ${transport}: only TCP over IPv4 or IPv6 is relayed`);
  if (payload < addressLength) return invalid(`v2 address block of ${payload} bytes, ${addressLength} needed`);
  const tlvProblem = checkTlvs(data.subarray(V2_FIXED + addressLength, length));
  if (tlvProblem) return invalid(tlvProblem);
  const size = family === 1 ? 4 : 16;
  const addresses = V2_FIXED;
  const ports = addresses + 2 * size;
  const address = family === 1 ? ipv4 : ipv6;
  return complete({
    version: 2,
    command: 'proxy',
    source: { address: address(data.subarray(addresses, addresses + size)), port: data.readUInt16BE(ports) },
    destination: { address: address(data.subarray(addresses + size, ports)), port: data.readUInt16BE(ports + 2) },
    length,
  });
}

/** TLVs (type, 16-bit length, value) are not used, only checked to tile the rest of the header exactly. */
function checkTlvs(tlvs: Buffer): string | undefined {
  let offset = 0;
  while (offset < tlvs.length) {
    if (offset + 3 > tlvs.length) return 'v2 TLV cut short';
    offset += 3 + tlvs.readUInt16BE(offset + 1);
    if (offset > tlvs.length) return 'v2 TLV longer than the header';
  }
  return undefined;
}

function ipv4(bytes: Buffer): string {
  return bytes.join('.');
}

const V4_MAPPED = Buffer.from([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff]);

/**
 * Full form (eight groups); smtp-server and the IP lists read any valid IPv6 text. An IPv4 client of a
 * dual-stack proxy arrives IPv4-mapped (::ffff:a.b.c.d) and is returned as plain IPv4, so IPv4 lists match it.
 */
function ipv6(bytes: Buffer): string {
  if (bytes.subarray(0, 12).equals(V4_MAPPED)) return ipv4(bytes.subarray(12));
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(bytes.readUInt16BE(i).toString(16));
  return groups.join(':');
}

/** Whether DATA matches PREFIX over the bytes they both have. */
function startsLike(data: Buffer, prefix: Buffer): boolean {
  const n = Math.min(data.length, prefix.length);
  return data.subarray(0, n).equals(prefix.subarray(0, n));
}

function complete(header: ProxyHeader): ProxyDecodeResult {
  return { status: 'complete', header };
}

function invalid(reason: string): ProxyDecodeResult {
  return { status: 'invalid', reason };
}
