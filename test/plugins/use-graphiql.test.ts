import { gunzipSync } from 'node:zlib';
import { request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import type { RunningGateway } from '../../src/start-gateway.js';
import { startTestGateway } from '../helpers/test-gateway.js';

/** GraphiQL for browsers on GET /graphql (src/plugins/use-graphiql.ts), and GRAPHIQL=false. */

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function gatewayWith(env: Record<string, string>): Promise<RunningGateway> {
  const gateway = await startTestGateway(env);
  cleanups.push(() => gateway.shutdown());
  return gateway;
}

/** What a browser's address bar sends. */
const BROWSER_ACCEPT = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';

describe('GraphiQL', () => {
  it('is on by default: served from the package, compressed, with an ETag and the example operations', async () => {
    const gateway = await gatewayWith({});
    const response = await request(gateway.url, { headers: { accept: 'text/html', 'accept-encoding': 'gzip' } });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-encoding']).toBe('gzip');
    expect(response.headers['cache-control']).toMatch(/max-age=\d+/);
    const html = gunzipSync(Buffer.from(await response.body.arrayBuffer())).toString('utf8');
    expect(html).toContain('mutation AssertContact');
    expect(html).not.toMatch(/<script[^>]+src="https?:/);
    const etag = String(response.headers.etag);
    const again = await fetch(gateway.url, { headers: { accept: 'text/html', 'if-none-match': etag } });
    expect(again.status).toBe(304);
  });

  it('GRAPHIQL=false: a browser gets a 4xx GraphQL answer, not the page', async () => {
    const gateway = await gatewayWith({ GRAPHIQL: 'false' });
    const response = await fetch(gateway.url, { headers: { accept: BROWSER_ACCEPT, 'accept-encoding': 'gzip' } });
    expect(response.status).toBeGreaterThanOrEqual(400);
    expect(response.status).toBeLessThan(500);
    expect(response.headers.get('content-type')).not.toMatch(/html/);
    const body = await response.text();
    expect(body).not.toMatch(/<html|graphiql/i);
    expect(JSON.parse(body)).toEqual({
      errors: [{ message: 'Must provide query string.', extensions: { code: 'BAD_REQUEST' } }],
    });
  });
});
