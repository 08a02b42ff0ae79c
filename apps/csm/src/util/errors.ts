// Errors the services raise, independent of the transport. The HTTP exception filter and the gRPC server map
// each to their own status codes, so services never speak HTTP or gRPC.

/** Input that fails validation; `problems` lists each one (field path: message). */
export class InvalidInputError extends Error {
  constructor(message: string, readonly problems: string[] = [message]) {
    super(message);
    this.name = 'InvalidInputError';
  }
}

export class NotFoundError extends Error {
  override name = 'NotFoundError';
}

/**
 * The request conflicts with the current state (e.g. releasing a message that was never quarantined);
 * `problems` lists the reasons when there are several (a policy change that stops mail).
 */
export class ConflictError extends Error {
  constructor(message: string, readonly problems: string[] = []) {
    super(message);
    this.name = 'ConflictError';
  }
}

/** A dependency (NATS, ClickHouse, a scan node) cannot serve the request now; retrying later may work. */
export class UnavailableError extends Error {
  override name = 'UnavailableError';
}

export class UnauthenticatedError extends Error {
  override name = 'UnauthenticatedError';
}

export class PermissionDeniedError extends Error {
  override name = 'PermissionDeniedError';
}

/** Too many failed attempts; `retryAfterMs` says when trying again can succeed. */
export class LockedOutError extends Error {
  constructor(message: string, readonly retryAfterMs: number) {
    super(message);
    this.name = 'LockedOutError';
  }
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
