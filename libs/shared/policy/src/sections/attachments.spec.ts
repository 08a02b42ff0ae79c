import { describe, expect, it } from 'vitest';
import { parsePolicy, PolicyValidationError } from '../validate.js';

describe('policy attachments section', () => {
  it('defaults to the seed list, blocking, quarantining the unscannable and temp-failing without antivirus', () => {
    const { attachments } = parsePolicy({});
    expect(attachments.blockedExtensions).toEqual({ seed: true, add: [], action: 'block' });
    expect(attachments.archives).toMatchObject({ encrypted: 'quarantine', unscannable: 'quarantine', bomb: 'block', maxDepth: 3 });
    expect(attachments.antivirus).toMatchObject({ clamav: true, hashDb: true, infected: 'block', unavailable: 'tempfail', timeoutMs: 120_000, fileTimeoutMs: 60_000 });
    expect(attachments.types).toMatchObject({ executable: 'always', word: 'mismatch', pdf: 'mismatch' });
    expect(attachments.incomplete).toBe('quarantine');
    expect(attachments.inspectionTimeoutMs).toBe(60_000);
    expect(attachments.ransomware).toEqual({ enabled: false, action: 'block' });
  });

  it('normalises extensions and hashes', () => {
    const { attachments } = parsePolicy({ attachments: { blockedExtensions: { add: ['.ISO', ' Lnk '] }, hashDb: { version: '7', entries: [{ sha256: 'A'.repeat(64), name: 'Bad' }] } } });
    expect(attachments.blockedExtensions.add).toEqual(['iso', 'lnk']);
    expect(attachments.hashDb.entries).toEqual([{ sha256: 'a'.repeat(64), name: 'Bad' }]);
  });

  it('refuses what cannot work, naming the field', () => {
    const problems = (input: unknown) => {
      try {
        parsePolicy(input);
      } catch (err) {
        if (err instanceof PolicyValidationError) return err.problems.join('\n');
        throw err;
      }
      return '';
    };
    expect(problems({ attachments: { blockedExtensions: { add: ['a b'] } } })).toContain('attachments.blockedExtensions.add.0');
    expect(problems({ attachments: { hashDb: { entries: [{ sha256: 'abc', name: 'x' }] } } })).toContain('attachments.hashDb.entries.0.sha256');
    expect(problems({ attachments: { antivirus: { unavailable: 'deliver' } } })).toContain('attachments.antivirus.unavailable');
    expect(problems({ attachments: { archives: { maxDepth: 1 } } })).toContain('attachments.archives.maxDepth');
  });
});
