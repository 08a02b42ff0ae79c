import type { ServiceError } from '@grpc/grpc-js';
import { errorText } from '../log.js';
import { Backoff } from './backoff.js';
import type { CsmLink, CsmLoop } from './csm-link.js';

/** The part of a grpc-js streaming call this needs. */
export interface StreamingCall {
  cancel(): void;
  on(event: 'error', listener: (err: ServiceError) => void): unknown;
  on(event: 'end', listener: () => void): unknown;
}

/**
 * A streaming call to the CSM that is reopened with back-off whenever it ends (CSM restarted, network cut).
 * Subclasses open the call and call `received()` on each message, which resets the back-off.
 */
export abstract class ReconnectingCall implements CsmLoop {
  private call: StreamingCall | undefined;
  private retry: NodeJS.Timeout | undefined;
  private readonly backoff = new Backoff();
  private reported = false;

  protected abstract readonly name: string;

  protected abstract open(link: CsmLink): StreamingCall;

  start(link: CsmLink): void {
    if (link.isStopped) return;
    const call = this.open(link);
    this.call = call;
    let ended = false;
    const reopen = (err?: ServiceError) => {
      if (ended || this.call !== call || link.isStopped) return;
      ended = true;
      if (err) {
        if (!this.reported) link.log.warn(`${this.name} to the CSM ended, reopening with back-off: ${errorText(err)}`);
        this.reported = true;
        link.callFailed(err);
      }
      this.retry = setTimeout(() => this.start(link), this.backoff.next());
    };
    call.on('error', reopen);
    call.on('end', () => reopen());
  }

  stop(): void {
    clearTimeout(this.retry);
    const call = this.call;
    this.call = undefined;
    call?.cancel();
  }

  protected received(): void {
    this.backoff.reset();
    this.reported = false;
  }

  protected isCurrent(call: StreamingCall): boolean {
    return this.call === call;
  }
}
