import { expect } from 'vitest';
import type { RunningGateway } from '../../src/start-gateway.js';
import { type RecordingUpstream, startRecordingUpstream } from './recording-upstream.js';
import { startTestGateway } from './test-gateway.js';

/**
 * A production gateway (no field suggestions) on a loopback port, in front of a
 * recording upstream, for the hostile and clumsy requests of the OWASP GraphQL
 * cheat sheet and scanner lists: each is refused clearly, nothing reaches
 * graph8, and the gateway keeps serving.
 */

export const HOSTILE_MAX_BODY_BYTES = 65_536;

export interface Answer {
  status: number;
  headers: Headers;
  body: { data?: unknown; errors?: Array<{ message: string; extensions?: Record<string, unknown> }> };
}

export interface HostileClient {
  readonly gateway: RunningGateway;
  readonly upstream: RecordingUpstream;
  /** Sends a raw body (JSON by default) with a caller's key. */
  send(body: string | ReadableStream, contentType?: string, method?: string): Promise<Answer>;
  /** Sends `{ query, variables }` as JSON. */
  query(text: string, variables?: unknown): Promise<Answer>;
  /**
   * A clear refusal: never a 5xx (and this status, when given), an error with a
   * message that is not masked, no upstream call, and the gateway still serving.
   */
  expectRefused(answer: Answer | Promise<Answer>, status?: number): Promise<void>;
  close(): Promise<void>;
}

export async function startHostileClient(): Promise<HostileClient> {
  const upstream = await startRecordingUpstream(() => ({ body: { data: { action: 'created', count: 1 } } }));
  const gateway = await startTestGateway({
    NODE_ENV: 'production',
    GRAPH8_API_URL: upstream.url,
    MAX_BODY_BYTES: String(HOSTILE_MAX_BODY_BYTES),
  });
  const send = async (body: string | ReadableStream, contentType = 'application/json', method = 'POST') => {
    const response = await fetch(gateway.url, {
      method,
      headers: { 'content-type': contentType, authorization: 'Bearer k', accept: 'application/json' },
      body,
      ...(typeof body === 'string' ? {} : { duplex: 'half' }),
    } as RequestInit);
    const text = await response.text();
    let parsed: Answer['body'];
    try {
      parsed = JSON.parse(text) as Answer['body'];
    } catch {
      parsed = { errors: [{ message: text }] };
    }
    return { status: response.status, headers: response.headers, body: parsed };
  };
  const query = (text: string, variables?: unknown) => send(JSON.stringify({ query: text, variables }));
  return {
    gateway,
    upstream,
    send,
    query,
    async expectRefused(answer, status) {
      const { status: actual, body } = await answer;
      expect(actual).toBeLessThan(500);
      if (status !== undefined) expect(actual).toBe(status);
      expect(body.errors?.[0]?.message).toBeTruthy();
      expect(body.errors?.[0]?.message).not.toBe('Unexpected error.');
      expect(upstream.calls).toHaveLength(0);
      const health = await query('{ gateway { upstream } }');
      expect(health.status).toBe(200);
    },
    async close() {
      await gateway.shutdown();
      await upstream.close();
    },
  };
}
