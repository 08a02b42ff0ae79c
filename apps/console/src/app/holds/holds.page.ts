import { DatePipe } from '@angular/common';
import { Component, inject, signal } from '@angular/core';
import { ApiService } from '../api/api.service';
import { describeHttpError } from '../api/http-error';
import { IdentityService } from '../auth/identity.service';
import { REFRESH_MS, poll } from '../shared/poll';
import { RefreshStatus } from '../shared/refresh-status';

/**
 * Delivery hold windows (F9): per domain, the mail the scan nodes hold (summed across nodes, with each node's
 * share), when the open window ends, and the next window; Release delivers a domain's held mail now.
 */
@Component({
  selector: 'moat-holds-page',
  imports: [DatePipe, RefreshStatus],
  templateUrl: './holds.page.html',
  styleUrl: './holds.page.css',
})
export class HoldsPage {
  private readonly api = inject(ApiService);
  private readonly identity = inject(IdentityService);

  protected readonly list = poll(REFRESH_MS, () => this.api.holds());
  protected readonly busy = signal<string | null>(null);
  protected readonly error = signal<string | null>(null);
  protected readonly result = signal<string | null>(null);

  protected canRelease(): boolean {
    return this.identity.can('mail:release');
  }

  protected release(domain: string): void {
    if (this.busy()) return;
    this.busy.set(domain);
    this.error.set(null);
    this.result.set(null);
    this.api.releaseHold(domain).subscribe({
      next: (answer) => {
        const failed = answer.nodes.filter((n) => !n.ok);
        this.result.set(`${answer.domain}: released on ${answer.nodes.length - failed.length} of ${answer.nodes.length} node(s)${failed.map((f) => `; ${f.nodeId}: ${f.detail}`).join('')}`);
        this.busy.set(null);
      },
      error: (err: unknown) => {
        this.error.set(describeHttpError(err));
        this.busy.set(null);
      },
    });
  }

  protected size(bytes: number): string {
    if (bytes < 1024) return `${bytes} B`;
    if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
    return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
  }
}
