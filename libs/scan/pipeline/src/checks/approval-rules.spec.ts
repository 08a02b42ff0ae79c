import { buildZip } from '@moat/content/testing';
import { parsePolicy } from '@moat/policy';
import { describe, expect, it } from 'vitest';
import { compilePolicy } from '../compile-policy.js';
import { Pipeline } from '../pipeline.js';
import type { Direction } from '../types.js';
import { approvalRules } from './approval-rules.js';

const RULES = [
  { name: 'zip outside', attachmentTypes: ['zip'], recipientsOutside: ['example.test'] },
  { name: 'big', sizeOver: 2000 },
  { name: 'secret to partner', keywords: ['Confidential', '대외비'], recipientsInside: ['partner.test'] },
  { name: 'numbers', dlpKinds: ['rrn'] },
];

interface Mail {
  to?: string[];
  subject?: string;
  text?: string;
  attachment?: { name: string; type: string; data: Buffer };
  direction?: Direction;
}

async function scan(mail: Mail, rules: object[] = RULES) {
  const boundary = 'b0undary';
  const parts = [`--${boundary}\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n${mail.text ?? 'hello'}\r\n`];
  if (mail.attachment) {
    parts.push(`--${boundary}\r\nContent-Type: ${mail.attachment.type}\r\nContent-Disposition: attachment; filename="${mail.attachment.name}"\r\nContent-Transfer-Encoding: base64\r\n\r\n${mail.attachment.data.toString('base64')}\r\n`);
  }
  const raw = Buffer.from(`From: a@example.test\r\nSubject: ${mail.subject ?? 'report'}\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="${boundary}"\r\n\r\n${parts.join('')}--${boundary}--\r\n`);
  const policy = compilePolicy(parsePolicy({ outbound: { approvals: rules } }), 0);
  const session = new Pipeline([approvalRules]).session(policy, { clientIp: '', direction: mail.direction ?? 'outbound' });
  for (const to of mail.to ?? ['carol@remote.test']) await session.rcptTo(to);
  const verdict = await session.data(raw);
  return { action: verdict.action, symbols: verdict.symbols.map((s) => [s.name, s.detail]) };
}

const zip = { name: 'report.zip', type: 'application/zip', data: buildZip([{ name: 'a.txt', data: Buffer.from('hello') }]) };

describe('approval rules check', () => {
  it('holds a zip to an outside domain, naming the rule and what matched', async () => {
    expect(await scan({ to: ['bob@example.test', 'carol@remote.test'], attachment: zip })).toEqual({
      action: 'hold',
      symbols: [['APPROVAL_RULE', 'zip outside: attachment zip; recipient outside remote.test']],
    });
  });

  it('needs every condition of a rule: a zip to inside recipients only, or no zip outside, is delivered', async () => {
    expect(await scan({ to: ['bob@example.test', 'eve@sub.example.test'], attachment: zip })).toEqual({ action: 'deliver', symbols: [] });
    expect(await scan({ to: ['carol@remote.test'] })).toEqual({ action: 'deliver', symbols: [] });
  });

  it('finds a zip by its detected type under another name, and an xlsx inside a zip by its name', async () => {
    expect((await scan({ attachment: { ...zip, name: 'notes.dat', type: 'application/octet-stream' } })).action).toBe('hold');
    const nested = { ...zip, data: buildZip([{ name: 'staff/list.xlsx', data: Buffer.from('not really a workbook') }]) };
    expect((await scan({ attachment: nested, to: ['bob@example.test'] }, [{ name: 'sheets', attachmentTypes: ['xlsx'] }])).symbols).toEqual([['APPROVAL_RULE', 'sheets: attachment xlsx']]);
  });

  it('matches size, plain keywords case-insensitively with recipients inside, and DLP kinds; one symbol per rule', async () => {
    expect((await scan({ text: 'x'.repeat(3000), to: ['bob@example.test'] })).symbols).toEqual([['APPROVAL_RULE', expect.stringMatching(/^big: size \d+ > 2000$/)]]);
    const secret = await scan({ subject: 'CONFIDENTIAL plan', text: '대외비 자료', to: ['p@mail.partner.test'] });
    expect(secret).toEqual({ action: 'hold', symbols: [['APPROVAL_RULE', 'secret to partner: recipient inside mail.partner.test; keyword confidential, 대외비']] });
    expect((await scan({ subject: 'confidential', to: ['carol@remote.test', 'bob@example.test'] })).symbols).toEqual([]);
    const both = await scan({ text: `${'900101-1234568 '.repeat(200)}`, to: ['bob@example.test'] });
    expect(both.symbols.map(([, detail]) => detail?.split(':')[0])).toEqual(['big', 'numbers']);
    expect(JSON.stringify(both)).not.toContain('1234568');
  });

  it('leaves inbound mail and a policy without rules alone; keyword text is not a pattern', async () => {
    expect(await scan({ attachment: zip, direction: 'inbound' })).toEqual({ action: 'deliver', symbols: [] });
    expect(await scan({ attachment: zip }, [])).toEqual({ action: 'deliver', symbols: [] });
    expect((await scan({ text: 'aaaa' }, [{ name: 'dots', keywords: ['a.*'] }])).action).toBe('deliver');
    expect((await scan({ text: 'see a.* here' }, [{ name: 'dots', keywords: ['a.*'] }])).action).toBe('hold');
  });
});
