import { buildOoxml, type OoxmlFormat } from '@moat/content/testing';
import { Action } from '@moat/proto/grpc';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendMail } from '../harness/smtp-client.js';
import { waitFor } from '../harness/wait.js';
import { startNodeRig, stopNodeRig, testPolicy, type Downstream, type Nats, type ScanNode } from './support/scan-node.js';

/** A message with one attachment named NAME, sent with content type TYPE. */
function withAttachment(subject: string, name: string, type: string, content: Buffer): string {
  return [
    'From: sender@remote.test',
    'To: alice@example.test',
    `Subject: ${subject}`,
    'MIME-Version: 1.0',
    'Content-Type: multipart/mixed; boundary="b1"',
    '',
    '--b1',
    'Content-Type: text/plain',
    '',
    'The report, as promised.',
    '--b1',
    `Content-Type: ${type}; name="${name}"`,
    'Content-Transfer-Encoding: base64',
    `Content-Disposition: attachment; filename="${name}"`,
    '',
    content.toString('base64').replace(/.{76}/g, '$&\r\n'),
    '--b1--',
    '',
  ].join('\r\n');
}

const OOXML = 'application/vnd.openxmlformats-officedocument';
const CASES: Array<{ format: OoxmlFormat; name: string; type: string }> = [
  // Issue 15 finding 2: a .docm's content named report.docx, sent as the docx content type.
  { format: 'docm', name: 'report.docx', type: `${OOXML}.wordprocessingml.document` },
  { format: 'xlsm', name: 'figures.xlsx', type: `${OOXML}.spreadsheetml.sheet` },
  { format: 'pptm', name: 'slides.pptx', type: `${OOXML}.presentationml.presentation` },
  { format: 'dotm', name: 'letter.dotx', type: `${OOXML}.wordprocessingml.template` },
  { format: 'xltm', name: 'budget.xlsx', type: 'application/octet-stream' },
  { format: 'potm', name: 'deck.potx', type: `${OOXML}.presentationml.template` },
];

// Issue 15 finding 2: macro content under a macro-free extension or content type is quarantined by default
// (attachments.activeContent.disguisedMacro), on a real node with a real downstream that must not get it.
describe('macro-enabled documents disguised as macro-free ones', () => {
  let nats: Nats;
  let downstream: Downstream;
  let node: ScanNode;

  beforeAll(async () => {
    ({ nats, downstream, node } = await startNodeRig('macro-node', (port) => testPolicy(port)));
  });
  afterAll(() => stopNodeRig({ nats, downstream, node }));

  it.each(CASES)('quarantines $format content sent as $name ($type)', async ({ format, name, type }) => {
    const subject = `disguised ${format} as ${name}`;
    const sent = await sendMail(node.smtpPort, { from: 'sender@remote.test', to: 'alice@example.test', subject, raw: withAttachment(subject, name, type, buildOoxml(format, { vba: true })) });
    expect(sent.accepted).toBe(true);
    const event = await waitFor(`the event of ${subject}`, async () => (await nats.messageEvents('macro-node')).find((e) => e.headers?.subject === subject));
    expect(event.action).toBe(Action.ACTION_QUARANTINE);
    const disguise = event.symbols.find((s) => s.name === 'OFFICE_MACRO_DISGUISED');
    expect(disguise?.detail).toContain(`${format} content`);
    expect(event.symbols.map((s) => s.name)).toContain('OFFICE_VBA');
  });

  it('delivers the same macro document under its own name, tagged only by its macro score', async () => {
    const subject = 'honest docm';
    const sent = await sendMail(node.smtpPort, { from: 'sender@remote.test', to: 'alice@example.test', subject, raw: withAttachment(subject, 'report.docm', 'application/vnd.ms-word.document.macroEnabled.12', buildOoxml('docm', { vba: true })) });
    expect(sent.accepted).toBe(true);
    const event = await waitFor('the honest event', async () => (await nats.messageEvents('macro-node')).find((e) => e.headers?.subject === subject));
    expect(event.symbols.map((s) => s.name)).not.toContain('OFFICE_MACRO_DISGUISED');
    await waitFor('the honest delivery', async () => (downstream.withSubject(subject).length ? true : undefined));
    for (const { format, name } of CASES) expect(downstream.withSubject(`disguised ${format} as ${name}`)).toEqual([]);
  });
});
