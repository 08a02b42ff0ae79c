import { DatePipe } from '@angular/common';
import { Component, inject, signal } from '@angular/core';
import { FormsModule } from '@angular/forms';
import type { Observable } from 'rxjs';
import { ApiService } from '../api/api.service';
import { IdentityService } from '../auth/identity.service';
import { REFRESH_MS, poll } from '../shared/poll';
import { runAction } from '../shared/run-action';
import { RefreshStatus } from '../shared/refresh-status';

/** The periods the form offers; `0`: permanent. */
export const BLOCK_PERIODS: ReadonlyArray<{ label: string; seconds: number }> = [
  { label: '1 hour', seconds: 3600 },
  { label: '1 day', seconds: 86_400 },
  { label: '7 days', seconds: 604_800 },
  { label: '30 days', seconds: 2_592_000 },
  { label: 'Permanent', seconds: 0 },
];

/**
 * AUTH brute-force blocks (F6): the client addresses every scan node refuses SMTP AUTH from, blocked automatically
 * over the policy's failure threshold or by an administrator; add and remove for `authblocks:write`. The nodes
 * apply a change at their next AUTH from the address; the table follows at its next refresh.
 */
@Component({
  selector: 'moat-auth-blocks-page',
  imports: [DatePipe, FormsModule, RefreshStatus],
  templateUrl: './auth-blocks.page.html',
  styleUrl: './auth-blocks.page.css',
})
export class AuthBlocksPage {
  private readonly api = inject(ApiService);
  private readonly identity = inject(IdentityService);

  protected readonly periods = BLOCK_PERIODS;
  protected readonly list = poll(REFRESH_MS, () => this.api.authBlocks());
  protected readonly busy = signal(false);
  protected readonly error = signal<string | null>(null);
  protected readonly result = signal<string | null>(null);
  protected ip = '';
  protected period = 86_400;
  protected reason = '';

  protected canWrite(): boolean {
    return this.identity.can('authblocks:write');
  }

  protected add(): void {
    const ip = this.ip.trim();
    if (this.busy() || ip === '') return;
    this.run(this.api.addAuthBlock(ip, this.period === 0 ? undefined : this.period, this.reason.trim()), `${ip} blocked on every node`, () => {
      this.ip = '';
      this.reason = '';
    });
  }

  protected remove(ip: string): void {
    if (this.busy()) return;
    this.run(this.api.removeAuthBlock(ip), `${ip} unblocked on every node`, () => undefined);
  }

  private run(request: Observable<unknown>, done: string, after: () => void): void {
    runAction({ busy: this.busy, error: this.error, result: this.result }, request, done, after);
  }
}
