import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { writeClusterFile } from '../cluster/cluster-file.js';
import { DEFAULT_CSM_URL, locateCsm } from './location.js';

let varDir: string;
beforeEach(async () => {
  varDir = await mkdtemp(join(tmpdir(), 'moat-loc-'));
});
afterEach(async () => {
  await rm(varDir, { recursive: true, force: true });
});

describe('locateCsm', () => {
  it('defaults to the local URL and the token file in the var dir', async () => {
    await mkdir(join(varDir, 'csm'));
    await writeFile(join(varDir, 'csm', 'cli-token'), 'tok\n');
    expect(await locateCsm({ var: varDir }, {}, '/')).toEqual({ url: DEFAULT_CSM_URL, token: 'tok', tokenSource: join(varDir, 'csm', 'cli-token') });
  });

  it('prefers --csm over MOAT_CSM_URL over cluster.json, and MOAT_TOKEN over the file', async () => {
    await writeClusterFile(join(varDir, 'cluster.json'), {
      supervisorPid: 1,
      startedAtMs: 0,
      varDir,
      csmUrl: 'http://127.0.0.1:9999',
      consoleUrl: 'http://127.0.0.1:9999/',
      csmDataDir: join(varDir, 'csm'),
      ports: { http: 9999, grpc: 1, nats: 2, clamd: 3, downstream: 4, smtp: [5] },
      processes: [],
      mailboxDir: join(varDir, 'demo-mailbox'),
    });
    expect((await locateCsm({ var: varDir }, {}, '/')).url).toBe('http://127.0.0.1:9999');
    expect((await locateCsm({ var: varDir }, { MOAT_CSM_URL: 'http://h:1/' }, '/')).url).toBe('http://h:1');
    expect((await locateCsm({ var: varDir, csm: 'http://flag:2' }, { MOAT_CSM_URL: 'http://h:1' }, '/')).url).toBe('http://flag:2');
    const env = await locateCsm({ var: varDir }, { MOAT_TOKEN: 'env-token' }, '/');
    expect(env.token).toBe('env-token');
  });

  it('says where it looked when there is no token', async () => {
    const loc = await locateCsm({}, { MOAT_VAR: varDir }, '/');
    expect(loc.token).toBeUndefined();
    expect(loc.tokenSource).toContain(join(varDir, 'csm', 'cli-token'));
  });

  it("trusts MOAT_CSM_CA, else the local CSM's own certificate, and fails clearly on a missing file", async () => {
    await mkdir(join(varDir, 'csm', 'tls'), { recursive: true });
    await writeFile(join(varDir, 'csm', 'tls', 'cert.pem'), 'LOCAL PEM');
    await writeFile(join(varDir, 'other.pem'), 'OTHER PEM');
    expect((await locateCsm({ var: varDir }, {}, '/')).ca).toBe('LOCAL PEM');
    expect((await locateCsm({ var: varDir }, { MOAT_CSM_CA: join(varDir, 'other.pem') }, '/')).ca).toBe('OTHER PEM');
    await expect(locateCsm({ var: varDir }, { MOAT_CSM_CA: join(varDir, 'missing.pem') }, '/')).rejects.toThrow(/cannot read the CSM's certificate/);
  });

  it('drops trailing slashes from the URL, however many', async () => {
    const env = { MOAT_TOKEN: 't' };
    expect((await locateCsm({ var: varDir, csm: 'http://h:1//' }, env, '/')).url).toBe('http://h:1');
    const t0 = performance.now();
    await locateCsm({ var: varDir, csm: `http://h:1${'/'.repeat(100_000)}x` }, env, '/');
    expect(performance.now() - t0).toBeLessThan(1000);
  });
});
