import { Component, input } from '@angular/core';
import { DatePipe } from '@angular/common';

/** "Updated 12:04:05 · refreshes every 5 s", or the reason the last refresh failed. */
@Component({
  selector: 'moat-refresh-status',
  imports: [DatePipe],
  template: `
    @if (error(); as message) {
      <p class="alert" role="alert" data-testid="refresh-error">Refresh failed: {{ message }}</p>
    }
    <!-- Not a live region: announcing every 5 s refresh would drown a screen reader; failures are alerts. -->
    <p class="refresh">
      @if (updatedAtMs(); as at) {
        Updated <time data-testid="refreshed-at" [attr.datetime]="isoTime(at)">{{ at | date: 'HH:mm:ss' }}</time>
        · refreshes every 5 s
      } @else if (!error()) {
        Loading…
      }
    </p>
  `,
  styles: `
    :host { display: block; }
    .refresh { margin: 0; color: var(--muted); font-size: 0.8125rem; }
    .alert {
      margin: 0 0 0.5rem;
      padding: 0.5rem 0.75rem;
      border: 1px solid var(--danger-border);
      border-radius: var(--radius);
      background: var(--danger-bg);
      color: var(--danger);
    }
  `,
})
export class RefreshStatus {
  readonly updatedAtMs = input<number | null>(null);
  readonly error = input<string | null>(null);

  protected isoTime(ms: number): string {
    return new Date(ms).toISOString();
  }
}
