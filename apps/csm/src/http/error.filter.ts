import { Catch, HttpException, HttpStatus, Logger, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { Response } from 'express';
import {
  ConflictError,
  errorMessage,
  InvalidInputError,
  LockedOutError,
  NotFoundError,
  PermissionDeniedError,
  UnauthenticatedError,
  UnavailableError,
} from '../util/errors.js';

/** Maps service errors to HTTP statuses with a JSON body `{error, problems?}`; anything unexpected is a logged 500. */
@Catch()
export class ErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('http');

  catch(err: unknown, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse<Response>();
    const [statusCode, body] = this.describe(err);
    if (err instanceof LockedOutError) response.setHeader('Retry-After', String(Math.ceil(err.retryAfterMs / 1000)));
    response.status(statusCode).json(body);
  }

  private describe(err: unknown): [number, object] {
    if (err instanceof HttpException) return [err.getStatus(), { error: err.message }];
    if (err instanceof InvalidInputError) return [HttpStatus.BAD_REQUEST, { error: err.message, problems: err.problems }];
    if (err instanceof UnauthenticatedError) return [HttpStatus.UNAUTHORIZED, { error: err.message }];
    if (err instanceof PermissionDeniedError) return [HttpStatus.FORBIDDEN, { error: err.message }];
    if (err instanceof NotFoundError) return [HttpStatus.NOT_FOUND, { error: err.message }];
    if (err instanceof ConflictError) return [HttpStatus.CONFLICT, err.problems.length ? { error: err.message, problems: err.problems } : { error: err.message }];
    if (err instanceof LockedOutError) return [HttpStatus.TOO_MANY_REQUESTS, { error: err.message }];
    if (err instanceof UnavailableError) return [HttpStatus.SERVICE_UNAVAILABLE, { error: err.message }];
    this.logger.error(err instanceof Error ? (err.stack ?? err.message) : errorMessage(err));
    return [HttpStatus.INTERNAL_SERVER_ERROR, { error: `internal error: ${errorMessage(err)}` }];
  }
}
