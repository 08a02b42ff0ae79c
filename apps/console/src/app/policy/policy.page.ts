import { Component, computed, inject, signal } from '@angular/core';
import { RouterLink } from '@angular/router';
import { PolicyDiffTable } from './policy-diff.component';
import { PolicyDraft } from './policy-draft';
import { PolicyField } from './policy-field.component';
import { problemsAt } from './policy-path';
import { PolicyRaw } from './policy-raw.component';
import { PolicyRules } from './policy-rules.component';
import { SECTIONS, type SectionSpec } from './policy-sections';

const RAW = 'raw';

/**
 * The policy editor: forms for the sections changed most often and the whole document as JSON, both checked by
 * the CSM as they change (problems beside each field or line). "Review changes" shows the difference from the
 * running version and any change that stops mail, which needs an explicit confirmation, then Publish with a
 * comment makes the next version. Roles without policy:write see the same page read-only.
 */
@Component({
  selector: 'moat-policy-page',
  imports: [RouterLink, PolicyDiffTable, PolicyField, PolicyRaw, PolicyRules],
  providers: [PolicyDraft],
  templateUrl: './policy.page.html',
  styleUrl: './policy.page.css',
})
export class PolicyPage {
  protected readonly draft = inject(PolicyDraft);
  protected readonly sections = SECTIONS;
  protected readonly raw = RAW;

  protected readonly tab = signal<string>(SECTIONS[0]?.id ?? RAW);
  protected readonly section = computed(() => SECTIONS.find((s) => s.id === this.tab()) ?? null);
  protected readonly reviewing = signal(false);
  protected readonly comment = signal('');

  /** Problems per tab, so that a tab with a problem says so before it is opened. */
  protected readonly problemCounts = computed(() => {
    const problems = this.draft.problems();
    const counts = new Map<string, number>(SECTIONS.map((s) => [s.id, pathsOf(s).reduce((n, path) => n + problemsAt(problems, path).length, 0)]));
    counts.set(RAW, problems.length + (this.draft.syntaxError() ? 1 : 0));
    return counts;
  });

  protected readonly warnings = computed(() => this.draft.check()?.warnings ?? []);
  protected readonly canPublish = computed(() => this.draft.publishable() && !this.draft.publishing() && (this.warnings().length === 0 || this.draft.confirmed()));

  constructor() {
    this.draft.load();
  }

  protected select(id: string): void {
    this.tab.set(id);
  }

  protected review(): void {
    this.reviewing.set(true);
  }

  protected discard(): void {
    this.reviewing.set(false);
    this.draft.discard();
  }

  protected publish(): void {
    if (!this.canPublish()) return;
    this.draft.publish(this.comment().trim(), () => {
      this.reviewing.set(false);
      this.comment.set('');
    });
  }

  protected onComment(event: Event): void {
    this.comment.set((event.target as HTMLInputElement).value);
  }

  protected onConfirm(event: Event): void {
    this.draft.confirmed.set((event.target as HTMLInputElement).checked);
  }
}

function pathsOf(section: SectionSpec): string[] {
  return [...section.fields.map((f) => f.path), ...(section.rules ?? []).map((r) => r.path)];
}
