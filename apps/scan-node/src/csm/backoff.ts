/** Exponential back-off with jitter for reconnecting to the CSM: 1 s, 2 s, 4 s ... up to 30 s. */
export class Backoff {
  private failures = 0;

  constructor(
    private readonly minMs = 1000,
    private readonly maxMs = 30_000,
  ) {}

  next(): number {
    const base = Math.min(this.minMs * 2 ** this.failures, this.maxMs);
    this.failures++;
    return Math.round(base * (0.8 + Math.random() * 0.4));
  }

  reset(): void {
    this.failures = 0;
  }
}
