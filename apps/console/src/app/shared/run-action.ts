import type { WritableSignal } from '@angular/core';
import type { Observable } from 'rxjs';
import { describeHttpError } from '../api/http-error';

/** A page's state for its one action at a time: whether it runs, and the line it ended with (done or the error). */
export interface ActionSignals {
  busy: WritableSignal<boolean>;
  error: WritableSignal<string | null>;
  result: WritableSignal<string | null>;
}

/** Runs REQUEST as the page's action: busy while it runs, then AFTER and the DONE line, or the error in words. */
export function runAction(state: ActionSignals, request: Observable<unknown>, done: string, after: () => void): void {
  state.busy.set(true);
  state.error.set(null);
  state.result.set(null);
  request.subscribe({
    next: () => {
      after();
      state.result.set(done);
      state.busy.set(false);
    },
    error: (err: unknown) => {
      state.error.set(describeHttpError(err));
      state.busy.set(false);
    },
  });
}
