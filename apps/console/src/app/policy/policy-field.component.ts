import { Component, computed, inject, input, signal } from '@angular/core';
import type { FieldSpec } from './policy-sections';
import { PolicyDraft } from './policy-draft';
import { problemsAt, shortValue, valueAt } from './policy-path';

/**
 * One field of the policy draft: its control, its default, whether it differs from the running version, and the
 * CSM's problems with it right beside it. Read-only for roles that cannot write policy.
 */
@Component({
  selector: 'moat-policy-field',
  templateUrl: './policy-field.component.html',
  styleUrl: './policy-field.component.css',
  host: { '[attr.data-testid]': '"field-" + path()', '[class.compact]': 'compact()' },
})
export class PolicyField {
  protected readonly draft = inject(PolicyDraft);

  readonly spec = input.required<FieldSpec>();
  /** The field's full path in the document. */
  readonly path = input.required<string>();
  /** In a table row: the label is the column header (and the control's aria-label). */
  readonly compact = input(false);

  protected readonly id = computed(() => `pf-${this.path().replaceAll('.', '-')}`);
  protected readonly value = computed(() => this.draft.valueAt(this.path()));
  protected readonly problems = computed(() => problemsAt(this.draft.problems(), this.path()));
  protected readonly changed = computed(() => JSON.stringify(valueAt(this.draft.running()?.policy, this.path())) !== JSON.stringify(this.value()));
  protected readonly defaultText = computed(() => {
    const value = this.draft.defaultAt(this.path());
    if (value === undefined) return null;
    if (typeof value === 'boolean') return value ? 'on' : 'off';
    if (Array.isArray(value)) return value.length ? value.join(', ') : 'none';
    return typeof value === 'string' ? value : shortValue(value);
  });

  /** What the administrator typed in a lines field, kept while it means the same list as the draft's. */
  private readonly typed = signal<string | null>(null);
  protected readonly linesText = computed(() => {
    const value = this.value();
    const list = Array.isArray(value) ? value.map(String) : [];
    const typed = this.typed();
    return typed !== null && JSON.stringify(toLines(typed)) === JSON.stringify(list) ? typed : list.join('\n');
  });

  protected text(): string {
    const value = this.value();
    return value === undefined || value === null ? '' : String(value);
  }

  protected onBoolean(event: Event): void {
    this.draft.set(this.path(), (event.target as HTMLInputElement).checked);
  }

  protected onSelect(event: Event): void {
    const value = (event.target as HTMLSelectElement).value;
    this.draft.set(this.path(), value === '' ? undefined : value);
  }

  protected onNumber(event: Event): void {
    const field = event.target as HTMLInputElement;
    // A number being typed ("-", "1e"): wait for the rest rather than clear what is on screen.
    if (field.validity.badInput) return;
    // Empty: back to the default (or, for a field without one, a problem the CSM names).
    this.draft.set(this.path(), field.value.trim() === '' ? undefined : Number.isFinite(field.valueAsNumber) ? field.valueAsNumber : field.value);
  }

  protected onText(event: Event): void {
    const value = (event.target as HTMLInputElement).value;
    this.draft.set(this.path(), value === '' && this.spec().optional ? undefined : value);
  }

  protected onLines(event: Event): void {
    const text = (event.target as HTMLTextAreaElement).value;
    this.typed.set(text);
    this.draft.set(this.path(), toLines(text));
  }

  /** Where a problem is inside the field: "entry 3" of a list, or the part of the path below the field. */
  protected where(path: string): string {
    const rest = path.slice(this.path().length + 1);
    if (rest === '') return '';
    return /^\d+$/.test(rest) ? `entry ${Number(rest) + 1}: ` : `${rest}: `;
  }
}

function toLines(text: string): string[] {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '');
}
