import { describe, expect, it } from 'vitest';
import { decodeUuencoded } from './uuencode.js';

const RUN_EXE = ['begin 644 run.exe', '#35II', '`', 'end'].join('\r\n');

describe('uuencoded blocks', () => {
  it('decodes each begin ... end block of a text', () => {
    expect(decodeUuencoded(Buffer.from(`Hello,\r\n\r\n${RUN_EXE}\r\n\r\n${RUN_EXE.replace('run.exe', 'b.exe')}\r\n`))).toEqual([
      { name: 'run.exe', content: Buffer.from('MZi') },
      { name: 'b.exe', content: Buffer.from('MZi') },
    ]);
  });

  it('ends a block without an end line at the next begin line', () => {
    expect(decodeUuencoded(Buffer.from(`begin 644 a.bin\n#35II\n${RUN_EXE}`))).toEqual([
      { name: 'a.bin', content: Buffer.from('MZi') },
      { name: 'run.exe', content: Buffer.from('MZi') },
    ]);
  });

  it('decodes a body of begin lines without end once, and still finds the real block after them', () => {
    const junk = 'begin 644 x\n'.repeat(20_000);
    const blocks = decodeUuencoded(Buffer.from(junk));
    expect(blocks).toHaveLength(20_000);
    expect(blocks.every((b) => b.name === 'x' && b.content.length === 0)).toBe(true);
    expect(decodeUuencoded(Buffer.from(`${junk}${RUN_EXE}`)).at(-1)).toEqual({ name: 'run.exe', content: Buffer.from('MZi') });
  });

  it('reads a begin line padded with a long run of spaces in one pass', () => {
    const t0 = performance.now();
    expect(decodeUuencoded(Buffer.from(`begin 644${' '.repeat(100_000)}\r\n`))).toEqual([]);
    expect(decodeUuencoded(Buffer.from(RUN_EXE.replace('644 ', '644   ')))).toEqual([{ name: 'run.exe', content: Buffer.from('MZi') }]);
    expect(performance.now() - t0).toBeLessThan(1000);
  });
});
