import { Component, computed, inject, signal } from '@angular/core';
import { ApiService } from '../api/api.service';
import type { AccountsView } from '../api/api.types';
import { describeHttpError, serverProblems } from '../api/http-error';
import { IdentityService } from '../auth/identity.service';
import { accountRows } from './accounts-view';

/**
 * The tenant's accounts: recipients per domain (the node refuses others at RCPT) and the accounts that may submit
 * mail, searchable; a CSV import (file or pasted text) whose problems are named by line. Password hashes never
 * reach the console: only whether an account has a password.
 */
@Component({
  selector: 'moat-accounts-page',
  templateUrl: './accounts.page.html',
  styleUrl: './accounts.page.css',
})
export class AccountsPage {
  private readonly api = inject(ApiService);

  protected readonly canImport = inject(IdentityService).can('policy:write');
  protected readonly view = signal<AccountsView | null>(null);
  protected readonly search = signal('');
  protected readonly csv = signal('');
  protected readonly replace = signal(false);
  protected readonly busy = signal(false);
  protected readonly error = signal<string | null>(null);
  protected readonly outcome = signal<{ ok: boolean; text: string; problems: string[] } | null>(null);

  protected readonly listed = computed(() => {
    const view = this.view();
    return view ? accountRows(view, this.search()) : { rows: [], openDomains: [] };
  });

  constructor() {
    this.refresh();
  }

  protected readFile(input: HTMLInputElement): void {
    const file = input.files?.[0];
    if (!file) return;
    void file.text().then((text) => this.csv.set(text));
  }

  protected import(): void {
    if (this.busy()) return;
    if (this.csv().trim() === '') {
      this.outcome.set({ ok: false, text: 'Choose a CSV file or paste its lines: one address a line, in the first column.', problems: [] });
      return;
    }
    this.busy.set(true);
    this.outcome.set(null);
    this.api.importAccounts(this.csv(), this.replace()).subscribe({
      next: (result) => {
        this.busy.set(false);
        const domains = result.domains.map((d) => `${d.name}: ${d.accounts} accounts (${d.added} new)`).join('; ');
        this.outcome.set({ ok: true, text: `Imported as policy version ${result.version}. ${domains}`, problems: [] });
        this.csv.set('');
        this.refresh();
      },
      error: (err: unknown) => {
        this.busy.set(false);
        this.outcome.set({ ok: false, text: `Nothing imported: ${describeHttpError(err)}`, problems: serverProblems(err) });
      },
    });
  }

  private refresh(): void {
    this.api.accounts().subscribe({
      next: (view) => {
        this.view.set(view);
        this.error.set(null);
      },
      error: (err: unknown) => this.error.set(describeHttpError(err)),
    });
  }
}
