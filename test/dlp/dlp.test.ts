import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { buildHwp, buildZip } from '@moat/content/testing';
import ExcelJS from 'exceljs';
import nodemailer from 'nodemailer';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCluster, type TestCluster } from '../harness/cluster.js';
import { defined } from '../harness/defined.js';
import { freePorts } from '../harness/free-ports.js';
import { waitFor } from '../harness/wait.js';
import { startRemoteServer } from '../outbound/support.js';

const ALICE = 'alice@example.test';
const ALICE_PASSWORD = 'harbour-violet-93-kite';
// Valid resident registration numbers (date, gender digit and check digit hold), and the same with a wrong check digit.
const RRNS = ['900101-1234568', '850615-2345674', '991231-2123452', '000229-4123457', '750505-1555558'];
const BAD_CHECKSUMS = ['900101-1234567', '850615-2345670', '991231-2123450', '000229-4123450', '750505-1555550'];
/** Each number written without its dash too: neither form may appear anywhere Moat records. */
const FORMS = RRNS.flatMap((rrn) => [rrn, rrn.replace('-', '')]);

const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'];
const UI_WAIT = { timeout: 20_000 };

type MailDetail = { action: string; direction: string; symbols: { name: string; score: number; detail: string }[] };

async function workbook(rows: string[][]): Promise<Buffer> {
  const book = new ExcelJS.Workbook();
  const sheet = book.addWorksheet('명단');
  for (const row of rows) sheet.addRow(row);
  return Buffer.from(await book.xlsx.writeBuffer());
}

