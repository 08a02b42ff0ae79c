import { describe, expect, it } from 'vitest';
import { ConnectionCounter } from './connection-counter.js';

describe('connections per client address', () => {
  it('counts up to the limit per address and frees a place on release', () => {
    const counter = new ConnectionCounter();
    expect(counter.acquire('198.51.100.1', 2)).toBe(true);
    expect(counter.acquire('198.51.100.1', 2)).toBe(true);
    expect(counter.acquire('198.51.100.1', 2)).toBe(false);
    expect(counter.acquire('198.51.100.2', 2)).toBe(true);
    counter.release('198.51.100.1');
    expect(counter.acquire('198.51.100.1', 2)).toBe(true);
  });

  it('takes a lower limit from a new policy at once, and never goes below zero', () => {
    const counter = new ConnectionCounter();
    counter.acquire('2001:db8::1', 5);
    counter.acquire('2001:db8::1', 5);
    expect(counter.acquire('2001:db8::1', 2)).toBe(false);
    counter.release('2001:db8::1');
    counter.release('2001:db8::1');
    counter.release('2001:db8::1');
    expect(counter.acquire('2001:db8::1', 1)).toBe(true);
    expect(counter.acquire('2001:db8::1', 1)).toBe(false);
  });
});
