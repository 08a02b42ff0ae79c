import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import type { MailRow } from '../services/mail.service.js';
import { exportMail } from './table-export.js';

const row = (overrides: Partial<MailRow> = {}): MailRow => ({
  id: 'm1', receivedAtMs: Date.UTC(2026, 0, 31, 12), nodeId: 'n1', nodeName: 'mx-1', direction: 'inbound', mailFrom: 'a@b.test', rcptTo: ['c@d.test', 'e@d.test'],
  subject: 'Hello, "world"', clientIp: '192.0.2.1', action: 'quarantine', score: 12.5, deliveryStatus: 'quarantined', released: false, attachmentNames: ['x.pdf'], ...overrides,
});

describe('exportMail', () => {
  it('writes CSV with the F14 columns, quoting and a UTF-8 byte order mark', async () => {
    const text = (await exportMail([row(), row({ id: 'm2', subject: '=HYPERLINK("http://evil.test")', mailFrom: '@x', released: true })], 'csv')).toString('utf8');
    const lines = text.split('\r\n');
    expect(lines[0]).toBe('\ufeffdate,node,attachment,result,score,sender,recipient,subject,sender IP,delivery result,restored,id');
    expect(lines[1]).toBe('2026-01-31T12:00:00.000Z,mx-1,x.pdf,quarantine,12.5,a@b.test,"c@d.test, e@d.test","Hello, ""world""",192.0.2.1,quarantined,false,m1');
    expect(lines[2]).toContain(`'@x`);
    expect(lines[2]).toContain(`"'=HYPERLINK(""http://evil.test"")"`);
    expect(lines[2]).toMatch(/,true,m2$/);
  });

  it('writes an XLSX workbook a spreadsheet reader opens, with text cells that are not formulas', async () => {
    const bytes = await exportMail([row({ subject: '=1+1' })], 'xlsx');
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(new Uint8Array(bytes).buffer);
    const sheet = workbook.getWorksheet('mail');
    expect(sheet?.getRow(1).getCell(1).value).toBe('date');
    expect(sheet?.getRow(2).getCell(8).value).toBe('=1+1');
    expect(sheet?.getRow(2).getCell(5).value).toBe(12.5);
    expect(sheet?.rowCount).toBe(2);
  });
});
