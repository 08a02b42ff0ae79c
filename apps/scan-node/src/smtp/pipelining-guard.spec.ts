import { describe, expect, it, vi } from 'vitest';
import { END_OF_DATA, PipeliningGuard } from './pipelining-guard.js';

/** Feeds TEXT as one chunk the way the parser does: scan, then each complete line dispatched. */
function feed(guard: PipeliningGuard, text: string, ehloDone = true): Array<string | undefined> {
  guard.commandInput(text, ehloDone);
  return text
    .split(/\r?\n/)
    .slice(0, -1)
    .map((line) => guard.dispatch(line));
}

describe('PipeliningGuard', () => {
  it('lets a group of MAIL, RCPT and DATA through when DATA ends it', () => {
    const guard = new PipeliningGuard(() => undefined);
    expect(feed(guard, 'MAIL FROM:<a@b.test>\r\nRCPT TO:<c@d.test>\r\nDATA\r\n')).toEqual([undefined, undefined, undefined]);
    guard.replied();
    expect(guard.arrived(10)).toBe(false);
    expect(guard.violation).toBeUndefined();
  });

  it('refuses the command that had input after it in its own chunk: EHLO, DATA, NOOP; any command before EHLO', () => {
    expect(feed(new PipeliningGuard(() => undefined), 'EHLO x\r\nMAIL FROM:<a@b.test>\r\n', false)[0]).toBe('EHLO');
    expect(feed(new PipeliningGuard(() => undefined), 'RCPT TO:<c@d.test>\r\nDATA\r\nSubject: early\r\n').slice(0, 2)).toEqual([undefined, 'DATA']);
    expect(feed(new PipeliningGuard(() => undefined), 'NOOP\r\nNOOP\r\n')[0]).toBe('NOOP');
    expect(feed(new PipeliningGuard(() => undefined), 'HELO x\r\n', false)).toEqual([undefined]);
    expect(feed(new PipeliningGuard(() => undefined), 'MAIL FROM:<a@b.test>\r\nRCPT TO:<c@d.test>\r\n', false)[0]).toBe('MAIL');
  });

  it('drops input that arrives while a reply is awaited and names what it followed', () => {
    const guard = new PipeliningGuard(() => undefined);
    feed(guard, 'EHLO x\r\n');
    expect(guard.arrived(20)).toBe(true);
    expect(guard.violation).toBe('EHLO');
  });

  it('refuses input after the final dot, in the same chunk or before the reply, and says so once', () => {
    const afterData = vi.fn();
    const sameChunk = new PipeliningGuard(afterData);
    expect(sameChunk.dataEnded(24)).toBe(true);
    expect(sameChunk.violation).toBe(END_OF_DATA);
    expect(afterData).toHaveBeenCalledTimes(1);

    const later = new PipeliningGuard(afterData);
    expect(later.dataEnded(0)).toBe(false);
    expect(later.arrived(24)).toBe(true);
    expect(later.arrived(5)).toBe(true);
    expect(afterData).toHaveBeenCalledTimes(2);

    const patient = new PipeliningGuard(afterData);
    patient.dataEnded(0);
    patient.replied();
    expect(patient.arrived(24)).toBe(false);
  });
});
