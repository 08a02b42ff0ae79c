import { describe, expect, it } from 'vitest';
import { formatBytes } from './format-bytes';

describe('formatBytes', () => {
  it('picks the unit and keeps one decimal for small values', () => {
    expect(formatBytes(0)).toBe('0 bytes');
    expect(formatBytes(980)).toBe('980 bytes');
    expect(formatBytes(1536)).toBe('1.5 KiB');
    expect(formatBytes(12 * 1024 * 1024)).toBe('12 MiB');
    expect(formatBytes(5 * 1024 ** 5)).toBe('5120 TiB');
  });
});
