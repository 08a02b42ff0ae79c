import { describe, expect, it } from 'vitest';
import { parseSiemDestinations } from './csm-config.js';

describe('MOAT_SIEM_DESTINATIONS', () => {
  it('reads destinations with their defaults', () => {
    expect(parseSiemDestinations(undefined)).toEqual([]);
    const [plain, tls] = parseSiemDestinations(JSON.stringify([{ name: 'soc', host: 'siem.example.test', port: 514 }, { name: 'soc-tls', host: '10.0.0.5', port: 6514, tls: true, ca: '/etc/moat/ca.pem', format: 'cef', replayMs: 0 }]));
    expect(plain).toEqual({ name: 'soc', host: 'siem.example.test', port: 514, tls: false, ca: undefined, format: 'json', replayMs: 5000 });
    expect(tls).toMatchObject({ tls: true, ca: '/etc/moat/ca.pem', format: 'cef', replayMs: 0 });
  });

  it('names the entry and the field that is wrong', () => {
    const bad: [unknown, string][] = [
      [{ host: 'h', port: 1 }, '[0]: name'],
      [{ name: 'a.b', host: 'h', port: 1 }, '[0]: name'],
      [{ name: 'a', port: 1 }, '[0]: host'],
      [{ name: 'a', host: 'h', port: 70000 }, '[0]: port'],
      [{ name: 'a', host: 'h', port: 1, format: 'xml' }, '[0]: format'],
      [{ name: 'a', host: 'h', port: 1, ca: '/x' }, '[0]: ca'],
      [{ name: 'a', host: 'h', port: 1, replayMs: -1 }, '[0]: replayMs'],
    ];
    for (const [entry, message] of bad) expect(() => parseSiemDestinations(JSON.stringify([entry]))).toThrow(message);
    expect(() => parseSiemDestinations('{')).toThrow('JSON array');
    expect(() => parseSiemDestinations('{}')).toThrow('JSON array');
    expect(() => parseSiemDestinations(JSON.stringify([{ name: 'a', host: 'h', port: 1 }, { name: 'a', host: 'h', port: 2 }]))).toThrow('[1]: name a is used twice');
  });
});
