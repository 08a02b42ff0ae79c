import { Component, ElementRef, computed, inject, viewChild } from '@angular/core';
import { lineOf, readJson } from './json-lines';
import { PolicyDraft } from './policy-draft';

interface LineProblem {
  line: number;
  text: string;
}

/**
 * The whole policy as JSON in a text area with line numbers. Syntax errors and the CSM's problems are listed
 * under it by line (and marked in the gutter); "Go to line" puts the cursor there.
 */
@Component({
  selector: 'moat-policy-raw',
  template: `
    <div class="editor">
      <div class="gutter" aria-hidden="true" #gutter>
        @for (n of lineNumbers(); track n) {
          <span [class.bad]="badLines().has(n)">{{ n }}</span>
        }
      </div>
      <textarea
        #area
        id="policy-json"
        data-testid="policy-json"
        spellcheck="false"
        wrap="off"
        aria-label="Policy document (JSON)"
        [attr.aria-invalid]="lineProblems().length > 0"
        aria-describedby="policy-json-problems"
        [value]="text()"
        [readOnly]="!draft.canWrite()"
        (input)="onInput($event)"
        (scroll)="gutter.scrollTop = area.scrollTop"
      ></textarea>
    </div>
    <ul id="policy-json-problems" class="problems" data-testid="json-problems">
      @for (problem of lineProblems(); track $index) {
        <li data-testid="json-problem" [attr.data-line]="problem.line">
          <button type="button" class="link-button" (click)="goTo(problem.line)">Line {{ problem.line }}</button>
          {{ problem.text }}
        </li>
      }
    </ul>
  `,
  styles: `
    :host { display: block; min-width: 0; }
    .editor { display: flex; border: 1px solid var(--border-strong); border-radius: var(--radius); background: var(--surface); height: 32rem; max-height: 70vh; overflow: hidden; }
    .gutter, textarea { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 0.8125rem; line-height: 1.45; padding: 0.5rem; margin: 0; }
    .gutter { flex: none; overflow: hidden; color: var(--muted); background: var(--track); text-align: right; user-select: none; min-width: 3.2rem; }
    .gutter span { display: block; }
    .gutter .bad { color: #fff; background: var(--danger); border-radius: 3px; }
    textarea { flex: 1; border: none; resize: none; outline: none; white-space: pre; overflow: auto; min-width: 0; color: var(--text); background: transparent; }
    textarea[readonly] { background: var(--track); }
    .problems { margin: 0.5rem 0 0; padding: 0; list-style: none; color: var(--danger); font-size: 0.875rem; }
    .problems li { margin-bottom: 0.25rem; }
    .problems .link-button { font-weight: 600; }
  `,
})
export class PolicyRaw {
  protected readonly draft = inject(PolicyDraft);
  private readonly area = viewChild.required<ElementRef<HTMLTextAreaElement>>('area');
  private readonly gutter = viewChild.required<ElementRef<HTMLElement>>('gutter');

  protected readonly text = computed(() => this.draft.rawText() ?? `${JSON.stringify(this.draft.draft() ?? {}, null, 2)}\n`);
  protected readonly lineNumbers = computed(() => Array.from({ length: this.text().split('\n').length }, (_, i) => i + 1));

  /** The syntax error, else each of the CSM's problems on the line of its field (or of the nearest one present). */
  protected readonly lineProblems = computed<LineProblem[]>(() => {
    const syntax = this.draft.syntaxError();
    if (syntax) return [{ line: syntax.line, text: `not JSON: ${syntax.message}` }];
    const reading = readJson(this.text());
    const lines = reading.ok ? reading.lines : new Map<string, number>();
    return this.draft
      .problems()
      .map((p) => ({ line: lineOf(lines, p.path) ?? 1, text: p.path ? `${p.path}: ${p.message}` : p.message }))
      .sort((a, b) => a.line - b.line);
  });
  protected readonly badLines = computed(() => new Set(this.lineProblems().map((p) => p.line)));

  protected onInput(event: Event): void {
    this.draft.setRaw((event.target as HTMLTextAreaElement).value);
  }

  protected goTo(line: number): void {
    const area = this.area().nativeElement;
    const lines = area.value.split('\n');
    const start = lines.slice(0, line - 1).reduce((sum, l) => sum + l.length + 1, 0);
    area.focus();
    area.setSelectionRange(start, start + (lines[line - 1]?.length ?? 0));
    // Selecting does not scroll a text area: show the line with two above it, and the gutter beside it.
    const lineHeight = Number.parseFloat(getComputedStyle(area).lineHeight) || 18;
    area.scrollTop = Math.max(0, (line - 3) * lineHeight);
    this.gutter().nativeElement.scrollTop = area.scrollTop;
  }
}
