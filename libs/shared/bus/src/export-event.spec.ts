import { describe, expect, it } from 'vitest';
import { escapeCefHeader, escapeCefValue, exportSeverity, formatCef, formatLeef, type ExportedEvent } from './export-event.js';

const finding: ExportedEvent = {
  seq: 42,
  id: 'finding:m1:0',
  kind: 'finding',
  atMs: 1_700_000_000_000,
  messageId: 'm1',
  nodeId: 'node-1',
  direction: 'inbound',
  mailFrom: 'a@remote.test',
  rcptTo: ['b@example.test', 'c@example.test'],
  clientIp: '192.0.2.7',
  subject: 'Invoice',
  action: 'quarantine',
  score: 9.5,
  symbol: 'AV_EICAR',
  symbolScore: 8,
  stage: 'data',
  detail: 'Eicar-Signature',
};

describe('CEF', () => {
  it('renders a finding with its header and extension', () => {
    expect(formatCef(finding, '1.2.3')).toBe(
      'CEF:0|Moat|Moat|1.2.3|finding:AV_EICAR|finding AV_EICAR|8|rt=1700000000000 externalId=finding:m1:0 cn1Label=seq cn1=42 cs1Label=kind cs1=finding ' +
        'cs2Label=messageId cs2=m1 dvchost=node-1 src=192.0.2.7 suser=a@remote.test duser=b@example.test,c@example.test msg=Invoice act=quarantine ' +
        'cfp1Label=score cfp1=9.5 cs3Label=detail cs3=Eicar-Signature cs4Label=stage cs4=data cfp2Label=symbolScore cfp2=8',
    );
  });

  it('keeps a hostile subject and symbol inside their fields and on one line', () => {
    const hostile = { ...finding, subject: 'x=1 | y\\\r\nCEF:0|forged|\u0000end', symbol: 'A|B\nC' };
    const line = formatCef(hostile, '1');
    expect(line).not.toMatch(/[\r\n]/);
    expect(line.includes(String.fromCharCode(0))).toBe(false);
    expect(line).toContain('msg=x\\=1 | y\\\\\\r\\nCEF:0|forged| end');
    // The header keeps its seven fields; pipes in extension values need no escape (the key=value pairs end it).
    expect(line.startsWith('CEF:0|Moat|Moat|1|finding:A\\|B C|finding A\\|B C|8|rt=')).toBe(true);
  });

  it('escapes header and extension characters as the CEF rules say', () => {
    expect(escapeCefHeader('a\\b|c\nd')).toBe('a\\\\b\\|c d');
    expect(escapeCefValue('k=v\\w\rx\ny\tz|')).toBe('k\\=v\\\\w\\rx\\ny z|');
  });

  it('grades severities by kind', () => {
    expect(exportSeverity({ seq: 1, id: 'message:m', kind: 'message', atMs: 0, action: 'reject' })).toBe(8);
    expect(exportSeverity({ seq: 1, id: 'f', kind: 'finding', atMs: 0, symbolScore: 40 })).toBe(10);
    expect(exportSeverity({ seq: 1, id: 'n', kind: 'node', atMs: 0, state: 'down' })).toBe(7);
    expect(exportSeverity({ seq: 1, id: 'a', kind: 'audit', atMs: 0, ok: false })).toBe(6);
    expect(exportSeverity({ seq: 1, id: 'x', kind: 'other', atMs: 0 })).toBe(3);
  });
});

describe('LEEF', () => {
  it('renders the header and one attribute per field', () => {
    const line = formatLeef(finding, '1.2.3');
    expect(line.startsWith('LEEF:2.0|Moat|Moat|1.2.3|finding:AV_EICAR|^|devTime=1700000000000^cat=finding^sev=8^src=192.0.2.7^seq=42^id=finding:m1:0^')).toBe(true);
    expect(line.split('^')).toContain('rcptTo=b@example.test,c@example.test');
    expect(line.split('^')).toContain('detail=Eicar-Signature');
  });

  it('keeps a hostile subject on one line and inside its attribute', () => {
    const line = formatLeef({ ...finding, subject: 'a^sev=1\r\nLEEF:2.0|x\t', symbol: 'A|B' }, '1');
    expect(line).not.toMatch(/[\r\n\t]/);
    expect(line).toContain('|finding:A\\|B|^|');
    expect(line.split('^')).toContain('subject=a sev=1  LEEF:2.0|x ');
    expect(line.split('^').filter((a) => a.startsWith('sev='))).toEqual(['sev=8']);
  });
});