// Issue 13 (F20): the dlp check on real nodes. alice submits with AUTH; the demo policy holds outbound mail with 5
// or more resident numbers (here also: a card number is refused, a phone number logged); findings stay masked.
describe('data loss prevention on outbound mail', () => {
  const run = Date.now().toString(36);
  let cluster: TestCluster;
  let remote: Awaited<ReturnType<typeof startRemoteServer>>;
  let transport: nodemailer.Transporter;
  let browser: Browser | undefined;

  beforeAll(async () => {
    const [remotePort] = await freePorts(1);
    remote = await startRemoteServer(defined(remotePort, 'a port for the remote server'));
    cluster = await startCluster({
      nodes: 1,
      policy: (demo) => ({
        ...demo,
        outbound: { ...demo.outbound, delivery: { smarthosts: [{ senderDomain: '*', host: '127.0.0.1', port: defined(remotePort, 'remote port'), tls: 'none' }] } },
        // The demo's rule (rrn: 5 or more, hold) plus a block and a log rule.
        dlp: { ...demo.dlp, rules: { ...demo.dlp?.rules, card: { threshold: 1, action: 'block' }, phone: { threshold: 1, action: 'log' } } },
      }),
    });
    const set = await cluster.moat(['accounts', 'passwd', ALICE, '--password-stdin'], 60_000, `${ALICE_PASSWORD}\n`);
    expect(set.code, set.stderr).toBe(0);
    const version = (await cluster.status()).policyVersion;
    await waitFor('the node on the policy with the password', async () => ((await cluster.status()).nodes.some((n) => n.up && n.policyVersion === version) ? true : undefined));
    transport = nodemailer.createTransport({ host: '127.0.0.1', port: defined(cluster.ports.submissions[0], 'implicit-TLS port'), secure: true, auth: { user: ALICE, pass: ALICE_PASSWORD }, tls: { rejectUnauthorized: false } });
  });

  afterAll(async () => {
    await browser?.close();
    transport?.close();
    await cluster?.stop();
    await remote?.close();
  });

  const submit = (name: string, text: string, attachments: { filename: string; content: Buffer }[] = []) =>
    transport.sendMail({ from: ALICE, to: 'carol@remote.test', subject: `dlp ${run} ${name}`, text, attachments });
  const detailOf = async (name: string): Promise<MailDetail> => {
    const row = await waitFor(`the event of "${name}"`, async () => (await cluster.searchMail(['--subject', `dlp ${run} ${name}`]))[0]);
    return (await cluster.csmGet(`/api/mail/${row.id}`)) as MailDetail;
  };
  const dlpSymbols = (detail: MailDetail) => detail.symbols.filter((s) => s.name.startsWith('DLP_')).map((s) => [s.name, s.detail]);
  const delivered = (name: string) => waitFor(`"${name}" at the remote server`, async () => remote.received.find((m) => m.raw.includes(`Subject: dlp ${run} ${name}`)));

  it('holds a message with five valid resident numbers, written with dashes, spaces or neither; masked in the event', async () => {
    const text = `명단입니다.\n${RRNS[0]}\n${RRNS[1]?.replace('-', ' ')}\n${RRNS[2]?.replace('-', '')}\n${RRNS[3]}\n${RRNS[4]}\n`;
    expect((await submit('body', text)).response).toMatch(/^250 /);
    const detail = await detailOf('body');
    expect(detail).toMatchObject({ action: 'hold', direction: 'outbound' });
    expect(dlpSymbols(detail)).toEqual([['DLP_RRN', '5 distinct (900101-1******, 850615-2******, 991231-2******) in 1; threshold 5 reached: hold']]);
    const everything = JSON.stringify([detail, await cluster.searchMail(['--subject', `dlp ${run}`])]);
    for (const form of FORMS) expect(everything).not.toContain(form);
    expect(remote.received.some((m) => m.raw.includes(`dlp ${run} body`))).toBe(false);
  });

  it('holds five numbers in an xlsx inside a zip, and in an hwp', async () => {
    const xlsx = await workbook([['이름', '주민등록번호'], ...RRNS.map((rrn, i) => [`직원${i}`, rrn])]);
    expect((await submit('zipped xlsx', '첨부 확인 바랍니다.', [{ filename: '명단.zip', content: buildZip([{ name: 'staff/명단.xlsx', data: xlsx }]) }])).response).toMatch(/^250 /);
    const hwp = buildHwp({ paragraphs: RRNS.map((rrn, i) => `신청인 ${i} 주민등록번호: ${rrn.replace('-', ' ')}`) });
    expect((await submit('hwp', '신청서 송부', [{ filename: '신청서.hwp', content: hwp }])).response).toMatch(/^250 /);
    const zipped = await detailOf('zipped xlsx');
    expect(zipped.action).toBe('hold');
    expect(dlpSymbols(zipped)).toEqual([['DLP_RRN', expect.stringMatching(/^5 distinct \(900101-1\*{6}, .*\) in 2\/staff\/명단\.xlsx; threshold 5 reached: hold$/)]]);
    const hwpDetail = await detailOf('hwp');
    expect(hwpDetail.action).toBe('hold');
    expect(dlpSymbols(hwpDetail)).toEqual([['DLP_RRN', expect.stringMatching(/^5 distinct .* in 2; threshold 5 reached: hold$/)]]);
  });

  it('delivers numbers failing their checksum, and four valid ones with a logged finding', async () => {
    expect((await submit('bad checksums', BAD_CHECKSUMS.join('\n'))).response).toMatch(/^250 /);
    expect((await submit('four', `${RRNS.slice(0, 4).join('\n')}\n연락처 010-1234-5678\n`)).response).toMatch(/^250 /);
    await delivered('bad checksums');
    await delivered('four');
    const bad = await detailOf('bad checksums');
    expect(bad.action).toBe('deliver');
    expect(dlpSymbols(bad)).toEqual([]);
    const four = await detailOf('four');
    expect(four.action).toBe('deliver');
    expect(dlpSymbols(four)).toEqual([
      ['DLP_RRN', '4 distinct (900101-1******, 850615-2******, 991231-2******) in 1'],
      ['DLP_PHONE', '1 distinct (010-****-5678) in 1; threshold 1 reached: log'],
    ]);
  });

  it('refuses a card number with 554 and a clear reply', async () => {
    const refused = await submit('card', '카드번호 4111-1111-1111-1111').then(
      () => undefined,
      (err: unknown) => err as { responseCode?: number; response?: string },
    );
    expect(refused?.responseCode).toBe(554);
    expect(refused?.response).toContain('personal data');
    const detail = await detailOf('card');
    expect(detail.action).toBe('reject');
    expect(dlpSymbols(detail)).toEqual([['DLP_CARD', '1 distinct (**** **** **** 1111) in 1; threshold 1 reached: block']]);
  });

  it('leaves inbound mail alone (the policy names outbound only)', async () => {
    const subject = `dlp ${run} inbound`;
    const sent = await cluster.sendMail(0, { from: 'someone@remote.test', to: 'bob@example.test', subject, raw: `From: someone@remote.test\r\nTo: bob@example.test\r\nSubject: ${subject}\r\n\r\n${RRNS.join('\r\n')}\r\n` });
    expect(sent.accepted).toBe(true);
    const detail = await detailOf('inbound');
    expect(detail).toMatchObject({ action: 'deliver', direction: 'inbound' });
    expect(dlpSymbols(detail)).toEqual([]);
  });

  it('approval (F7): listed by moat approvals, approved -> delivered to the smarthost, rejected -> the sender gets a notice; audited', async () => {
    const held = RRNS.join('\n');
    expect((await submit('to approve', held)).response).toMatch(/^250 /);
    expect((await submit('to reject', held)).response).toMatch(/^250 /);
    const approveId = (await waitFor('the held message to approve', async () => (await cluster.searchMail(['--subject', `dlp ${run} to approve`]))[0])).id;
    const rejectId = (await waitFor('the held message to reject', async () => (await cluster.searchMail(['--subject', `dlp ${run} to reject`]))[0])).id;
    const listed = await cluster.moat(['approvals', 'list', '--json']);
    expect(listed.code, listed.stderr).toBe(0);
    const pending = (JSON.parse(listed.stdout) as { messages: { id: string; mailFrom: string; direction: string }[] }).messages;
    expect(pending.map((m) => m.id)).toEqual(expect.arrayContaining([approveId, rejectId]));
    expect(pending.every((m) => m.direction === 'outbound')).toBe(true);

    // The sender is told of the hold at once.
    const [heldNotice] = await cluster.waitForMailbox(1, (m) => m.subject === 'Message held for approval' && m.raw.includes(`Subject: dlp ${run} to approve`));
    expect(heldNotice?.deliveredTo).toEqual([ALICE]);
    expect(heldNotice?.raw).toContain('Action: delayed');

    const approved = await cluster.moat(['approvals', 'approve', approveId]);
    expect(approved.code, approved.stderr).toBe(0);
    expect(approved.stdout).toContain(`approved ${approveId}`);
    const got = await delivered('to approve');
    expect(got.to).toEqual(['carol@remote.test']);

    const rejected = await cluster.moat(['approvals', 'reject', rejectId, '--reason', 'customer data may not leave']);
    expect(rejected.code, rejected.stderr).toBe(0);
    const [notice] = await cluster.waitForMailbox(1, (m) => m.subject === 'Undelivered Mail Returned to Sender' && m.raw.includes(`X-Moat-Queue-ID: ${rejectId}`));
    expect(notice?.deliveredTo).toEqual([ALICE]);
    expect(notice?.raw).toContain('550 5.7.1 rejected by an approver: customer data may not leave');
    expect(notice?.raw).toContain(`Subject: dlp ${run} to reject`);
    expect(remote.received.some((m) => m.raw.includes(`dlp ${run} to reject`))).toBe(false);

    // Decided once: both are gone from the list, a second decision is refused (409), and every decision is audited.
    const after = (JSON.parse((await cluster.moat(['approvals', 'list', '--json'])).stdout) as { messages: { id: string }[] }).messages.map((m) => m.id);
    expect(after).not.toContain(approveId);
    expect(after).not.toContain(rejectId);
    const again = await cluster.csmFetch(`/api/approvals/${rejectId}/approve`, { method: 'POST', headers: { authorization: `Bearer ${await cluster.token()}` } });
    expect(again.status).toBe(409);
    const notHeld = await cluster.moat(['approvals', 'reject', (await detailOf('four') as MailDetail & { id: string }).id]);
    expect(notHeld.code).not.toBe(0);
    expect(notHeld.stderr).toContain('not outbound mail held for approval');
    const audit = JSON.stringify(await cluster.csmGet('/api/audit?limit=1000'));
    expect(audit).toContain('approvals.approve');
    expect(audit).toContain('customer data may not leave');
  });

  it('the console Approvals page in Chromium lists a held message with why it was held, and its Approve button delivers it', async () => {
    expect((await submit('console', RRNS.join('\n'))).response).toMatch(/^250 /);
    const id = (await waitFor('the held message for the console', async () => (await cluster.searchMail(['--subject', `dlp ${run} console`]))[0])).id;
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
    const page = await browser.newPage({ ignoreHTTPSErrors: true });
    await page.goto(`${cluster.csmUrl}/approvals`);
    await page.waitForURL('**/login?**');
    await page.getByLabel('Username').fill('admin');
    await page.getByLabel('Password').fill(cluster.adminPassword);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL('**/approvals');
    const row = page.locator(`tr[data-id="${id}"]`);
    await expect.poll(() => row.locator('[data-testid="approval-subject"]').textContent(), UI_WAIT).toBe(`dlp ${run} console`);
    expect(await row.locator('[data-testid="approval-reasons"]').textContent()).toContain('DLP_RRN 5 distinct (900101-1******');
    await row.locator('[data-testid="approval-approve"]').click();
    await expect.poll(() => page.locator('[data-testid="approvals-result"]').textContent(), UI_WAIT).toContain(`${id} approved`);
    expect((await delivered('console')).to).toEqual(['carol@remote.test']);
  });

  it("expires held mail past the policy's approvalExpiryHours: the sender is told, the message is gone", async () => {
    const got = await cluster.moat(['policy', 'get']);
    const policy = JSON.parse(got.stdout) as { dlp: Record<string, unknown> };
    policy.dlp['approvalExpiryHours'] = 0.001;
    const file = join(cluster.varDir, 'policy-expiry.json');
    await writeFile(file, JSON.stringify(policy));
    const set = await cluster.moat(['policy', 'set', file]);
    expect(set.code, set.stderr).toBe(0);
    expect((await submit('to expire', RRNS.join('\n'))).response).toMatch(/^250 /);
    const id = (await waitFor('the held message to expire', async () => (await cluster.searchMail(['--subject', `dlp ${run} to expire`]))[0])).id;
    const [notice] = await cluster.waitForMailbox(1, (m) => m.subject === 'Undelivered Mail Returned to Sender' && m.raw.includes(`X-Moat-Queue-ID: ${id}`));
    expect(notice?.raw).toContain('rejected by an approver: not approved within 0.001 hours');
    const audit = JSON.stringify(await cluster.csmGet('/api/audit?limit=1000'));
    expect(audit).toContain('system:approval-expiry');
  });

  it('never writes a whole number to the node log', async () => {
    const log = await readFile(cluster.node(0).spec.logFile, 'utf8');
    expect(log).toContain('ready');
    for (const form of FORMS) expect(log).not.toContain(form);
  });
});
