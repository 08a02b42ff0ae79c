import { HttpErrorResponse } from '@angular/common/http';
import { describe, expect, it } from 'vitest';
import { describeBlobError, describeHttpError } from './http-error';

describe('describeHttpError', () => {
  it('names the status and the CSM reason', () => {
    expect(describeHttpError(new HttpErrorResponse({ status: 404, error: { error: 'not kept' } }))).toBe('404: not kept');
    expect(describeHttpError(new HttpErrorResponse({ status: 0 }))).toBe('Cannot reach the Moat server');
  });

  it('reads the reason of a blob request from its JSON body', async () => {
    const error = new Blob([JSON.stringify({ error: 'the body of message m1 is not kept: past its 30 days of retention' })], { type: 'application/json' });
    expect(await describeBlobError(new HttpErrorResponse({ status: 404, statusText: 'Not Found', error }))).toBe('404: the body of message m1 is not kept: past its 30 days of retention');
    expect(await describeBlobError(new HttpErrorResponse({ status: 500, statusText: 'Internal Server Error', error: new Blob(['<html>']) }))).toBe('500 Internal Server Error');
  });
});
