import ExcelJS from 'exceljs';
import type { MailRow } from '../services/mail.service.js';

export const EXPORT_FORMATS = ['csv', 'xlsx'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export const EXPORT_CONTENT_TYPES: Record<ExportFormat, string> = {
  csv: 'text/csv; charset=utf-8',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
};

/** The columns of a mail tracking export (F14), in order, with each row's value. */
type Cell = string | number | boolean;

const COLUMNS: { header: string; width: number; value: (m: MailRow) => Cell }[] = [
  { header: 'date', width: 24, value: (m) => new Date(m.receivedAtMs).toISOString() },
  { header: 'node', width: 14, value: (m) => m.nodeName },
  { header: 'attachment', width: 24, value: (m) => m.attachmentNames.join(', ') },
  { header: 'result', width: 12, value: (m) => m.action },
  { header: 'score', width: 8, value: (m) => m.score },
  { header: 'sender', width: 30, value: (m) => m.mailFrom },
  { header: 'recipient', width: 30, value: (m) => m.rcptTo.join(', ') },
  { header: 'subject', width: 40, value: (m) => m.subject },
  { header: 'sender IP', width: 16, value: (m) => m.clientIp },
  { header: 'delivery result', width: 14, value: (m) => m.deliveryStatus },
  { header: 'restored', width: 9, value: (m) => m.released },
  { header: 'id', width: 30, value: (m) => m.id },
];

/** The rows as a CSV (RFC 4180, UTF-8 with a byte order mark so spreadsheet programs read it as UTF-8) or XLSX file. */
export function exportMail(rows: MailRow[], format: ExportFormat): Promise<Buffer> {
  return exportTable('mail', COLUMNS, rows.map((m) => COLUMNS.map((c) => c.value(m))), format);
}

/** A table with a header row as a CSV or XLSX file (one sheet named SHEET). */
export async function exportTable(sheet: string, columns: { header: string; width: number }[], rows: Cell[][], format: ExportFormat): Promise<Buffer> {
  if (format === 'csv') {
    const lines = [columns.map((c) => csvCell(c.header)), ...rows.map((row) => row.map(csvCell))];
    return Buffer.from(`\ufeff${lines.map((cells) => cells.join(',')).join('\r\n')}\r\n`, 'utf8');
  }
  const workbook = new ExcelJS.Workbook();
  const worksheet = workbook.addWorksheet(sheet);
  worksheet.columns = columns.map((c) => ({ header: c.header, key: c.header, width: c.width }));
  // Cells are written as values, never formulas: a subject "=HYPERLINK(...)" stays text in XLSX.
  for (const row of rows) worksheet.addRow(row);
  worksheet.getRow(1).font = { bold: true };
  return Buffer.from(await workbook.xlsx.writeBuffer());
}

export function isExportFormat(value: string): value is ExportFormat {
  return (EXPORT_FORMATS as readonly string[]).includes(value);
}

/**
 * One CSV field. Text a spreadsheet would run as a formula (starting with = + - @, tab or CR: senders and
 * subjects are written by strangers) gets a leading apostrophe, the usual defence against CSV injection.
 */
function csvCell(value: Cell): string {
  if (typeof value !== 'string') return String(value);
  const text = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}
