import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import QRCode from 'qrcode';
import { describe, expect, it } from 'vitest';
import { ruleSymbols } from '../testing/rule-scan.js';
import { linkCategories } from './link-categories.js';
import { qrCodeLinks } from './qr-code-links.js';

const attach = (name: string, type: string, content: Buffer) =>
  ['From: a@sender.test', 'Subject: s', 'Content-Type: multipart/mixed; boundary="b"', '', '--b', 'Content-Type: text/plain', '', 'Scan the code to keep your mailbox.', '--b', `Content-Type: ${type}; name="${name}"`, `Content-Disposition: attachment; filename="${name}"`, 'Content-Transfer-Encoding: base64', '', content.toString('base64'), '--b--', ''].join('\r\n');

const pdf = (text: string) => {
  const stream = `BT /F1 12 Tf 72 720 Td (${text}) Tj ET`;
  return Buffer.from(`%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj\n3 0 obj << /Type /Page /Parent 2 0 R /Contents 4 0 R /Annots [<< /Subtype /Link /A << /S /URI /URI (https://evil.test/x) >> >>] >> endobj\n4 0 obj << /Length ${stream.length} >>\nstream\n${stream}\nendstream endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n`);
};

describe('qr_code_links rule', () => {
  it("decodes a QR code in an image and hands its URL to the link rules", async () => {
    const png = await QRCode.toBuffer('https://bit.ly/3keep-mailbox', { type: 'png', width: 300 });
    const raw = attach('scan.png', 'image/png', png);
    expect(await ruleSymbols(qrCodeLinks, raw)).toEqual([['QR_CODE_LINK', 'QR code in "scan.png" leads to https://bit.ly/3keep-mailbox']]);
    expect(await ruleSymbols(linkCategories, raw)).toEqual([['URL_SHORTENER', 'bit.ly']]);
  });

  it('reads a QR code drawn as a JPEG image inside a PDF', async () => {
    const qr = PNG.sync.read(await QRCode.toBuffer('https://login-check.web.app/m', { type: 'png', width: 300 }));
    const image = jpeg.encode({ width: qr.width, height: qr.height, data: qr.data }, 90).data;
    const head = Buffer.from(`%PDF-1.4\n5 0 obj << /Type /XObject /Subtype /Image /Width ${qr.width} /Height ${qr.height} /ColorSpace /DeviceRGB /BitsPerComponent 8 /Filter /DCTDecode /Length ${image.length} >>\nstream\n`);
    const raw = attach('scan-me.pdf', 'application/pdf', Buffer.concat([head, image, Buffer.from('\nendstream endobj\ntrailer << >>\n%%EOF\n')]));
    expect(await ruleSymbols(qrCodeLinks, raw)).toContainEqual(['QR_CODE_LINK', 'QR code in "scan-me.pdf" leads to https://login-check.web.app/m']);
  });

  it('flags a PDF that is a few words and a link, and leaves a plain image alone', async () => {
    expect(await ruleSymbols(qrCodeLinks, attach('invoice.pdf', 'application/pdf', pdf('View your invoice online')))).toEqual([['ATTACHMENT_ONLY_LINK', '"invoice.pdf": 4 words and a /URI action']]);
    const blank = await QRCode.toBuffer('just some text', { type: 'png', width: 200 });
    expect(await ruleSymbols(qrCodeLinks, attach('code.png', 'image/png', blank))).toEqual([]);
  });

  it('spends bounded time on large noisy images', async () => {
    const noise = new PNG({ width: 1400, height: 1400 });
    for (let i = 0; i < noise.data.length; i++) noise.data[i] = i % 4 === 3 ? 255 : (i * 2654435761) % 7 > 3 ? 255 : 0;
    const png = PNG.sync.write(noise);
    const raw = ['From: a@sender.test', 'Subject: s', 'Content-Type: multipart/mixed; boundary="b"', '', ...[1, 2, 3, 4].flatMap((n) => ['--b', `Content-Type: image/png; name="n${n}.png"`, 'Content-Transfer-Encoding: base64', '', png.toString('base64')]), '--b--', ''].join('\r\n');
    const started = Date.now();
    expect(await ruleSymbols(qrCodeLinks, raw)).toEqual([]);
    expect(Date.now() - started).toBeLessThan(8000);
  }, 20_000);
});
