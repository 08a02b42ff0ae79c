import { DatePipe } from '@angular/common';
import { Component, computed, effect, inject, input, signal } from '@angular/core';
import { DomSanitizer, type SafeHtml } from '@angular/platform-browser';
import { RouterLink } from '@angular/router';
import { ApiService } from '../api/api.service';
import type { BulkAction, MailDetail, MessageBodyView } from '../api/api.types';
import { describeBlobError, describeHttpError, serverProblems } from '../api/http-error';
import { saveFile } from '../shared/download';
import { sandboxedDocument } from './sandboxed-html';

/** One message: envelope, headers, the verdict explained symbol by symbol, attachments, deliveries, and what admins did. */
@Component({
  selector: 'moat-message-page',
  imports: [DatePipe, RouterLink],
  templateUrl: './message.page.html',
  styleUrl: './message.page.css',
})
export class MessagePage {
  private readonly api = inject(ApiService);
  private readonly sanitizer = inject(DomSanitizer);

  /** Route parameter. */
  readonly id = input.required<string>();

  protected readonly message = signal<MailDetail | null>(null);
  protected readonly error = signal<string | null>(null);
  protected readonly busy = signal(false);
  protected readonly outcome = signal<{ ok: boolean; text: string } | null>(null);
  /** Where "Forward" sends the message. */
  protected readonly forwardTo = signal('');

  protected readonly releasable = computed(() => {
    const m = this.message();
    return m !== null && (m.action === 'quarantine' || m.action === 'hold') && !m.released && m.deliveryStatus !== 'deleted';
  });
  /** The message's node by name, from the cluster status (its id until the status answers, or if it does not). */
  private readonly nodeNames = signal<ReadonlyMap<string, string>>(new Map());
  protected readonly nodeName = computed(() => {
    const id = this.message()?.nodeId ?? '';
    return this.nodeNames().get(id) ?? id;
  });
  protected readonly forcing = computed(() => new Set(this.message()?.verdict.forcedBy ?? []));

  /** The kept body, once asked for (each view is audited by the CSM, so it is not loaded with the page). */
  protected readonly body = signal<MessageBodyView | null>(null);
  /** Why the body cannot be shown or downloaded (not kept by the retention policy, past its days, unreadable). */
  protected readonly bodyError = signal<string | null>(null);
  protected readonly bodyBusy = signal(false);
  /**
   * The HTML part in a sandboxed iframe (no scripts, opaque origin) behind a CSP that fetches nothing. Trusted here
   * only as an iframe document: Angular's sanitiser would strip the styles, and the sandbox and CSP are the defence.
   */
  protected readonly htmlDocument = computed<SafeHtml | null>(() => {
    const html = this.body()?.html;
    return html ? this.sanitizer.bypassSecurityTrustHtml(sandboxedDocument(html)) : null;
  });

  constructor() {
    effect(() => this.load(this.id()));
    this.api.status().subscribe({
      next: (status) => this.nodeNames.set(new Map(status.nodes.map((n) => [n.id, n.name]))),
      error: () => this.nodeNames.set(new Map()),
    });
  }

  protected act(action: BulkAction, label: string): void {
    if (this.busy()) return;
    this.busy.set(true);
    this.outcome.set(null);
    this.api.mailAction(action, [this.id()], action === 'forward' ? this.forwardTo().trim() : undefined).subscribe({
      next: (result) => {
        this.busy.set(false);
        const item = result.results[0];
        this.outcome.set({ ok: result.failed === 0, text: `${label}: ${item?.ok ? 'done' : 'failed'}${item?.detail ? ` (${item.detail})` : ''}` });
        this.load(this.id());
      },
      error: (err: unknown) => {
        this.busy.set(false);
        this.outcome.set({ ok: false, text: [`${label} failed: ${describeHttpError(err)}`, ...serverProblems(err)].join('; ') });
      },
    });
  }

  protected showBody(): void {
    if (this.bodyBusy()) return;
    this.bodyBusy.set(true);
    this.bodyError.set(null);
    this.api.messageBodyView(this.id()).subscribe({
      next: (view) => {
        this.bodyBusy.set(false);
        this.body.set(view);
      },
      error: (err: unknown) => {
        this.bodyBusy.set(false);
        this.bodyError.set(describeHttpError(err));
      },
    });
  }

  protected downloadBody(): void {
    if (this.bodyBusy()) return;
    this.bodyBusy.set(true);
    this.bodyError.set(null);
    this.api.messageBody(this.id()).subscribe({
      next: (blob) => {
        this.bodyBusy.set(false);
        saveFile(new Blob([blob], { type: 'message/rfc822' }), `${this.id()}.eml`);
      },
      error: (err: unknown) => {
        this.bodyBusy.set(false);
        // A blob response carries the CSM's JSON error as a Blob: read it for the reason.
        void describeBlobError(err).then((text) => this.bodyError.set(text));
      },
    });
  }

  private load(id: string): void {
    this.error.set(null);
    this.api.message(id).subscribe({
      next: (m) => this.message.set(m),
      error: (err: unknown) => this.error.set(describeHttpError(err)),
    });
  }
}
