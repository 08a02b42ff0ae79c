import { Component, input } from '@angular/core';
import type { PolicyChange } from '../api/api.types';
import { shortValue } from './policy-path';

const OPS: Record<PolicyChange['op'], string> = { add: 'added', remove: 'removed', change: 'changed' };

/** Differences between two policy documents as a table: path, what it was, what it becomes. */
@Component({
  selector: 'moat-policy-diff',
  template: `
    <div class="table-wrap">
      <table data-testid="policy-diff">
        <caption>{{ caption() }}</caption>
        <thead>
          <tr>
            <th scope="col">Field</th>
            <th scope="col">Change</th>
            <th scope="col">Was</th>
            <th scope="col">Becomes</th>
          </tr>
        </thead>
        <tbody>
          @for (change of changes(); track change.path) {
            <tr data-testid="diff-row" [attr.data-path]="change.path">
              <th scope="row" class="mono">{{ change.path }}</th>
              <td>{{ op(change) }}</td>
              <td class="mono old" data-testid="diff-old">{{ value(change.from) }}</td>
              <td class="mono new" data-testid="diff-new">{{ value(change.to) }}</td>
            </tr>
          } @empty {
            <tr>
              <td colspan="4" class="empty" data-testid="diff-empty">No differences.</td>
            </tr>
          }
        </tbody>
      </table>
    </div>
  `,
  styles: `
    :host { display: block; min-width: 0; }
    /* Positioned, so that nothing absolutely placed in the table (screen-reader text) widens the page. */
    .table-wrap { position: relative; overflow-x: auto; }
    th[scope='row'] { white-space: normal; overflow-wrap: anywhere; font-weight: 500; }
    td.mono { overflow-wrap: anywhere; max-width: 28rem; }
    .old { color: var(--danger); }
    .new { color: var(--ok); }
  `,
})
export class PolicyDiffTable {
  readonly changes = input.required<readonly PolicyChange[]>();
  readonly caption = input('Changes');

  protected op(change: PolicyChange): string {
    return OPS[change.op];
  }

  protected value(value: unknown): string {
    return shortValue(value);
  }
}
