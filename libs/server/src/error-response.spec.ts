import { HttpException, NotFoundException } from '@nestjs/common';
import { describe, expect, it } from 'vitest';
import { MatrixError } from '@gateway/matrix';
import { toErrorResponse } from './error-response';

describe('toErrorResponse', () => {
  it('keeps a MatrixError as it is, with status override and extra fields', () => {
    const err = new MatrixError('M_UNKNOWN_POS', 'Unknown position', { fields: { pos: 'x' } });
    expect(toErrorResponse(err, false)).toEqual({
      status: 400,
      body: { errcode: 'M_UNKNOWN_POS', error: 'Unknown position', pos: 'x' },
      headers: {},
    });
    expect(
      toErrorResponse(new MatrixError('M_UNKNOWN', 'Invalid stream token', { status: 400 }), false).status,
    ).toBe(400);
  });

  it("answers pg-pool's connect timeout (an exhausted pool) with M_LIMIT_EXCEEDED and a retry time, other errors with a 500", () => {
    expect(toErrorResponse(new Error('timeout exceeded when trying to connect'), false)).toEqual({
      status: 429,
      body: { errcode: 'M_LIMIT_EXCEEDED', error: 'Too many requests', retry_after_ms: 1000 },
      headers: { 'Retry-After': '1' },
    });
    expect(toErrorResponse(new Error('timeout exceeded when trying to connect!'), false).status).toBe(500);
    expect(toErrorResponse('timeout exceeded when trying to connect', false).status).toBe(500);
  });

  it('never lets extra fields override errcode or error', () => {
    const err = new MatrixError('M_FORBIDDEN', 'no', { fields: { errcode: 'M_UNKNOWN', error: 'yes' } });
    expect(toErrorResponse(err, false).body).toEqual({ errcode: 'M_FORBIDDEN', error: 'no' });
  });

  it('maps routing errors to M_UNRECOGNIZED with 404 or 405', () => {
    expect(toErrorResponse(new NotFoundException(), false).status).toBe(404);
    expect(toErrorResponse(new NotFoundException(), true)).toMatchObject({
      status: 405,
      body: { errcode: 'M_UNRECOGNIZED' },
    });
  });

  it('turns anything else into a bare 500 M_UNKNOWN', () => {
    for (const thrown of [
      new Error('secret detail'),
      'a string',
      null,
      undefined,
      { statusCode: 'x' },
      new HttpException('x', 503),
    ]) {
      expect(toErrorResponse(thrown, false)).toEqual({
        status: 500,
        body: { errcode: 'M_UNKNOWN', error: 'Internal server error' },
        headers: {},
      });
    }
  });
});
