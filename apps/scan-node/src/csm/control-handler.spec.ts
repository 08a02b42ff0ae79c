import { describe, expect, it } from 'vitest';
import { handleControlCommand, type ControlActions } from './control-handler.js';

const actions: ControlActions = {
  release: () => Promise.resolve('released'),
  report: () => Promise.resolve({ detail: 'learnt', modelVersion: 'v' }),
  releaseHold: (domain) => (domain === 'held.test' ? Promise.resolve('held.test: 2 held message(s) released for delivery') : Promise.reject(new Error(`${domain} is not a domain of the policy`))),
  reject: (id, reason) => Promise.resolve(`message ${id} rejected: ${reason}`),
};

describe('handleControlCommand', () => {
  it('runs a hold release and answers with its detail, or its error as a failed reply', async () => {
    await expect(handleControlCommand({ commandId: 'c1', command: { $case: 'releaseHold', value: { domain: 'held.test' } } }, actions)).resolves.toEqual({ commandId: 'c1', ok: true, error: '', detail: 'held.test: 2 held message(s) released for delivery', modelVersion: '' });
    await expect(handleControlCommand({ commandId: 'c2', command: { $case: 'releaseHold', value: { domain: 'x.test' } } }, actions)).resolves.toMatchObject({ commandId: 'c2', ok: false, error: 'x.test is not a domain of the policy' });
  });

  it("runs an approver's rejection with its reason", async () => {
    await expect(handleControlCommand({ commandId: 'c3', command: { $case: 'reject', value: { messageId: 'm1', reason: 'no' } } }, actions)).resolves.toMatchObject({ commandId: 'c3', ok: true, detail: 'message m1 rejected: no' });
  });
});
