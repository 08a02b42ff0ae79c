import { analyse } from 'scslre';
import { describe, expect, it } from 'vitest';
import { luhnValid } from './detectors/card.js';
import type { DlpKind } from './detectors/detector.js';
import { DETECTORS, DLP_KINDS, scanText, type ScanTextOptions } from './scan-text.js';

/** The values one kind finds in TEXT, masked, or [] when none. */
function found(kind: DlpKind, text: string, options: ScanTextOptions = {}): string[] {
  return scanText(text, options).findings.find((f) => f.kind === kind)?.samples ?? [];
}

function kinds(text: string): DlpKind[] {
  return scanText(text).findings.map((f) => f.kind);
}

describe('resident registration numbers', () => {
  it('finds valid numbers with a dash, a space or none, Hangul around, masked after the gender digit', () => {
    expect(found('rrn', '주민번호900101-1234568입니다')).toEqual(['900101-1******']);
    expect(found('rrn', '주민번호 850615 2345674')).toEqual(['850615-2******']);
    expect(found('rrn', '번호:9912312123452.')).toEqual(['991231-2******']);
  });

  it('refuses a wrong check digit, an impossible date, a wrong gender digit, longer digit runs', () => {
    expect(kinds('900101-1234567')).not.toContain('rrn');
    expect(kinds('901301-1234568 900132-1234568')).not.toContain('rrn');
    expect(found('rrn', '020229-3456786')).toEqual([]); // 2002 is not a leap year (the checksum holds)
    expect(found('rrn', '1900101-1234568')).toEqual([]);
    expect(found('rrn', '900101-12345689')).toEqual([]);
    expect(found('rrn', '900101-1234568-1')).toEqual([]);
  });

  it('accepts numbers failing the checksum (issued since October 2020) when strictness is off', () => {
    expect(found('rrn', '201015-3987654')).toEqual([]);
    expect(found('rrn', '201015-3987654', { strictChecksum: false })).toEqual(['201015-3******']);
    expect(found('rrn', '201315-3987654', { strictChecksum: false })).toEqual([]);
  });

  it('counts distinct numbers and every occurrence, with positions on request', () => {
    const text = 'a 900101-1234568 b 900101-1234568 c 850615-2345674';
    const rrn = scanText(text, { positions: true }).findings[0]!;
    expect(rrn).toEqual({ kind: 'rrn', count: 2, occurrences: 3, samples: ['900101-1******', '850615-2******'], positions: [2, 19, 36] });
  });
});

describe('foreigner registration numbers', () => {
  it('finds gender digits 5-8 with the foreigner check digit, not as resident numbers', () => {
    expect(found('foreigner-rrn', '외국인등록번호 900101-5123452')).toEqual(['900101-5******']);
    expect(found('foreigner-rrn', '030405 7123456')).toEqual(['030405-7******']);
    expect(kinds('900101-5123452')).toEqual(['foreigner-rrn']);
  });

  it('refuses the resident check digit and bad dates', () => {
    expect(found('foreigner-rrn', '900101-5123453')).toEqual([]);
    expect(found('foreigner-rrn', '900230-5123452')).toEqual([]);
  });
});

describe('card numbers', () => {
  it('finds Luhn-valid numbers of known issuers, whole or grouped by spaces or dashes, masked to the last 4', () => {
    expect(found('card', '카드 4111 1111 1111 1111 결제')).toEqual(['**** **** **** 1111']);
    expect(found('card', '5454-5454-5454-5454')).toEqual(['**** **** **** 5454']);
    expect(found('card', 'amex 3782 822463 10005')).toEqual(['**** **** **** 0005']);
    expect(found('card', '9403123456789019')).toEqual(['**** **** **** 9019']);
  });

  it('refuses a failed Luhn check, unknown prefixes, mixed separators and longer digit runs', () => {
    expect(luhnValid('4111111111111112')).toBe(false);
    expect(found('card', '4111 1111 1111 1112')).toEqual([]);
    expect(found('card', '1111111111111117')).toEqual([]); // Luhn-valid, no issuer starts with 1
    expect(found('card', '4111-1111 1111-1111')).toEqual([]);
    expect(found('card', '94111111111111111111')).toEqual([]);
  });
});

describe('passports', () => {
  it('finds the old (letter + 8 digits) and new (M123A4567) formats, masked after 4 characters', () => {
    expect(found('passport', '여권번호M12345678입니다')).toEqual(['M123*****']);
    expect(found('passport', 'passport: M123A4567')).toEqual(['M123*****']);
    expect(found('passport', 'S98765432, D11223344')).toEqual(['S987*****', 'D112*****']);
  });

  it('refuses other letters, lower case and longer runs', () => {
    expect(found('passport', 'X12345678 m12345678 AM12345678 M123456789')).toEqual([]);
  });
});

