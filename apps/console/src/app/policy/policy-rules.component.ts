import { Component, computed, inject, input } from '@angular/core';
import { PolicyField } from './policy-field.component';
import { freeRuleName, type RulesSpec } from './policy-sections';
import { PolicyDraft } from './policy-draft';
import { problemsAt } from './policy-path';

/** A list of rules (rate rules, regex filters, domains) as a table: one row per rule, a field per column, add and remove. */
@Component({
  selector: 'moat-policy-rules',
  imports: [PolicyField],
  template: `
    <div class="table-wrap">
      <table [attr.data-testid]="'rules-' + spec().path">
        <caption>{{ spec().label }}</caption>
        <thead>
          <tr>
            @for (column of spec().columns; track column.path) {
              <th scope="col">{{ column.label }}</th>
            }
            @if (draft.canWrite()) {
              <th scope="col"><span class="sr-only">Remove</span></th>
            }
          </tr>
        </thead>
        <tbody>
          @for (row of rows(); track $index; let i = $index) {
            <tr data-testid="rule-row">
              @for (column of spec().columns; track column.path) {
                <td><moat-policy-field [spec]="column" [path]="spec().path + '.' + i + '.' + column.path" [compact]="true" /></td>
              }
              @if (draft.canWrite()) {
                <td><button type="button" class="link-button" (click)="remove(i)" [attr.aria-label]="'Remove ' + noun() + ' ' + (i + 1)" data-testid="rule-remove">Remove</button></td>
              }
            </tr>
          } @empty {
            <tr>
              <td [attr.colspan]="spec().columns.length + 1" class="empty">No {{ noun() }}s.</td>
            </tr>
          }
        </tbody>
      </table>
    </div>
    @for (problem of ownProblems(); track $index) {
      <p class="problem" role="alert">{{ problem.path }}: {{ problem.message }}</p>
    }
    @if (draft.canWrite()) {
      <button type="button" class="secondary" (click)="add()" data-testid="rule-add">Add a {{ noun() }}</button>
    }
  `,
  styles: `
    :host { display: block; min-width: 0; }
    .table-wrap { position: relative; overflow-x: auto; margin-bottom: 0.75rem; }
    table { min-width: 48rem; }
    td { vertical-align: top; padding: 0.4rem 0.5rem; }
    th { padding: 0.4rem 0.5rem; }
    .problem { margin: 0 0 0.5rem; color: var(--danger); font-size: 0.8125rem; }
  `,
})
export class PolicyRules {
  protected readonly draft = inject(PolicyDraft);
  readonly spec = input.required<RulesSpec>();
  protected readonly noun = computed(() => this.spec().noun ?? 'rule');

  protected readonly rows = computed(() => {
    const value = this.draft.valueAt(this.spec().path);
    return Array.isArray(value) ? (value as unknown[]) : [];
  });

  /** Problems about the list or a whole row (those about a cell are shown in it). */
  protected readonly ownProblems = computed(() => {
    const base = this.spec().path;
    return problemsAt(this.draft.problems(), base).filter((p) => p.path === base || /^\d+$/.test(p.path.slice(base.length + 1)));
  });

  protected add(): void {
    const rows = this.rows();
    this.draft.set(this.spec().path, [...rows, this.spec().newRow(freeRuleName(rows))]);
  }

  protected remove(index: number): void {
    this.draft.set(
      this.spec().path,
      this.rows().filter((_, i) => i !== index),
    );
  }
}
