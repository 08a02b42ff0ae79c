import { DatePipe } from '@angular/common';
import { HttpErrorResponse } from '@angular/common/http';
import { Component, ElementRef, computed, inject, signal, viewChild } from '@angular/core';
import { RouterLink } from '@angular/router';
import { ApiService } from '../api/api.service';
import type { PolicyDiff, PolicyVersionDetail, PolicyVersionInfo } from '../api/api.types';
import { describeHttpError, serverProblems } from '../api/http-error';
import { IdentityService } from '../auth/identity.service';
import { PolicyDiffTable } from './policy-diff.component';

/**
 * The policy's version history: who made each version, when and why; the differences between any two; a
 * version's whole document; and rollback to any version, which publishes its document as a new version after a
 * confirmation (and a second one when it stops mail).
 */
@Component({
  selector: 'moat-policy-versions-page',
  imports: [DatePipe, RouterLink, PolicyDiffTable],
  templateUrl: './policy-versions.page.html',
  styleUrl: './policy-versions.page.css',
})
export class PolicyVersionsPage {
  private readonly api = inject(ApiService);
  private readonly identity = inject(IdentityService);
  private readonly dialog = viewChild<ElementRef<HTMLDialogElement>>('rollbackDialog');

  protected readonly versions = signal<PolicyVersionInfo[] | null>(null);
  /** Newest first. */
  protected readonly newestFirst = computed(() => [...(this.versions() ?? [])].sort((a, b) => b.version - a.version));
  protected readonly current = computed(() => this.newestFirst()[0]?.version ?? 0);
  protected readonly canWrite = computed(() => this.identity.can('policy:write'));
  protected readonly error = signal<string | null>(null);

  protected readonly from = signal(0);
  protected readonly to = signal(0);
  protected readonly diff = signal<PolicyDiff | null>(null);
  protected readonly viewed = signal<PolicyVersionDetail | null>(null);

  /** The version a rollback is being confirmed for, and what the CSM said. */
  protected readonly target = signal<PolicyVersionInfo | null>(null);
  protected readonly rollbackComment = signal('');
  protected readonly rollbackWarnings = signal<string[]>([]);
  protected readonly rollbackConfirmed = signal(false);
  protected readonly rollbackBusy = signal(false);
  protected readonly rollbackError = signal<string | null>(null);
  protected readonly rolledBack = signal<{ version: number; from: number } | null>(null);

  constructor() {
    this.load();
  }

  protected compare(): void {
    const from = this.from();
    const to = this.to();
    if (!from || !to) return;
    this.error.set(null);
    this.api.policyDiff(from, to).subscribe({
      next: (diff) => this.diff.set(diff),
      error: (err: unknown) => this.error.set(describeHttpError(err)),
    });
  }

  protected view(version: number): void {
    this.error.set(null);
    this.api.policyVersion(version).subscribe({
      next: (detail) => this.viewed.set(detail),
      error: (err: unknown) => this.error.set(describeHttpError(err)),
    });
  }

  protected documentText(detail: PolicyVersionDetail): string {
    return JSON.stringify(detail.policy, null, 2);
  }

  protected onFrom(event: Event): void {
    this.from.set(Number((event.target as HTMLSelectElement).value));
  }

  protected onTo(event: Event): void {
    this.to.set(Number((event.target as HTMLSelectElement).value));
  }

  protected askRollback(version: PolicyVersionInfo): void {
    this.target.set(version);
    this.rollbackComment.set('');
    this.rollbackWarnings.set([]);
    this.rollbackConfirmed.set(false);
    this.rollbackError.set(null);
    this.dialog()?.nativeElement.showModal();
  }

  protected closeRollback(): void {
    this.dialog()?.nativeElement.close();
    this.target.set(null);
  }

  protected onRollbackComment(event: Event): void {
    this.rollbackComment.set((event.target as HTMLInputElement).value);
  }

  protected onRollbackConfirm(event: Event): void {
    this.rollbackConfirmed.set((event.target as HTMLInputElement).checked);
  }

  protected rollback(): void {
    const target = this.target();
    if (!target || this.rollbackBusy() || (this.rollbackWarnings().length > 0 && !this.rollbackConfirmed())) return;
    this.rollbackBusy.set(true);
    this.rollbackError.set(null);
    this.api.rollbackPolicy(target.version, this.rollbackComment().trim(), this.rollbackConfirmed()).subscribe({
      next: (made) => {
        this.rollbackBusy.set(false);
        this.rolledBack.set({ version: made.version, from: target.version });
        this.closeRollback();
        this.load();
      },
      error: (err: unknown) => {
        this.rollbackBusy.set(false);
        // 409: the rollback stops mail; the dialog lists why and asks for a second confirmation.
        if (err instanceof HttpErrorResponse && err.status === 409) this.rollbackWarnings.set(serverProblems(err));
        else this.rollbackError.set(describeHttpError(err));
      },
    });
  }

  private load(): void {
    this.api.policyVersions().subscribe({
      next: (versions) => {
        this.versions.set(versions);
        const latest = Math.max(0, ...versions.map((v) => v.version));
        this.to.set(latest);
        this.from.set(Math.max(0, ...versions.map((v) => v.version).filter((v) => v < latest)));
        this.diff.set(null);
      },
      error: (err: unknown) => this.error.set(describeHttpError(err)),
    });
  }
}
