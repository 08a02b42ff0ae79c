import { describe, expect, it } from 'vitest';
import type { SpoolEntry, SpoolMeta } from '../spool/spool.js';
import { forwardMessage } from './forward.js';

describe('forwardMessage', () => {
  it('spools the body under a new id as outbound mail to the one address, and hands it to delivery', async () => {
    const put: Array<{ meta: SpoolMeta; raw: string }> = [];
    const enqueued: SpoolEntry[] = [];
    const spool = {
      put: async (meta: SpoolMeta, parts: readonly Buffer[]) => {
        put.push({ meta, raw: Buffer.concat(parts).toString() });
        return { meta, state: { attempts: 0, nextAttemptAtMs: 0, done: {} }, sizeBytes: 1 };
      },
    };
    const detail = await forwardMessage({ spool, delivery: { enqueue: (e) => enqueued.push(e) }, policyVersion: () => 7 }, { messageId: 'm1', mailFrom: 'postmaster@example.test', to: 'review@elsewhere.test', raw: Buffer.from('Subject: x\r\n\r\nbody\r\n') });
    expect(put).toHaveLength(1);
    expect(put[0]?.meta).toMatchObject({ mailFrom: 'postmaster@example.test', rcptTo: ['review@elsewhere.test'], direction: 'outbound', action: 'deliver', policyVersion: 7 });
    expect(put[0]?.meta.id).not.toBe('m1');
    expect(put[0]?.raw).toBe('Subject: x\r\n\r\nbody\r\n');
    expect(enqueued).toHaveLength(1);
    expect(detail).toBe(`message m1 queued as ${put[0]?.meta.id} for review@elsewhere.test`);
  });

  it('refuses a forward without an address or a body', async () => {
    const deps = { spool: { put: async () => Promise.reject(new Error('not reached')) }, delivery: { enqueue: () => undefined }, policyVersion: () => 1 };
    await expect(forwardMessage(deps, { messageId: 'm1', mailFrom: '', to: '', raw: Buffer.from('x') })).rejects.toThrow(/no address/);
    await expect(forwardMessage(deps, { messageId: 'm1', mailFrom: '', to: 'a@b.test', raw: Buffer.alloc(0) })).rejects.toThrow(/no body/);
  });
});
