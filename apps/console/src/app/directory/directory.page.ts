import { DatePipe } from '@angular/common';
import { Component, inject, signal, type OnInit } from '@angular/core';
import { FormsModule } from '@angular/forms';
import type { Observable } from 'rxjs';
import { ApiService } from '../api/api.service';
import type { DirectoryPresetFields, DirectorySettings, DirectorySettingsInput, DirectorySyncReport, DirectoryView } from '../api/api.types';
import { describeHttpError } from '../api/http-error';
import { IdentityService } from '../auth/identity.service';

/** One row of the change table: what (account, group, administrator), which, and the change. */
export interface ChangeRow {
  kind: 'account' | 'group' | 'administrator';
  name: string;
  change: string;
}

/** The lists of a sync report as table rows; groups that stay the same are left out. */
export function changeRows(report: DirectorySyncReport): ChangeRow[] {
  return [
    ...report.added.map((a): ChangeRow => ({ kind: 'account', name: a.address, change: `add${a.aliases.length ? ` (aliases ${a.aliases.join(', ')})` : ''}` })),
    ...report.changed.map((c): ChangeRow => ({ kind: 'account', name: c.address, change: c.changes.join('; ') })),
    ...report.removed.map((a): ChangeRow => ({ kind: 'account', name: a.address, change: 'remove' })),
    ...report.groups.filter((g) => g.change !== 'same').map((g): ChangeRow => ({ kind: 'group', name: g.name, change: `${g.change} (${g.members.length} members)` })),
    ...report.roles.map((r): ChangeRow => ({ kind: 'administrator', name: r.username, change: r.change === 'revoke' ? 'revoke' : `${r.change} ${r.role ?? ''}` })),
  ];
}

/** `group: role` lines (one mapping a line, blank lines skipped) into the mappings the API takes. */
export function parseGroupRoles(text: string): { group: string; role: string }[] {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '')
    .map((line) => {
      const at = line.lastIndexOf(':');
      return at < 0 ? { group: line, role: '' } : { group: line.slice(0, at).trim(), role: line.slice(at + 1).trim() };
    });
}

/**
 * LDAP / Active Directory (F2, F19): the tenant's directory settings, a dry run that shows what a sync would
 * change, Sync now, and the last sync's result. Writing needs `directory:write`.
 */
@Component({
  selector: 'moat-directory-page',
  imports: [DatePipe, FormsModule],
  templateUrl: './directory.page.html',
  styleUrl: './directory.page.css',
})
export class DirectoryPage implements OnInit {
  private readonly api = inject(ApiService);
  private readonly identity = inject(IdentityService);

  protected readonly view = signal<DirectoryView | null>(null);
  protected readonly report = signal<DirectorySyncReport | null>(null);
  protected readonly busy = signal(false);
  protected readonly error = signal<string | null>(null);
  protected readonly notice = signal<string | null>(null);
  protected readonly changeRows = changeRows;

  protected preset: DirectorySettings['preset'] = 'openldap';
  protected url = '';
  protected startTls = false;
  protected bindDn = '';
  protected bindPassword = '';
  protected baseDn = '';
  protected groupBaseDn = '';
  protected groupRoles = '';
  protected scheduleMinutes = 0;

  ngOnInit(): void {
    this.api.directory().subscribe({ next: (view) => this.show(view), error: (err: unknown) => this.error.set(describeHttpError(err)) });
  }

  protected canWrite(): boolean {
    return this.identity.can('directory:write');
  }

  protected save(): void {
    const stored = this.view()?.settings ?? null;
    // A changed preset brings its own filters and attribute names; otherwise the stored ones are kept.
    const kept: Partial<Pick<DirectorySettings, DirectoryPresetFields>> = stored && stored.preset === this.preset ? { attributes: stored.attributes, userFilter: stored.userFilter, groupFilter: stored.groupFilter, groupNameAttribute: stored.groupNameAttribute, groupMemberAttribute: stored.groupMemberAttribute } : {};
    const settings = {
      ...kept,
      preset: this.preset,
      url: this.url.trim(),
      startTls: this.startTls,
      ...(stored?.ca ? { ca: stored.ca } : {}),
      bindDn: this.bindDn.trim(),
      ...(this.bindPassword ? { bindPassword: this.bindPassword } : {}),
      baseDn: this.baseDn.trim(),
      groupBaseDn: this.groupBaseDn.trim() || this.baseDn.trim(),
      groupRoles: parseGroupRoles(this.groupRoles),
      scheduleMinutes: Number(this.scheduleMinutes),
    } as DirectorySettingsInput;
    this.run(this.api.saveDirectory(settings), (view) => {
      this.show(view);
      this.bindPassword = '';
      this.notice.set('Settings saved');
    });
  }

  protected sync(dryRun: boolean): void {
    this.run(this.api.syncDirectory(dryRun), (report) => {
      this.report.set(report);
      this.notice.set(dryRun ? 'Dry run: nothing was changed' : `Synced${report.policyVersion ? `, policy version ${report.policyVersion}` : ''}`);
      if (!dryRun) this.api.directory().subscribe((view) => this.view.set(view));
    });
  }

  private show(view: DirectoryView): void {
    this.view.set(view);
    const s = view.settings;
    if (!s) return;
    this.preset = s.preset;
    this.url = s.url;
    this.startTls = s.startTls;
    this.bindDn = s.bindDn;
    this.baseDn = s.baseDn;
    this.groupBaseDn = s.groupBaseDn;
    this.groupRoles = s.groupRoles.map((m) => `${m.group}: ${m.role}`).join('\n');
    this.scheduleMinutes = s.scheduleMinutes;
  }

  private run<T>(request: Observable<T>, done: (value: T) => void): void {
    if (this.busy()) return;
    this.busy.set(true);
    this.error.set(null);
    this.notice.set(null);
    request.subscribe({
      next: (value) => {
        done(value);
        this.busy.set(false);
      },
      error: (err: unknown) => {
        this.error.set(describeHttpError(err));
        this.busy.set(false);
      },
    });
  }
}
