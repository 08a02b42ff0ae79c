import { describe, expect, it } from 'vitest';
import { decodeProxyHeader, MAX_V1_LENGTH, MAX_V2_PAYLOAD } from './proxy-header.js';

const SIGNATURE = Buffer.from('0d0a0d0a000d0a515549540a', 'hex');

/** A v2 header: version/command byte, family/transport byte, then the payload with its length. */
function v2(verCmd: number, famTransport: number, payload: Buffer): Buffer {
  const length = Buffer.alloc(2);
  length.writeUInt16BE(payload.length);
  return Buffer.concat([SIGNATURE, Buffer.from([verCmd, famTransport]), length, payload]);
}

function ports(source: number, destination: number): Buffer {
  const bytes = Buffer.alloc(4);
  bytes.writeUInt16BE(source);
  bytes.writeUInt16BE(destination, 2);
  return bytes;
}

const IPV4_BLOCK = Buffer.concat([Buffer.from([192, 0, 2, 7, 10, 0, 0, 1]), ports(40000, 25)]);
const IPV6_BLOCK = Buffer.concat([Buffer.from('20010db8000000000000000000000042', 'hex'), Buffer.from('fe800000000000000000000000000001', 'hex'), ports(51234, 2525)]);

describe('decodeProxyHeader v1', () => {
  it('decodes TCP4 and TCP6 lines and reports where the SMTP stream starts', () => {
    const line = 'PROXY TCP4 192.0.2.7 10.0.0.1 40000 25\r\n';
    expect(decodeProxyHeader(Buffer.from(`${line}EHLO x\r\n`))).toEqual({
      status: 'complete',
      header: { version: 1, command: 'proxy', source: { address: '192.0.2.7', port: 40000 }, destination: { address: '10.0.0.1', port: 25 }, length: line.length },
    });
    expect(decodeProxyHeader(Buffer.from('PROXY TCP6 2001:db8::42 fe80::1 51234 2525\r\n'))).toMatchObject({
      status: 'complete',
      header: { command: 'proxy', source: { address: '2001:db8::42', port: 51234 }, destination: { address: 'fe80::1', port: 2525 } },
    });
  });

  it('treats UNKNOWN (HAProxy health checks) as the proxy speaking for itself', () => {
    expect(decodeProxyHeader(Buffer.from('PROXY UNKNOWN\r\n'))).toEqual({ status: 'complete', header: { version: 1, command: 'local', length: 15 } });
    expect(decodeProxyHeader(Buffer.from('PROXY UNKNOWN ffff:: ffff:: 1 2\r\n'))).toMatchObject({ status: 'complete', header: { command: 'local' } });
  });

  it('waits for the rest of a line cut anywhere', () => {
    const line = 'PROXY TCP4 192.0.2.7 10.0.0.1 40000 25\r\n';
    for (let cut = 1; cut < line.length; cut++) expect(decodeProxyHeader(Buffer.from(line.slice(0, cut)))).toEqual({ status: 'incomplete' });
  });

  it.each([
    ['wrong protocol', 'PROXY UDP4 192.0.2.7 10.0.0.1 40000 25\r\n'],
    ['IPv6 address under TCP4', 'PROXY TCP4 2001:db8::1 10.0.0.1 40000 25\r\n'],
    ['hostname for an address', 'PROXY TCP4 evil.example 10.0.0.1 40000 25\r\n'],
    ['port out of range', 'PROXY TCP4 192.0.2.7 10.0.0.1 70000 25\r\n'],
    ['signed port', 'PROXY TCP4 192.0.2.7 10.0.0.1 -1 25\r\n'],
    ['missing field', 'PROXY TCP4 192.0.2.7 10.0.0.1 40000\r\n'],
    ['double space', 'PROXY TCP4  192.0.2.7 10.0.0.1 40000 25\r\n'],
    ['extra field', 'PROXY TCP4 192.0.2.7 10.0.0.1 40000 25 x\r\n'],
  ])('refuses a malformed line: %s', (_name, line) => {
    expect(decodeProxyHeader(Buffer.from(line))).toMatchObject({ status: 'invalid' });
  });

  it('refuses a line with no CRLF within the v1 limit, or ended by a bare LF', () => {
    const long = Buffer.from(`PROXY TCP4 ${'1'.repeat(MAX_V1_LENGTH)}`);
    expect(decodeProxyHeader(long)).toMatchObject({ status: 'invalid', reason: expect.stringContaining('longer than') });
    expect(decodeProxyHeader(Buffer.from('PROXY TCP4 192.0.2.7 10.0.0.1 40000 25\n'))).toMatchObject({ status: 'invalid', reason: 'v1 line not ended by CRLF' });
  });
});

