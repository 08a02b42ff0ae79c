import { describe, expect, it } from 'vitest';
import { asciiDomain, parseEnvelopeAddress } from './address.js';

describe('parseEnvelopeAddress', () => {
  it('parses plain addresses, with or without brackets, lower-casing the domain', () => {
    const parsed = parseEnvelopeAddress('<Alice.Smith+tag@Example.TEST>', false);
    expect(parsed).toEqual({
      ok: true,
      mailbox: { localPart: 'Alice.Smith+tag', domain: 'example.test', quoted: false, sourceRoute: false, addressLiteral: false, normalized: 'alice.smith+tag@example.test' },
    });
    expect(parseEnvelopeAddress('bob@example.test', false)).toMatchObject({ ok: true, mailbox: { normalized: 'bob@example.test' } });
  });

  it('accepts the null sender only where allowed', () => {
    expect(parseEnvelopeAddress('<>', true)).toEqual({ ok: true, mailbox: null });
    expect(parseEnvelopeAddress('', true)).toEqual({ ok: true, mailbox: null });
    expect(parseEnvelopeAddress('<>', false)).toMatchObject({ ok: false, code: 501 });
  });

  it('unquotes quoted local parts and flags them', () => {
    expect(parseEnvelopeAddress('"john doe"@example.test', false)).toMatchObject({ ok: true, mailbox: { localPart: 'john doe', quoted: true } });
    expect(parseEnvelopeAddress('"a\\"b"@example.test', false)).toMatchObject({ ok: true, mailbox: { localPart: 'a"b' } });
    expect(parseEnvelopeAddress('"user@other.test"@example.test', false)).toMatchObject({ ok: true, mailbox: { localPart: 'user@other.test', domain: 'example.test' } });
  });

  it('records source routes and address literals', () => {
    expect(parseEnvelopeAddress('<@relay.test,@hop.test:user@example.test>', false)).toMatchObject({ ok: true, mailbox: { sourceRoute: true, normalized: 'user@example.test' } });
    expect(parseEnvelopeAddress('user@[192.0.2.1]', false)).toMatchObject({ ok: true, mailbox: { addressLiteral: true, domain: '[192.0.2.1]' } });
    expect(parseEnvelopeAddress('user@[IPv6:2001:DB8::1]', false)).toMatchObject({ ok: true, mailbox: { domain: '[ipv6:2001:db8::1]' } });
  });

  it('converts internationalised domains to A-labels and keeps UTF-8 local parts', () => {
    expect(parseEnvelopeAddress('用户@例子.测试', false)).toMatchObject({ ok: true, mailbox: { localPart: '用户', domain: 'xn--fsqu00a.xn--0zwm56d' } });
  });

  it.each([
    ['user', 'address has no domain'],
    ['@example.test', 'malformed source route'],
    ['.user@example.test', 'malformed local part'],
    ['us..er@example.test', 'malformed local part'],
    ['us er@example.test', 'malformed local part'],
    ['user@@example.test', 'malformed local part'],
    ['user@example.test.', 'malformed domain'],
    ['user@-example.test', 'malformed domain'],
    ['user@exa_mple.test', 'malformed domain'],
    ['user@[300.1.1.1]', 'malformed address literal'],
    ['"unterminated@example.test', 'unterminated quoted local part'],
    ['"x"y@example.test', 'quoted local part not followed by @'],
    ['user\r\n@example.test', 'control character in address'],
    // 0xff from the client, as smtp-server's UTF-8 decoding of the command line gives it (found by the SMTP fuzzer).
    [Buffer.from('se\xffnder@example.test', 'latin1').toString('utf8'), 'address is not valid UTF-8'],
    ['<@relay.test user@example.test>', 'malformed source route'],
  ])('refuses %j with 501 (%s)', (input, reason) => {
    expect(parseEnvelopeAddress(input, false)).toEqual({ ok: false, code: 501, reason });
  });

  it('refuses over-long parts with 553', () => {
    expect(parseEnvelopeAddress(`${'a'.repeat(65)}@example.test`, false)).toMatchObject({ ok: false, code: 553 });
    const longDomain = `${'b'.repeat(60)}.${'c'.repeat(60)}.${'d'.repeat(60)}.${'e'.repeat(60)}.test`;
    expect(parseEnvelopeAddress(`a@${longDomain}`, false)).toMatchObject({ ok: true });
    expect(parseEnvelopeAddress(`${'a'.repeat(10)}@${longDomain}`, false)).toEqual({ ok: false, code: 553, reason: 'address longer than 254 octets' });
  });
});

describe('asciiDomain', () => {
  it('normalises valid names and refuses invalid ones', () => {
    expect(asciiDomain('Mail.Example.TEST')).toBe('mail.example.test');
    expect(asciiDomain('bücher.test')).toBe('xn--bcher-kva.test');
    expect(asciiDomain('a..b')).toBeUndefined();
    expect(asciiDomain(`${'a'.repeat(64)}.test`)).toBeUndefined();
  });
});
