import type { NodeResources } from '@moat/proto/grpc';

/** CPU use of this process between two samples, in percent of one core, plus its resident memory. */
export class ProcessSampler {
  private lastCpu = process.cpuUsage();
  private lastAt = performance.now();

  sample(): Pick<NodeResources, 'cpuPercent' | 'rssBytes'> {
    const cpu = process.cpuUsage(this.lastCpu);
    const now = performance.now();
    const elapsedMs = now - this.lastAt;
    this.lastCpu = process.cpuUsage();
    this.lastAt = now;
    const cpuPercent = elapsedMs > 0 ? ((cpu.user + cpu.system) / 1000 / elapsedMs) * 100 : 0;
    return { cpuPercent: Math.round(cpuPercent * 10) / 10, rssBytes: process.memoryUsage.rss() };
  }
}
