import { compilePolicy } from '@moat/pipeline';
import { parsePolicy } from '@moat/policy';
import { describe, expect, it } from 'vitest';
import { planForwarding, traceCounts } from './forwarding-plan.js';
import { srsReverse } from './srs.js';

const key = Buffer.alloc(32, 3);
const compiled = compilePolicy(
  parsePolicy({
    tenant: { id: 't1' },
    domains: [{ name: 'example.test', downstream: { host: 'mx' } }],
    forwarding: {
      maxHops: 3,
      rules: [
        { name: 'copy a', recipients: { kind: 'address', address: 'a@example.test' }, to: ['x@remote.test', 'b@example.test'] },
        { name: 'move c', recipients: { kind: 'address', address: 'c@example.test' }, to: ['y@remote.test'], mode: 'forward', forwardingSender: { kind: 'original-recipient' } },
        { name: 'fixed', senders: { kind: 'domain', domain: 'partner.test' }, recipients: { kind: 'domain', domain: 'example.test' }, to: ['z@remote.test'], forwardingSender: { kind: 'address', address: 'fwd@example.test' } },
      ],
    },
  }),
  1,
);
const raw = (header = '') => Buffer.from(`${header}Subject: hi\r\n\r\nbody\r\n`);

describe('forwarding plan', () => {
  it('copy mode keeps the recipient; the copy goes from the SRS address, which reverses to the sender; no copy to a recipient that has it', () => {
    const plan = planForwarding({ compiled, mailFrom: 'dave@sender.test', rcptTo: ['a@example.test', 'b@example.test'], raw: raw(), srsKey: key });
    expect(plan.deliverTo).toEqual(['a@example.test', 'b@example.test']);
    expect(plan.copies).toHaveLength(1);
    const copy = plan.copies[0]!;
    expect(copy).toMatchObject({ rule: 'copy a', rcptTo: ['x@remote.test'], bounceTo: 'dave@sender.test', header: 'X-Moat-Forwarded: hops=1; tenant=t1\r\n' });
    expect(copy.mailFrom).toMatch(/^SRS0=.*=sender\.test=dave@example\.test$/);
    expect(srsReverse(copy.mailFrom, key, 21)).toEqual({ ok: true, address: 'dave@sender.test' });
    expect(plan.symbols).toEqual([expect.objectContaining({ name: 'FORWARDED', score: 0, detail: 'rule copy a (copy): a@example.test -> x@remote.test' })]);
  });

  it('forward mode takes the recipient away; other senders as the rule names them; rules combine', () => {
    const plan = planForwarding({ compiled, mailFrom: 'boss@partner.test', rcptTo: ['c@example.test', 'd@example.test'], raw: raw(), srsKey: key });
    expect(plan.deliverTo).toEqual(['d@example.test']);
    expect(plan.copies.map((c) => [c.rule, c.mailFrom, c.rcptTo, c.bounceTo])).toEqual([
      ['move c', 'c@example.test', ['y@remote.test'], 'c@example.test'],
      ['fixed', 'fwd@example.test', ['z@remote.test'], 'fwd@example.test'],
    ]);
  });

  it('forward mode still delivers to a recipient the rule names among its targets', () => {
    const self = compilePolicy(
      parsePolicy({
        domains: [{ name: 'example.test', downstream: { host: 'mx' } }],
        forwarding: { rules: [{ name: 'keep', recipients: { kind: 'address', address: 'a@example.test' }, to: ['a@example.test', 'x@remote.test'], mode: 'forward' }] },
      }),
      1,
    );
    const plan = planForwarding({ compiled: self, mailFrom: 'dave@sender.test', rcptTo: ['A@example.test'], raw: raw(), srsKey: key });
    expect(plan.deliverTo).toEqual(['A@example.test']);
    expect(plan.copies.map((c) => c.rcptTo)).toEqual([['x@remote.test']]);
  });

  it('a group rule forwards mail for the group members only', () => {
    const grouped = compilePolicy(
      parsePolicy({
        domains: [{ name: 'example.test', downstream: { host: 'mx' } }],
        groups: [{ name: 'sales', members: ['ann@example.test', 'sam@example.test'] }],
        forwarding: { rules: [{ name: 'sales out', recipients: { kind: 'group', group: 'sales' }, to: ['desk@remote.test'], mode: 'forward', forwardingSender: { kind: 'original-recipient' } }] },
      }),
      1,
    );
    const plan = planForwarding({ compiled: grouped, mailFrom: 'dave@sender.test', rcptTo: ['Ann@example.test', 'bob@example.test'], raw: raw(), srsKey: key });
    expect(plan.deliverTo).toEqual(['bob@example.test']);
    expect(plan.copies.map((c) => [c.rule, c.mailFrom, c.rcptTo])).toEqual([['sales out', 'Ann@example.test', ['desk@remote.test']]]);
    expect(plan.symbols.map((s) => s.detail)).toEqual(['rule sales out (forward): Ann@example.test -> desk@remote.test']);
  });

  it('stops at the hop limit or the Received limit and delivers to every recipient', () => {
    const looped = planForwarding({ compiled, mailFrom: 'dave@sender.test', rcptTo: ['c@example.test'], raw: raw('X-Moat-Forwarded: hops=3; tenant=t1\r\n'), srsKey: key });
    expect(looped.deliverTo).toEqual(['c@example.test']);
    expect(looped.copies).toEqual([]);
    expect(looped.symbols).toEqual([expect.objectContaining({ name: 'FORWARD_LOOP', detail: 'not forwarded: forwarded 3 times already (limit 3); delivered to c@example.test' })]);
    const received = planForwarding({ compiled, mailFrom: 'dave@sender.test', rcptTo: ['c@example.test'], raw: raw('Received: from a\r\n\tby b\r\n'.repeat(30)), srsKey: key });
    expect(received.symbols[0]?.detail).toContain('30 Received fields (limit 30)');
    const second = planForwarding({ compiled, mailFrom: 'dave@sender.test', rcptTo: ['a@example.test'], raw: raw('X-Moat-Forwarded: hops=2; tenant=other\r\n'), srsKey: key });
    expect(second.copies[0]?.header).toBe('X-Moat-Forwarded: hops=3; tenant=t1\r\n');
  });

  it('without an SRS key the recipient keeps its mail and the symbol says why; without rules nothing changes', () => {
    const plan = planForwarding({ compiled, mailFrom: 'dave@sender.test', rcptTo: ['a@example.test'], raw: raw(), srsKey: undefined });
    expect(plan).toEqual({ deliverTo: ['a@example.test'], copies: [], symbols: [expect.objectContaining({ name: 'FORWARD_UNAVAILABLE' })] });
    expect(planForwarding({ compiled, mailFrom: 'dave@sender.test', rcptTo: ['q@example.test'], raw: raw(), srsKey: key })).toEqual({ deliverTo: ['q@example.test'], copies: [], symbols: [] });
  });

  it('reads hops and Received fields from the header only, in linear time', () => {
    expect(traceCounts(raw('Received: x\r\nX-MOAT-FORWARDED: hops=2\r\nx-moat-forwarded: hops=4\r\n'))).toEqual({ hops: 4, received: 1 });
    expect(traceCounts(Buffer.from('Subject: a\r\n\r\nReceived: x\r\n'))).toEqual({ hops: 0, received: 0 });
    const start = performance.now();
    traceCounts(Buffer.from(`X-Moat-Forwarded: ${'hops=1'.repeat(200_000)}\r\n\r\n`));
    expect(performance.now() - start).toBeLessThan(500);
  });
});
