import { DatePipe } from '@angular/common';
import { Component, inject, signal } from '@angular/core';
import { FormsModule } from '@angular/forms';
import { Subject, startWith, type Observable } from 'rxjs';
import { ApiService } from '../api/api.service';
import type { DkimDnsCheck, DkimDomain } from '../api/api.types';
import { describeHttpError } from '../api/http-error';
import { IdentityService } from '../auth/identity.service';
import { REFRESH_MS, poll } from '../shared/poll';
import { RefreshStatus } from '../shared/refresh-status';

/**
 * DKIM signing (F12): the keys of each sending domain with the TXT record to publish, generation (RSA 2048 or
 * Ed25519, a selector per key), rotation by activating another selector, deletion; and a check, by the CSM's
 * resolver, of what DNS publishes for each key, SPF and DMARC, with the record to publish when it is wrong.
 */
@Component({
  selector: 'moat-dkim-page',
  imports: [DatePipe, FormsModule, RefreshStatus],
  templateUrl: './dkim.page.html',
  styleUrl: './dkim.page.css',
})
export class DkimPage {
  private readonly api = inject(ApiService);
  private readonly identity = inject(IdentityService);

  /** Emits after a change, to show the keys at once rather than at the next refresh. */
  private readonly reload = new Subject<void>();
  protected readonly list = poll(REFRESH_MS, () => this.api.dkimDomains(), this.reload.pipe(startWith(undefined)));
  protected readonly domain = signal('');
  protected readonly selector = signal('');
  protected readonly algorithm = signal<'rsa' | 'ed25519'>('rsa');
  protected readonly busy = signal(false);
  protected readonly error = signal<string | null>(null);
  protected readonly copied = signal<string | null>(null);
  /** The last DNS check of each domain. */
  protected readonly checks = signal<ReadonlyMap<string, DkimDnsCheck>>(new Map());

  protected canWrite(): boolean {
    return this.identity.can('policy:write');
  }

  protected txtRecord(name: string, value: string): string {
    return `${name}. IN TXT "${value}"`;
  }

  protected copy(text: string): void {
    navigator.clipboard.writeText(text).then(
      () => this.copied.set(text),
      () => this.error.set('The browser did not allow copying: select the record and copy it by hand.'),
    );
  }

  protected generate(): void {
    const domain = this.domain().trim();
    if (!domain || this.busy()) return;
    this.run(this.api.generateDkimKey(domain, this.selector().trim(), this.algorithm()), () => this.selector.set(''));
  }

  protected activate(domain: string, selector: string): void {
    this.run(this.api.activateDkimKey(domain, selector));
  }

  protected remove(domain: string, selector: string): void {
    if (this.busy() || !confirm(`Delete the DKIM key ${selector}._domainkey.${domain}? Mail signed with it can no longer be verified once its record is gone.`)) return;
    this.run(this.api.deleteDkimKey(domain, selector));
  }

  protected checkDns(domain: string): void {
    if (this.busy()) return;
    this.busy.set(true);
    this.error.set(null);
    this.api.dkimDnsCheck(domain).subscribe({
      next: (check) => {
        this.checks.update((all) => new Map([...all, [check.domain, check]]));
        this.busy.set(false);
      },
      error: (err: unknown) => this.failed(err),
    });
  }

  private run(call: Observable<DkimDomain | void>, after?: () => void): void {
    if (this.busy()) return;
    this.busy.set(true);
    this.error.set(null);
    call.subscribe({
      next: () => {
        after?.();
        this.busy.set(false);
        this.reload.next();
      },
      error: (err: unknown) => this.failed(err),
    });
  }

  private failed(err: unknown): void {
    this.error.set(describeHttpError(err));
    this.busy.set(false);
  }
}
