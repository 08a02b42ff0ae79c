import { Component, computed, inject, signal } from '@angular/core';
import { ApiService } from '../api/api.service';
import { LIST_KINDS, type ListEdit, type ListKind, type ListsView } from '../api/api.types';
import { describeHttpError, serverProblems } from '../api/http-error';
import { IdentityService } from '../auth/identity.service';
import { KIND_LABELS, listEntries } from './lists-view';

/**
 * Block and allow lists (IPs and networks, senders), global and per domain: search, remove, and add a pasted list
 * (one entry a line, each checked by the CSM, problems named by line) published as one policy version with a comment.
 */
@Component({
  selector: 'moat-lists-page',
  templateUrl: './lists.page.html',
  styleUrl: './lists.page.css',
})
export class ListsPage {
  private readonly api = inject(ApiService);

  protected readonly kinds = LIST_KINDS;
  protected readonly kindLabels = KIND_LABELS;
  protected readonly canEdit = inject(IdentityService).can('policy:write');

  protected readonly view = signal<ListsView | null>(null);
  protected readonly scope = signal('');
  protected readonly kind = signal<ListKind>('ip-block');
  protected readonly search = signal('');
  protected readonly paste = signal('');
  protected readonly comment = signal('');
  protected readonly busy = signal(false);
  protected readonly error = signal<string | null>(null);
  protected readonly outcome = signal<{ ok: boolean; text: string; problems: string[] } | null>(null);

  protected readonly entries = computed(() => {
    const view = this.view();
    return view ? listEntries(view, this.scope(), this.kind(), this.search()) : [];
  });

  constructor() {
    this.refresh();
  }

  protected setKind(kind: string): void {
    if ((LIST_KINDS as readonly string[]).includes(kind)) this.kind.set(kind as ListKind);
  }

  protected add(): void {
    const values = this.paste().split(/\r?\n/);
    if (values.every((v) => v.trim() === '')) {
      this.outcome.set({ ok: false, text: 'Paste at least one entry, one a line.', problems: [] });
      return;
    }
    this.edit({ op: 'add', values }, () => this.paste.set(''));
  }

  protected remove(value: string): void {
    this.edit({ op: 'remove', value }, () => undefined);
  }

  private edit(change: Pick<ListEdit, 'op' | 'value' | 'values'>, done: () => void): void {
    if (this.busy()) return;
    const comment = this.comment().trim();
    const edit: ListEdit = { ...change, kind: this.kind(), ...(this.scope() ? { domain: this.scope() } : {}), ...(comment ? { comment } : {}) };
    this.busy.set(true);
    this.outcome.set(null);
    this.api.editList(edit).subscribe({
      next: (result) => {
        this.busy.set(false);
        const count = change.values ? change.values.filter((v) => v.trim()).length : 1;
        const what = change.op === 'add' ? `${count} ${count === 1 ? 'entry' : 'entries'} added` : `${change.value} removed`;
        this.outcome.set({ ok: true, text: `${what}; published as policy version ${result.version}.`, problems: [] });
        this.comment.set('');
        done();
        this.refresh();
      },
      error: (err: unknown) => {
        this.busy.set(false);
        this.outcome.set({ ok: false, text: `Nothing changed: ${describeHttpError(err)}`, problems: serverProblems(err) });
      },
    });
  }

  private refresh(): void {
    this.api.lists().subscribe({
      next: (view) => {
        this.view.set(view);
        this.error.set(null);
        if (this.scope() && !view.domains.some((d) => d.name === this.scope())) this.scope.set('');
      },
      error: (err: unknown) => this.error.set(describeHttpError(err)),
    });
  }
}
