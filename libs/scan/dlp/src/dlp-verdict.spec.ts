import { DLP_KIND_NAMES, parsePolicy } from '@moat/policy';
import { describe, expect, it } from 'vitest';
import { dlpOptionsOf, dlpVerdict } from './dlp-verdict.js';
import { DLP_KINDS, scanText } from './scan-text.js';

const policy = parsePolicy({ dlp: { enabled: true, rules: { rrn: { threshold: 5, action: 'hold' }, card: { action: 'block' }, phone: {} } } }).dlp;
const rrns = ['900101-1234568', '850615-2345674', '991231-2123452', '000229-4123457', '750505-1555558'];

describe('dlpVerdict', () => {
  it('detects exactly the kinds the policy can name', () => {
    expect([...DLP_KINDS].sort()).toEqual([...DLP_KIND_NAMES].sort());
  });

  it('scans for the kinds with rules, in the directions chosen, only when enabled', () => {
    expect(dlpOptionsOf(policy, 'outbound')).toEqual({ kinds: ['rrn', 'card', 'phone'], strictChecksum: true });
    expect(dlpOptionsOf(policy, 'inbound')).toBeUndefined();
    expect(dlpOptionsOf({ ...policy, enabled: false }, 'outbound')).toBeUndefined();
  });

  it('acts from the threshold on, with the most severe action', () => {
    const four = scanText(rrns.slice(0, 4).join(' ')).findings;
    expect(dlpVerdict(four, policy)).toEqual({ action: undefined, triggered: [] });
    const five = scanText(`${rrns.join(' ')} 010-1234-5678`).findings;
    expect(dlpVerdict(five, policy)).toEqual({
      action: 'hold',
      triggered: [
        { kind: 'rrn', count: 5, threshold: 5, action: 'hold' },
        { kind: 'phone', count: 1, threshold: 1, action: 'log' },
      ],
    });
    expect(dlpVerdict(scanText(`${rrns.join(' ')} 4111111111111111`).findings, policy).action).toBe('block');
  });
});
