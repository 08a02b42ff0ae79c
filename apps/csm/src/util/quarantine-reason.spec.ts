import { describe, expect, it } from 'vitest';
import { isQuarantineReason, quarantineReason } from './quarantine-reason.js';

const s = (name: string, score = 0) => ({ name, score });

describe('quarantineReason', () => {
  it('names malware before an attachment rule, and the symbols that say so', () => {
    expect(quarantineReason('quarantine', [s('ATTACHMENT_BLOCKED_EXTENSION'), s('AV_VIRUS'), s('BAYES_SPAM', 4)])).toEqual({ reason: 'virus', symbols: ['AV_VIRUS'] });
    expect(quarantineReason('quarantine', [s('SANDBOX_HIGH', 8)])).toEqual({ reason: 'virus', symbols: ['SANDBOX_HIGH'] });
  });

  it('reads attachment rules, DLP and authentication from their families', () => {
    expect(quarantineReason('quarantine', [s('ARCHIVE_ENCRYPTED'), s('OFFICE_MACRO_DISGUISED')])).toEqual({ reason: 'attachment', symbols: ['ARCHIVE_ENCRYPTED', 'OFFICE_MACRO_DISGUISED'] });
    expect(quarantineReason('quarantine', [s('ARCHIVE_DECRYPTED')]).reason).toBe('spam');
    expect(quarantineReason('hold', [s('DLP_CARD')])).toEqual({ reason: 'dlp', symbols: ['DLP_CARD'] });
    expect(quarantineReason('quarantine', [s('SPF_FAIL', 2), s('AUTH_POLICY')])).toEqual({ reason: 'authentication', symbols: ['AUTH_POLICY'] });
    expect(quarantineReason('quarantine', [s('DMARC_QUARANTINE')]).reason).toBe('authentication');
  });

  it('says hold for a message held without a finding, spam for one its score quarantined', () => {
    expect(quarantineReason('hold', [s('BAYES_HAM', -1)])).toEqual({ reason: 'hold', symbols: [] });
    expect(quarantineReason('quarantine', [s('RBL_SPAMHAUS', 3), s('BAYES_SPAM', 6), s('URIBL_X', 2), s('DKIM_NONE', 1), s('BAYES_HAM', -1)])).toEqual({
      reason: 'spam',
      symbols: ['BAYES_SPAM', 'RBL_SPAMHAUS', 'URIBL_X'],
    });
  });

  it('knows its reasons', () => {
    expect(isQuarantineReason('virus')).toBe(true);
    expect(isQuarantineReason('VIRUS')).toBe(false);
    expect(isQuarantineReason('constructor')).toBe(false);
  });
});
