import { DatePipe } from '@angular/common';
import { Component, computed, inject, signal } from '@angular/core';
import { RouterLink } from '@angular/router';
import { ApiService } from '../api/api.service';
import { describeHttpError } from '../api/http-error';
import { IdentityService } from '../auth/identity.service';
import { REFRESH_MS, poll } from '../shared/poll';
import { RefreshStatus } from '../shared/refresh-status';

/**
 * Outbound approval (F7): outbound mail a policy held (e.g. a DLP rule) waits here for an approver. Approve
 * delivers it; Reject tells the sender, with the reason typed here, and deletes it. Every decision is audited.
 */
@Component({
  selector: 'moat-approvals-page',
  imports: [DatePipe, RefreshStatus, RouterLink],
  templateUrl: './approvals.page.html',
  styleUrl: './approvals.page.css',
})
export class ApprovalsPage {
  private readonly api = inject(ApiService);
  private readonly identity = inject(IdentityService);

  protected readonly list = poll(REFRESH_MS, () => this.api.approvals());
  protected readonly busy = signal<string | null>(null);
  protected readonly error = signal<string | null>(null);
  protected readonly result = signal<string | null>(null);
  /** Messages decided here: hidden until the next poll no longer lists them. */
  private readonly decided = signal<ReadonlySet<string>>(new Set());
  protected readonly pending = computed(() => (this.list.data()?.messages ?? []).filter((m) => !this.decided().has(m.id)));
  /** The rejection reason being typed, per message id. */
  private readonly reasons = new Map<string, string>();

  protected canDecide(): boolean {
    return this.identity.can('approvals:decide');
  }

  protected setReason(id: string, event: Event): void {
    this.reasons.set(id, (event.target as HTMLInputElement).value);
  }

  protected approve(id: string): void {
    this.decide(id, this.api.approve(id));
  }

  protected reject(id: string): void {
    this.decide(id, this.api.reject(id, this.reasons.get(id) ?? ''));
  }

  private decide(id: string, call: ReturnType<ApiService['approve']>): void {
    if (this.busy()) return;
    this.busy.set(id);
    this.error.set(null);
    this.result.set(null);
    call.subscribe({
      next: (answer) => {
        this.result.set(`${answer.id} ${answer.decision}: ${answer.detail}`);
        this.busy.set(null);
        this.decided.update((ids) => new Set([...ids, id]));
      },
      error: (err: unknown) => {
        this.error.set(describeHttpError(err));
        this.busy.set(null);
      },
    });
  }
}
