import { inspectMessage } from '@moat/content';
import { buildHwp, buildZip } from '@moat/content/testing';
import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { dlpFindings } from './dlp-findings.js';

// Valid resident registration numbers (date, gender digit and check digit hold); the last fails its checksum.
const RRNS = ['900101-1234568', '850615-2345674', '991231-2123452', '000229-4123457', '750505-1555558'];
const BAD_CHECKSUM = '900101-1234567';

function message(subject: string, body: string, attachments: Array<{ name: string; content: Buffer }>): Buffer {
  const parts = attachments.flatMap(({ name, content }) => ['--b', `Content-Type: application/octet-stream; name="${name}"`, 'Content-Transfer-Encoding: base64', '', content.toString('base64')]);
  return Buffer.from([`Subject: ${subject}`, 'Content-Type: multipart/mixed; boundary=b', '', '--b', 'Content-Type: text/plain; charset=utf-8', '', body, ...parts, '--b--', ''].join('\r\n'));
}

async function workbook(rows: string[][]): Promise<Buffer> {
  const book = new ExcelJS.Workbook();
  const sheet = book.addWorksheet('명단');
  for (const row of rows) sheet.addRow(row);
  return Buffer.from(await book.xlsx.writeBuffer());
}

describe('dlpFindings', () => {
  it('finds resident numbers in a zipped xlsx and in an hwp, masked, with where they were', async () => {
    const xlsx = await workbook([['이름', '주민등록번호'], ...RRNS.map((rrn, i) => [`직원${i}`, rrn]), ['오류', BAD_CHECKSUM]]);
    const hwp = buildHwp({ paragraphs: ['신청인 주민등록번호: 900101 1234568', '연락처 010-1234-5678'] });
    const raw = message('명단 송부', '첨부 확인 바랍니다. 카드 4111-1111-1111-1111', [
      { name: '명단.zip', content: buildZip([{ name: 'staff/명단.xlsx', data: xlsx }]) },
      { name: '신청서.hwp', content: hwp },
    ]);
    const report = await inspectMessage(raw);
    const result = dlpFindings({ files: report.files, subject: '명단 송부' });

    expect(result.findings).toEqual([
      { kind: 'rrn', count: 5, occurrences: 6, samples: ['900101-1******', '850615-2******', '991231-2******'], where: ['2/staff/명단.xlsx', '3'] },
      { kind: 'card', count: 1, occurrences: 1, samples: ['**** **** **** 1111'], where: ['1'] },
      { kind: 'phone', count: 1, occurrences: 1, samples: ['010-****-5678'], where: ['3'] },
    ]);
    expect(result.symbolDetail).toBe('rrn 5 (900101-1******, 850615-2******, 991231-2******); card 1 (**** **** **** 1111); phone 1 (010-****-5678)');
    expect(result.truncated).toBe(false);
    const everything = JSON.stringify(result).replace(/\D/g, '');
    for (const rrn of RRNS) expect(everything).not.toContain(rrn.replace('-', ''));
    expect(everything).not.toContain('4111111111111111');
  });

  it('counts a number once however often the message carries it', async () => {
    const raw = Buffer.from(
      ['Content-Type: multipart/alternative; boundary=a', '', '--a', 'Content-Type: text/plain', '', `주민 ${RRNS[0]}`, '--a', 'Content-Type: text/html', '', `<p>주민 ${RRNS[0]}</p>`, '--a--', ''].join('\r\n'),
    );
    const report = await inspectMessage(raw);
    expect(dlpFindings({ files: report.files }).findings).toEqual([{ kind: 'rrn', count: 1, occurrences: 2, samples: ['900101-1******'], where: ['1', '2'] }]);
  });

  it('finds the numbers failing the checksum only when strictness is off', async () => {
    const xlsx = await workbook([[BAD_CHECKSUM]]);
    const report = await inspectMessage(message('s', 'none here', [{ name: 'a.xlsx', content: xlsx }]));
    expect(dlpFindings({ files: report.files }).findings).toEqual([]);
    expect(dlpFindings({ files: report.files }, { strictChecksum: false }).findings).toMatchObject([{ kind: 'rrn', count: 1, samples: ['900101-1******'] }]);
  });

  it('reads the subject and says when a text limit cut the message short', async () => {
    const report = await inspectMessage(message('x', 'y'.repeat(100), []));
    const result = dlpFindings({ files: report.files, subject: '담당 hong@example.com' }, { textLimits: { maxChars: 10 } });
    expect(result.findings).toEqual([{ kind: 'email', count: 1, occurrences: 1, samples: ['h***@example.com'], where: ['subject'] }]);
    expect(result.truncated).toBe(true);
  });
});
