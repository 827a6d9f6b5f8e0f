import { describe, expect, it } from 'vitest';
import { parseUpstreamError } from '../../src/upstream/upstream-error.js';

const answer = (status: number, bodyText: string, headers: Record<string, string> = {}) => ({
  status,
  bodyText,
  headers,
});

describe('parseUpstreamError', () => {
  it('reads {"detail": "..."}', () => {
    const error = parseUpstreamError(answer(404, '{"detail":"Company not found"}', { 'x-request-id': 'r-1' }));
    expect(error.code).toBe('NOT_FOUND');
    expect(error.message).toBe('Company not found');
    expect(error.details).toEqual({ status: 404, upstreamRequestId: 'r-1', body: { detail: 'Company not found' } });
  });

  it('reads FastAPI field lists', () => {
    const body = {
      detail: [
        { loc: ['body', 'contacts', 3, 'work_email'], msg: 'bad email', type: 'value_error' },
        { loc: ['query'], msg: 'x' },
      ],
    };
    const error = parseUpstreamError(answer(422, JSON.stringify(body)));
    expect(error.code).toBe('UPSTREAM_REJECTED');
    expect(error.message).toBe('contacts.3.work_email: bad email; query: x');
    expect(error.details.fieldErrors).toEqual([
      { field: 'contacts.3.work_email', message: 'bad email', type: 'value_error' },
      { field: 'query', message: 'x' },
    ]);
  });

  it('reads {"error": {code, message, field, request_id}}', () => {
    const body = { error: { code: 'invalid', message: 'Bad field', field: 'domain', request_id: 'body-r' } };
    const error = parseUpstreamError(answer(400, JSON.stringify(body)));
    expect(error.message).toBe('Bad field');
    expect(error.details).toMatchObject({
      upstreamRequestId: 'body-r',
      fieldErrors: [{ field: 'domain', message: 'Bad field' }],
    });
  });

  it('prefers the X-Request-Id header to the body', () => {
    const error = parseUpstreamError(
      answer(400, '{"error":{"message":"m","request_id":"body"}}', { 'x-request-id': 'head' }),
    );
    expect(error.details.upstreamRequestId).toBe('head');
  });

  for (const [name, text] of [
    ['empty', ''],
    ['HTML', '<html><h1>502 Bad Gateway</h1></html>'],
    ['truncated JSON', '{"detail": "Rate li'],
    ['a JSON list', '[1,2]'],
  ]) {
    it(`copes with an ${name} body`, () => {
      const error = parseUpstreamError(answer(502, text as string));
      expect(error.code).toBe('UPSTREAM_UNAVAILABLE');
      expect(error.message).toBe('graph8 answered HTTP 502 without a readable message');
      expect(error.details).toEqual({ status: 502 });
    });
  }

  it('maps every status to its code, with Retry-After', () => {
    const codes = [401, 403, 404, 408, 429, 400, 402, 409, 422, 500, 503].map(
      (status) => parseUpstreamError(answer(status, '')).code,
    );
    expect(codes).toEqual([
      'UNAUTHENTICATED',
      'FORBIDDEN',
      'NOT_FOUND',
      'UPSTREAM_TIMEOUT',
      'RATE_LIMITED',
      'UPSTREAM_REJECTED',
      'UPSTREAM_REJECTED',
      'UPSTREAM_REJECTED',
      'UPSTREAM_REJECTED',
      'UPSTREAM_UNAVAILABLE',
      'UPSTREAM_UNAVAILABLE',
    ]);
    expect(parseUpstreamError(answer(429, '', { 'retry-after': '7' })).details.retryAfterSeconds).toBe(7);
  });
});
