import { DestroyRef, inject, signal, type Signal } from '@angular/core';
import { takeUntilDestroyed } from '@angular/core/rxjs-interop';
import { catchError, exhaustMap, map, of, switchMap, timer, type Observable } from 'rxjs';
import { describeHttpError } from '../api/http-error';

export interface Polled<T> {
  /** The last successful answer; kept while later calls fail so the page does not go blank. */
  readonly data: Signal<T | undefined>;
  /** Why the last call failed, or null after a success. */
  readonly error: Signal<string | null>;
  /** When the last successful answer arrived (ms since the epoch). */
  readonly updatedAtMs: Signal<number | null>;
}

type Outcome<T> = { ok: true; value: T } | { ok: false; error: string };

/**
 * Calls `load` now and every `periodMs` until the calling component is destroyed. A slow call is not overlapped
 * by the next one. Each value of `restart` (a changed range) calls it again at once and restarts the period; the
 * last answer stays shown meanwhile. Must run in an injection context.
 */
export function poll<T>(periodMs: number, load: () => Observable<T>, restart: Observable<unknown> = of(null)): Polled<T> {
  const data = signal<T | undefined>(undefined);
  const error = signal<string | null>(null);
  const updatedAtMs = signal<number | null>(null);
  restart
    .pipe(
      // A restart drops the call in flight: its answer is for the old range.
      switchMap(() =>
        timer(0, periodMs).pipe(
          exhaustMap(() =>
            load().pipe(
              map((value): Outcome<T> => ({ ok: true, value })),
              catchError((err: unknown) => of<Outcome<T>>({ ok: false, error: describeHttpError(err) })),
            ),
          ),
        ),
      ),
      takeUntilDestroyed(inject(DestroyRef)),
    )
    .subscribe((outcome) => {
      if (outcome.ok) {
        data.set(outcome.value);
        error.set(null);
        updatedAtMs.set(Date.now());
      } else {
        error.set(outcome.error);
      }
    });
  return { data: data.asReadonly(), error: error.asReadonly(), updatedAtMs: updatedAtMs.asReadonly() };
}

/** Refresh period of the live pages. */
export const REFRESH_MS = 5000;
