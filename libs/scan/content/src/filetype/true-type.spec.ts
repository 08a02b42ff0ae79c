import { describe, expect, it } from 'vitest';
import { buildEgg, buildHwp, buildMachO, buildZip } from '../testing/index.js';
import { detectTrueType } from './true-type.js';

describe('detectTrueType', () => {
  it('knows an ALZip egg and marks it as a container no reader opens', async () => {
    expect(await detectTrueType(buildEgg())).toEqual({ mime: 'application/x-alz-egg', ext: 'egg', kind: 'archive', container: 'unopenable' });
  });

  it('tells an HWP 5 compound file from other OLE2 files by its FileHeader signature', async () => {
    expect(await detectTrueType(buildHwp())).toEqual({ mime: 'application/x-hwp', ext: 'hwp', kind: 'hwp' });
  });

  it('tells an HWPX package from a plain zip by its mimetype member, and keeps it a zip container', async () => {
    const hwpx = buildZip([
      { name: 'mimetype', data: Buffer.from('application/hwp+zip') },
      { name: 'Contents/section0.xml', data: Buffer.from('<hs:sec xmlns:hs="http://www.hancom.co.kr/hwpml/2011/section"/>') },
    ]);
    expect(await detectTrueType(hwpx)).toEqual({ mime: 'application/hwp+zip', ext: 'hwpx', kind: 'hwp', container: 'zip' });
    expect(await detectTrueType(buildZip([{ name: 'mimetype', data: Buffer.from('text/plain') }]))).toMatchObject({ ext: 'zip', kind: 'archive' });
  });

  it('reads Mach-O programs (32/64-bit, either byte order, universal) as executables, not Java classes', async () => {
    for (const magic of [
      [0xcf, 0xfa, 0xed, 0xfe],
      [0xce, 0xfa, 0xed, 0xfe],
      [0xfe, 0xed, 0xfa, 0xcf],
    ]) {
      expect(await detectTrueType(buildMachO(magic))).toEqual({ mime: 'application/x-mach-binary', ext: 'macho', kind: 'executable' });
    }
    // 0xCAFEBABE then a small architecture count is a universal binary; a class file has its version there.
    const universal = Buffer.concat([Buffer.from([0xca, 0xfe, 0xba, 0xbe, 0, 0, 0, 2]), Buffer.alloc(500)]);
    expect(await detectTrueType(universal)).toMatchObject({ ext: 'macho', kind: 'executable' });
    const javaClass = Buffer.concat([Buffer.from([0xca, 0xfe, 0xba, 0xbe, 0, 0, 0, 52]), Buffer.alloc(500)]);
    expect(await detectTrueType(javaClass)).toMatchObject({ ext: 'class', kind: 'executable' });
  });

  it('finds "@echo off" after blank lines, and reads a head of line breaks in one pass', async () => {
    expect((await detectTrueType(Buffer.from('\r\n\r\n  @echo off\r\ndel x'))).ext).toBe('bat');
    const t0 = performance.now();
    await detectTrueType(Buffer.from('\n'.repeat(4096)));
    expect(performance.now() - t0).toBeLessThan(1000);
  });
});
