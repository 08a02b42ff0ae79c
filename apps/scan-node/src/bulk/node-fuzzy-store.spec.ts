import { describe, expect, it } from 'vitest';
import type { Logger } from '../log.js';
import { NodeFuzzyStore } from './node-fuzzy-store.js';

const silent: Logger = { info: () => undefined, warn: () => undefined, error: () => undefined };

describe('NodeFuzzyStore', () => {
  it('fails every call at once while NATS is unavailable, so the bulk check answers BULK_UNAVAILABLE without waiting', async () => {
    const store = new NodeFuzzyStore(() => undefined, silent);
    store.open();
    await expect(store.record(['t-1'], 3600)).rejects.toThrow('NATS is unavailable');
    await expect(store.denied(['t-1'])).rejects.toThrow('NATS is unavailable');
    await expect(store.deny(['t-1'], 'reported')).rejects.toThrow('NATS is unavailable');
    await expect(store.close()).resolves.toBeUndefined();
  });
});