describe('decodeProxyHeader v2', () => {
  it('decodes PROXY over TCP/IPv4', () => {
    const header = v2(0x21, 0x11, IPV4_BLOCK);
    expect(decodeProxyHeader(Buffer.concat([header, Buffer.from('EHLO')]))).toEqual({
      status: 'complete',
      header: { version: 2, command: 'proxy', source: { address: '192.0.2.7', port: 40000 }, destination: { address: '10.0.0.1', port: 25 }, length: 28 },
    });
  });

  it('decodes PROXY over TCP/IPv6, with an IPv4-mapped client as plain IPv4', () => {
    expect(decodeProxyHeader(v2(0x21, 0x21, IPV6_BLOCK))).toMatchObject({
      status: 'complete',
      header: { source: { address: '2001:db8:0:0:0:0:0:42', port: 51234 }, destination: { address: 'fe80:0:0:0:0:0:0:1', port: 2525 }, length: 52 },
    });
    const mapped = Buffer.from(IPV6_BLOCK);
    Buffer.from('00000000000000000000ffff7f000002', 'hex').copy(mapped, 0);
    expect(decodeProxyHeader(v2(0x21, 0x21, mapped))).toMatchObject({ status: 'complete', header: { source: { address: '127.0.0.2' } } });
  });

  it('decodes LOCAL (health checks) whatever address block it carries', () => {
    expect(decodeProxyHeader(v2(0x20, 0x00, Buffer.alloc(0)))).toEqual({ status: 'complete', header: { version: 2, command: 'local', length: 16 } });
    expect(decodeProxyHeader(v2(0x20, 0x11, IPV4_BLOCK))).toEqual({ status: 'complete', header: { version: 2, command: 'local', length: 28 } });
  });

  it('skips TLVs that tile the rest of the header, and refuses ones that overrun it', () => {
    const tlvs = Buffer.concat([Buffer.from([0x04, 0x00, 0x03, 0, 0, 0]), Buffer.from([0x05, 0x00, 0x02, 0xab, 0xcd])]);
    expect(decodeProxyHeader(v2(0x21, 0x11, Buffer.concat([IPV4_BLOCK, tlvs])))).toMatchObject({ status: 'complete', header: { source: { address: '192.0.2.7' }, length: 16 + 12 + 11 } });
    expect(decodeProxyHeader(v2(0x21, 0x11, Buffer.concat([IPV4_BLOCK, Buffer.from([0x04, 0x00, 0x09, 0])])))).toMatchObject({ status: 'invalid', reason: expect.stringContaining('TLV') });
    expect(decodeProxyHeader(v2(0x21, 0x11, Buffer.concat([IPV4_BLOCK, Buffer.from([0x04, 0x00])])))).toMatchObject({ status: 'invalid', reason: expect.stringContaining('TLV') });
  });

  it('waits for a header cut anywhere, the declared payload included', () => {
    const header = v2(0x21, 0x21, IPV6_BLOCK);
    for (let cut = 1; cut < header.length; cut++) expect(decodeProxyHeader(header.subarray(0, cut))).toEqual({ status: 'incomplete' });
  });

  it.each([
    ['version 1 in the binary form', v2(0x11, 0x11, IPV4_BLOCK)],
    ['unknown command', v2(0x22, 0x11, IPV4_BLOCK)],
    ['UDP', v2(0x21, 0x12, IPV4_BLOCK)],
    ['UNIX socket', v2(0x21, 0x31, Buffer.alloc(216))],
    ['PROXY with an unspecified family', v2(0x21, 0x00, Buffer.alloc(0))],
    ['address block shorter than IPv6 needs', v2(0x21, 0x21, IPV4_BLOCK)],
  ])('refuses %s', (_name, header) => {
    expect(decodeProxyHeader(header)).toMatchObject({ status: 'invalid' });
  });

  it('refuses an oversized header as soon as its length is read', () => {
    const fixed = v2(0x21, 0x11, Buffer.alloc(0));
    fixed.writeUInt16BE(MAX_V2_PAYLOAD + 1, 14);
    expect(decodeProxyHeader(fixed)).toMatchObject({ status: 'invalid', reason: expect.stringContaining('more than') });
  });
});

describe('decodeProxyHeader on anything else', () => {
  it.each([
    ['an SMTP command', 'EHLO client.example\r\n'],
    ['lowercase proxy', 'proxy TCP4 192.0.2.7 10.0.0.1 40000 25\r\n'],
    ['a TLS ClientHello', '\x16\x03\x01\x02\x00\x01'],
    ['a v2 signature gone wrong', '\r\n\r\n\x00\r\nQUIX\n'],
  ])('refuses %s at the first byte that cannot start a header', (_name, text) => {
    expect(decodeProxyHeader(Buffer.from(text, 'latin1'))).toMatchObject({ status: 'invalid', reason: 'not a PROXY protocol header' });
  });

  it('has nothing to say about no bytes yet', () => {
    expect(decodeProxyHeader(Buffer.alloc(0))).toEqual({ status: 'incomplete' });
  });
});
