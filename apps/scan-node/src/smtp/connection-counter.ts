/** Open connections per client address, for the policy's per-IP connection limit. */
export class ConnectionCounter {
  private readonly open = new Map<string, number>();

  /** Counts a connection from IP unless it already has MAX open; returns whether it was counted. */
  acquire(ip: string, max: number): boolean {
    const count = this.open.get(ip) ?? 0;
    if (count >= max) return false;
    this.open.set(ip, count + 1);
    return true;
  }

  release(ip: string): void {
    const count = this.open.get(ip) ?? 0;
    if (count <= 1) this.open.delete(ip);
    else this.open.set(ip, count - 1);
  }
}
