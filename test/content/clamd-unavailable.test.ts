import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EngineUnavailableError, scanWithEngines } from '@moat/content';
import { startClamd, type RunningClamd } from './support/clamd.js';

// clamd dies during a scan: the engine reports "unavailable" (the policy temp-fails), never a clean result.
const eicar = Buffer.from(['X5O!P%@AP[4\\PZX54(P^)7CC)7}$', 'EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*'].join(''));

describe('clamd killed', () => {
  let clamd: RunningClamd;
  beforeAll(async () => {
    clamd = await startClamd();
  });
  afterAll(async () => {
    await clamd.stop();
  });

  it('answers with its version and finds EICAR while it runs', async () => {
    expect(await clamd.engine.version()).toMatch(/^ClamAV \d+\.\d+/);
    expect(await clamd.engine.scan(eicar)).toEqual({ infected: true, signature: 'Eicar-Test-Signature.UNOFFICIAL' });
  });

  it('rejects a scan in flight with EngineUnavailableError when clamd is killed', async () => {
    const large = Buffer.alloc(80 * 1024 * 1024, 0x41);
    const scan = clamd.engine.scan(large);
    setTimeout(() => clamd.process.kill('SIGKILL'), 50);
    await expect(scan).rejects.toBeInstanceOf(EngineUnavailableError);
    await new Promise((resolve) => (clamd.process.exitCode === null && clamd.process.signalCode === null ? clamd.process.once('exit', resolve) : resolve(undefined)));
    const findings = await scanWithEngines([clamd.engine], [{ path: '2', sha256: 'e', content: eicar }]);
    expect(findings).toEqual([{ symbol: 'AV_UNAVAILABLE', detail: expect.stringMatching(/^clamav unavailable: /), path: '2' }]);
  });
});
