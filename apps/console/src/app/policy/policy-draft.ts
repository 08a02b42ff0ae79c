import { HttpErrorResponse } from '@angular/common/http';
import { DestroyRef, Injectable, computed, inject, signal } from '@angular/core';
import { takeUntilDestroyed } from '@angular/core/rxjs-interop';
import { Subject, catchError, debounceTime, map, of, switchMap } from 'rxjs';
import { ApiService } from '../api/api.service';
import type { PolicyCheck, PolicyJson, VersionedPolicy } from '../api/api.types';
import { describeHttpError, serverProblems } from '../api/http-error';
import { IdentityService } from '../auth/identity.service';
import { readJson } from './json-lines';
import { parseProblem, valueAt, withValue, type Problem } from './policy-path';

/** How long the editor waits after the last keystroke before it asks the CSM to check the draft. */
export const CHECK_DELAY_MS = 300;

type CheckOutcome = { ok: true; check: PolicyCheck } | { ok: false; problems: Problem[]; error: string | null };

/**
 * The policy being edited on the Policy page: the running version, the administrator's draft, the defaults, and
 * what the CSM says about the draft (POST /api/policy/check, after each change): its problems by field, or the
 * changes against the running version and the warnings publishing would need confirmed. Publishing and its
 * outcome too. One per page (provided by the page component).
 */
@Injectable()
export class PolicyDraft {
  private readonly api = inject(ApiService);
  private readonly identity = inject(IdentityService);
  private readonly checks = new Subject<PolicyJson>();

  readonly running = signal<VersionedPolicy | null>(null);
  readonly draft = signal<PolicyJson | null>(null);
  readonly defaults = signal<PolicyJson | null>(null);
  /** The last answer of the check: problems (invalid draft) or the changes and warnings (valid draft). */
  readonly problems = signal<Problem[]>([]);
  readonly check = signal<PolicyCheck | null>(null);
  readonly checking = signal(false);
  readonly loadError = signal<string | null>(null);
  /** Why the last check or publish failed, in words (not a validation problem: those are in `problems`). */
  readonly error = signal<string | null>(null);
  readonly publishing = signal(false);
  /** The administrator confirmed publishing a change that stops mail; every new draft asks again. */
  readonly confirmed = signal(false);
  /** The version the last publish made, shown until the next edit. */
  readonly published = signal<number | null>(null);

  /** The raw JSON editor's text while it differs from the draft's own formatting (null: made from the draft). */
  readonly rawText = signal<string | null>(null);
  /** Where the raw text stops being JSON; the draft keeps the last document that was. */
  readonly syntaxError = signal<{ line: number; message: string } | null>(null);

  readonly canWrite = computed(() => this.identity.can('policy:write'));
  /** The draft is not the running document as read (edited, even if back to the same values). */
  readonly dirty = computed(() => this.draft() !== this.running()?.policy);
  readonly changed = computed(() => (this.check()?.changes.length ?? 0) > 0);
  /** Publishing is possible: a valid draft with changes, checked against the current draft. */
  readonly publishable = computed(() => this.canWrite() && !this.checking() && !this.syntaxError() && this.problems().length === 0 && this.changed());

  constructor() {
    this.checks
      .pipe(
        debounceTime(CHECK_DELAY_MS),
        switchMap((policy) =>
          this.api.checkPolicy(policy).pipe(
            map((check): CheckOutcome => ({ ok: true, check })),
            catchError((err: unknown) => of<CheckOutcome>(refusal(err))),
            map((outcome) => ({ policy, outcome })),
          ),
        ),
        takeUntilDestroyed(inject(DestroyRef)),
      )
      .subscribe(({ policy, outcome }) => {
        // The answer about a draft since discarded or published is about nothing on the page any more.
        if (policy !== this.draft()) return;
        this.checking.set(false);
        if (outcome.ok) {
          this.problems.set([]);
          this.check.set(outcome.check);
        } else {
          this.problems.set(outcome.problems);
          this.check.set(null);
          if (outcome.error) this.error.set(outcome.error);
        }
      });
  }

  /** Reads the running policy and the defaults; the draft starts as the running document. */
  load(): void {
    this.api.policy().subscribe({
      next: (running) => this.reset(running),
      error: (err: unknown) => this.loadError.set(describeHttpError(err)),
    });
    this.api.policyDefaults().subscribe({
      next: ({ policy }) => this.defaults.set(policy),
      error: () => this.defaults.set(null),
    });
  }

  valueAt(path: string): unknown {
    return valueAt(this.draft(), path);
  }

  defaultAt(path: string): unknown {
    return valueAt(this.defaults(), path);
  }

  /** Sets one field of the draft (undefined: back to the default) and has the draft checked. */
  set(path: string, value: unknown): void {
    const draft = this.draft();
    if (!draft) return;
    this.rawText.set(null);
    this.syntaxError.set(null);
    this.replace(withValue(draft, path, value));
  }

  /** The raw editor's TEXT: a JSON object becomes the draft; anything else is a syntax error at a line. */
  setRaw(text: string): void {
    this.rawText.set(text);
    const reading = readJson(text);
    if (!reading.ok) {
      this.syntaxError.set({ line: reading.line, message: reading.message });
      return;
    }
    if (typeof reading.value !== 'object' || reading.value === null || Array.isArray(reading.value)) {
      this.syntaxError.set({ line: 1, message: 'the policy must be a JSON object ({ ... })' });
      return;
    }
    this.syntaxError.set(null);
    this.replace(reading.value as PolicyJson);
  }

  /** Replaces the whole draft (the raw JSON editor) and has it checked. */
  replace(draft: PolicyJson): void {
    this.draft.set(draft);
    this.confirmed.set(false);
    this.published.set(null);
    this.error.set(null);
    this.checking.set(true);
    this.checks.next(draft);
  }

  /** Back to the running document. */
  discard(): void {
    const running = this.running();
    if (running) this.reset(running);
  }

  /** Publishes the draft with COMMENT (a change that stops mail only once `confirmed`); DONE gets the new version. */
  publish(comment: string, done: (version: number) => void = () => undefined): void {
    const confirm = this.confirmed();
    const draft = this.draft();
    if (!draft || !this.publishable() || this.publishing()) return;
    this.publishing.set(true);
    this.error.set(null);
    this.api.putPolicy(draft, comment, confirm).subscribe({
      next: (made) => {
        this.publishing.set(false);
        this.reset(made);
        this.published.set(made.version);
        done(made.version);
      },
      error: (err: unknown) => {
        this.publishing.set(false);
        const { problems, error } = refusal(err);
        // Mail-stopping (409): the running version changed under the draft, or confirm was missing; check again.
        if (err instanceof HttpErrorResponse && err.status === 409) this.replace(draft);
        else if (problems.length) this.problems.set(problems);
        this.error.set(error ?? describeHttpError(err));
      },
    });
  }

  private reset(running: VersionedPolicy): void {
    this.running.set(running);
    this.draft.set(running.policy);
    this.confirmed.set(false);
    this.rawText.set(null);
    this.syntaxError.set(null);
    this.problems.set([]);
    this.check.set({ version: running.version, changes: [], warnings: [] });
    this.checking.set(false);
    this.loadError.set(null);
  }
}

/** Why the CSM refused a draft: its problems by field, or (not a validation answer) the error in words. */
function refusal(err: unknown): { ok: false; problems: Problem[]; error: string | null } {
  const problems = serverProblems(err).map(parseProblem);
  const validation = err instanceof HttpErrorResponse && err.status === 400 && problems.length > 0;
  return { ok: false, problems: validation ? problems : [], error: validation ? null : describeHttpError(err) };
}
