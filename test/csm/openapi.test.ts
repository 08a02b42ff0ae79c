import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildCsm, REPO } from './support/processes.js';

// The console's client types are generated from the committed apps/csm/openapi.json: a controller or DTO changed
// without `npm run openapi` would leave the console typed against an API that no longer exists.
describe('committed OpenAPI document', () => {
  it('is the one the built CSM describes', () => {
    buildCsm();
    const check = spawnSync(process.execPath, [join(REPO, 'apps/csm/dist/openapi-document.js'), '--check'], { cwd: REPO, encoding: 'utf8' });
    expect(check.stderr).toBe('');
    expect(check.status).toBe(0);
  }, 120_000);
});