describe("driver's licences", () => {
  it('finds region codes and Korean region names with year, serial and check digits', () => {
    expect(found('driver-licence', '면허번호 11-12-345678-90')).toEqual(['11-12-******-**']);
    expect(found('driver-licence', '서울 12-345678-90')).toEqual(['11-12-******-**']);
    expect(found('driver-licence', '경기북부 20-123456-78')).toEqual(['28-20-******-**']);
  });

  it('refuses codes outside 11-28 and longer digit runs', () => {
    expect(found('driver-licence', '10-12-345678-90 29-12-345678-90')).toEqual([]);
    expect(found('driver-licence', '11-12-345678-901')).toEqual([]);
    expect(found('driver-licence', '111234567890')).toEqual([]);
    expect(found('driver-licence', '서울1234567890')).toEqual(['11-12-******-**']);
  });
});

describe('bank accounts', () => {
  it('finds the major banks layouts written with dashes, masked after the first group', () => {
    expect(found('bank-account', '신한 110-123-456789')).toEqual(['110-***-******']);
    expect(found('bank-account', '카카오뱅크 3333-01-1234567')).toEqual(['3333-**-*******']);
    expect(found('bank-account', '국민 123456-01-123456 농협 301-1234-5678-91')).toEqual(['123456-**-******', '301-****-****-**']);
  });

  it('refuses bare digit runs, other layouts and longer runs', () => {
    expect(found('bank-account', '110123456789 12-345-67 110-123-4567890')).toEqual([]);
  });
});

describe('phone numbers', () => {
  it('finds mobile, Seoul, regional and +82 numbers, masking the middle group', () => {
    expect(found('phone', '연락처: 010-1234-5678')).toEqual(['010-****-5678']);
    expect(found('phone', '02-123-4567')).toEqual(['02-***-4567']);
    expect(found('phone', '031.1234.5678 +82 10 9876 5432')).toEqual(['031-****-5678', '010-****-5432']);
  });

  it('refuses unknown area codes and longer runs', () => {
    expect(found('phone', '090-1234-5678 010-1234-56789 1010-1234-5678')).toEqual([]);
  });
});

describe('e-mail addresses', () => {
  it('finds addresses with Hangul around, masking the local part', () => {
    expect(found('email', '메일은hong.gildong@example.co.kr로')).toEqual(['h***@example.co.kr']);
  });

  it('refuses addresses without a real top-level domain or a dot', () => {
    expect(found('email', 'user@localhost user@host.123')).toEqual([]);
  });
});

describe('scanText', () => {
  it('never returns a whole number anywhere in its result', () => {
    const numbers = ['9001011234568', '4111111111111111', 'M12345678', '111234567890', '110123456789', '01012345678'];
    const text = '900101-1234568 4111 1111 1111 1111 M12345678 11-12-345678-90 110-123-456789 010-1234-5678';
    const result = JSON.stringify(scanText(text, { positions: true }));
    expect(scanText(text).findings.map((f) => f.kind)).toEqual(['rrn', 'card', 'driver-licence', 'passport', 'bank-account', 'phone']);
    for (const n of numbers) expect(result.replace(/\D/g, '')).not.toContain(n);
  });

  it('limits kinds and samples', () => {
    const text = Array.from({ length: 10 }, (_, i) => `010-1234-${String(1000 + i)}`).join(' ');
    expect(scanText(text, { kinds: ['rrn'] }).findings).toEqual([]);
    expect(scanText(text, { maxSamples: 2 }).findings[0]).toMatchObject({ kind: 'phone', count: 10, samples: ['010-****-1000', '010-****-1001'] });
    expect(DLP_KINDS).toHaveLength(8);
  });

  it('cuts text past maxChars and says so', () => {
    const scan = scanText(`${'x'.repeat(100)} 900101-1234568`, { maxChars: 100 });
    expect(scan).toEqual({ findings: [], truncated: true });
  });

  it('takes linear time on hostile text: 1 MB of digits, of dashes, of digit-dash pairs, of address characters', () => {
    const hostile = ['7'.repeat(1 << 20), '-'.repeat(1 << 20), '1-'.repeat(1 << 19), '9 '.repeat(1 << 19), 'a.'.repeat(1 << 19) + '@', 'a'.repeat(1 << 20)];
    for (const text of hostile) {
      const started = performance.now();
      scanText(text);
      expect(performance.now() - started).toBeLessThan(1500);
    }
  });
});

describe('detector patterns', () => {
  it('have no super-linear backtracking (the analysis behind the ReDoS lint)', () => {
    for (const { kind, pattern } of DETECTORS) expect({ kind, reports: analyse({ source: pattern.source, flags: pattern.flags }).reports.length }).toEqual({ kind, reports: 0 });
  });
});
