import { DatePipe } from '@angular/common';
import { Component, DestroyRef, inject, signal } from '@angular/core';
import { FormsModule } from '@angular/forms';
import { ApiService } from '../api/api.service';
import type { CertificateView, CsrResult } from '../api/api.types';
import { describeHttpError } from '../api/http-error';
import { REFRESH_MS, poll } from '../shared/poll';
import { RefreshStatus } from '../shared/refresh-status';

/**
 * Per-domain certificates the scan nodes serve by SNI: the list with expiry warnings, a CSR to generate and download
 * (the key stays encrypted in the CSM), and the upload of the certificate issued for it. Nodes serve an uploaded
 * certificate at once, without a restart; the list follows at its next refresh.
 */
@Component({
  selector: 'moat-certificates-page',
  imports: [DatePipe, FormsModule, RefreshStatus],
  templateUrl: './certificates.page.html',
  styleUrl: './certificates.page.css',
})
export class CertificatesPage {
  private readonly api = inject(ApiService);

  protected readonly list = poll(REFRESH_MS, () => this.api.certificates());

  protected readonly csrDomain = signal('');
  protected readonly keyType = signal<'rsa' | 'ecdsa'>('rsa');
  protected readonly csr = signal<CsrResult | null>(null);
  protected readonly csrUrl = signal<string | null>(null);

  protected readonly uploadDomain = signal('');
  protected readonly certificate = signal('');
  protected readonly chain = signal('');
  protected readonly uploaded = signal<CertificateView | null>(null);

  protected readonly busy = signal(false);
  protected readonly error = signal<string | null>(null);

  constructor() {
    inject(DestroyRef).onDestroy(() => this.revokeCsrUrl());
  }

  protected generateCsr(): void {
    const domain = this.csrDomain().trim();
    if (!domain || this.busy()) return;
    this.start();
    this.api.createCsr(domain, this.keyType()).subscribe({
      next: (result) => {
        this.revokeCsrUrl();
        this.csr.set(result);
        this.csrUrl.set(URL.createObjectURL(new Blob([result.csr], { type: 'application/pkcs10' })));
        this.uploadDomain.set(result.domain);
        this.done();
      },
      error: (err: unknown) => this.failed(err),
    });
  }

  protected upload(): void {
    const domain = this.uploadDomain().trim();
    if (!domain || !this.certificate().trim() || this.busy()) return;
    this.start();
    this.api.uploadCertificate(domain, this.certificate(), this.chain()).subscribe({
      next: (view) => {
        this.uploaded.set(view);
        this.certificate.set('');
        this.chain.set('');
        this.done();
      },
      error: (err: unknown) => this.failed(err),
    });
  }

  protected fileName(domain: string): string {
    return `${domain.replace('*', '_')}.csr`;
  }

  private start(): void {
    this.busy.set(true);
    this.error.set(null);
    this.uploaded.set(null);
  }

  private done(): void {
    this.busy.set(false);
  }

  private failed(err: unknown): void {
    this.error.set(describeHttpError(err));
    this.busy.set(false);
  }

  private revokeCsrUrl(): void {
    const url = this.csrUrl();
    if (url) URL.revokeObjectURL(url);
  }
}
