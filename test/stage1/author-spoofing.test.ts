import { generateKeyPairSync } from 'node:crypto';
import { parseHostPort, scanMessage, type MessageVerdict } from '@moat/pipeline';
import { parsePolicy } from '@moat/policy';
import { dkimSign } from 'mailauth/lib/dkim/sign.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startKnot, zoneTxt, type RunningKnot } from '../auth/support/knot.js';

// Issue 3, spoofing resistance beyond the library: evil.test signs with DKIM and is SPF-authorised for its
// own mail server, so anything it sends authenticates, aligned, for evil.test. When the From field also
// shows bank.test (p=reject), or can be read as bank.test by a mail client, the DMARC verdict must not be a
// pass: the ambiguity itself is the finding. Real knotd, real RSA signatures made by mailauth's signer.
const EVIL_MTA = '203.0.113.50';
const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const keyRecord = `v=DKIM1; k=rsa; p=${publicKey.export({ type: 'spki', format: 'der' }).toString('base64')}`;
const ZONE = [
  { name: 'evil.test', type: 'TXT', data: zoneTxt([`v=spf1 ip4:${EVIL_MTA} -all`]) },
  { name: '_dmarc.evil.test', type: 'TXT', data: zoneTxt(['v=DMARC1; p=none']) },
  { name: 'sel._domainkey.evil.test', type: 'TXT', data: zoneTxt([keyRecord]) },
  { name: 'bank.test', type: 'TXT', data: zoneTxt(['v=spf1 -all']) },
  { name: '_dmarc.bank.test', type: 'TXT', data: zoneTxt(['v=DMARC1; p=reject']) },
];

describe('the DMARC verdict is about the author a mail client shows', () => {
  let knot: RunningKnot;

  beforeAll(async () => {
    knot = await startKnot({ records: ZONE });
  });
  afterAll(async () => {
    await knot?.stop();
  });

  /** A message with FROMLINES, DKIM-signed by evil.test, sent from evil.test's SPF-authorised server. */
  async function scanSigned(fromLines: string): Promise<MessageVerdict> {
    const unsigned = Buffer.from(`${fromLines}\r\nTo: alice@example.test\r\nSubject: invoice\r\nMessage-ID: <spoof@evil.test>\r\n\r\nPlease pay.\r\n`);
    const key = { signingDomain: 'evil.test', selector: 'sel', privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() };
    // The signer reads signatureData; mailauth's types also ask for the key at the top level.
    const signed = await dkimSign(unsigned, { ...key, signatureData: [key] });
    expect(signed.errors).toEqual([]);
    const policy = parsePolicy({ domains: [{ name: 'example.test', downstream: { host: '127.0.0.1' } }], dns: { servers: [knot.server] } });
    return scanMessage({
      raw: Buffer.concat([Buffer.from(signed.signatures), unsigned]),
      envelope: { clientIp: EVIL_MTA, helo: 'mx.evil.test', mailFrom: 'bounce@evil.test', rcptTo: ['alice@example.test'] },
      policy,
      options: { dns: parseHostPort(knot.server) },
    });
  }

  const names = (verdict: MessageVerdict) => verdict.symbols.map((s) => s.name);

  it('passes DMARC for evil.test when its From plainly shows evil.test (the control)', async () => {
    const verdict = await scanSigned('From: Eve <eve@evil.test>');
    expect(names(verdict)).toEqual(expect.arrayContaining(['SPF_PASS', 'DKIM_PASS', 'DMARC_PASS']));
    expect(verdict.authenticationResults).toContain('dmarc=pass header.from=evil.test');
  });

  it.each([
    ['two From fields', 'From: eve@evil.test\r\nFrom: ceo@bank.test', 'FROM_MULTIPLE_FIELDS'],
    ['two addresses in one From', 'From: ceo@bank.test, eve@evil.test', 'FROM_MULTIPLE_ADDRESSES'],
    ['an encoded-word address', 'From: <=?utf-8?q?ceo=40bank.test?=@evil.test>', 'FROM_ENCODED_ADDRESS'],
    ['an encoded display name that is an address', 'From: =?utf-8?q?ceo=40bank.test_?= <eve@evil.test>', 'FROM_ENCODED_ADDRESS'],
    ['a folded address', 'From: Boss <eve@evil\r\n .test>', 'FROM_FOLDED_ADDRESS'],
    ['route syntax', 'From: <@bank.test:eve@evil.test>', 'FROM_ROUTE_SYNTAX'],
    ['two angle addresses', 'From: <ceo@bank.test> <eve@evil.test>', 'FROM_UNPARSABLE'],
  ])('gives no DMARC pass for %s, and names the ambiguity', async (_what, fromLines, finding) => {
    const verdict = await scanSigned(fromLines);
    // Everything evil.test controls authenticates: only the author is in doubt.
    expect(names(verdict)).toEqual(expect.arrayContaining(['SPF_PASS', 'DKIM_PASS', finding, 'DMARC_PERMFAIL']));
    expect(names(verdict)).not.toContain('DMARC_PASS');
    expect(verdict.authenticationResults).toContain('dmarc=permerror');
    // The default policy quarantines an ambiguous author (dmarcPermerror) and scores the finding.
    expect(verdict.action).not.toBe('deliver');
  });
});
