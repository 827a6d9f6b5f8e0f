import { afterAll, beforeAll, beforeEach, describe, it } from 'vitest';
import { type HostileClient, startHostileClient } from '../helpers/hostile-requests.js';

/**
 * What a request must look like before GraphQL runs it: POST bodies are JSON
 * (src/plugins/use-request-policy.ts), readable JSON, and mutations never over GET.
 */

let hostile: HostileClient;
beforeAll(async () => {
  hostile = await startHostileClient();
});
afterAll(async () => {
  await hostile.close();
});
beforeEach(() => {
  hostile.upstream.calls.length = 0;
});

const assertContact = (contact: string) => `mutation { assertContact(listId: 1, contact: ${contact}) { action } }`;

describe('POST bodies are JSON: anything a page can post cross-site without a preflight gets 415', () => {
  it('a url-encoded POST', async () => {
    await hostile.expectRefused(
      hostile.send(
        `query=${encodeURIComponent(assertContact('{workEmail: "f@acme.com"}'))}`,
        'application/x-www-form-urlencoded',
      ),
      415,
    );
  });

  it('a multipart POST that uploads no file: multipart is for appendFile only (400)', async () => {
    const boundary = 'graph8-test-boundary';
    const operations = JSON.stringify({ query: assertContact('{workEmail: "m@acme.com"}') });
    const body = `--${boundary}\r\nContent-Disposition: form-data; name="operations"\r\n\r\n${operations}\r\n--${boundary}--\r\n`;
    await hostile.expectRefused(hostile.send(body, `multipart/form-data; boundary=${boundary}`), 400);
  });

  it('a text/plain POST', async () => {
    await hostile.expectRefused(
      hostile.send(JSON.stringify({ query: assertContact('{workEmail: "t@acme.com"}') }), 'text/plain'),
      415,
    );
  });

  it('any other content type (text/csv)', async () => {
    await hostile.expectRefused(hostile.send('a,b', 'text/csv'), 415);
  });
});

describe('bodies and methods GraphQL refuses', () => {
  it('broken JSON is a 400', async () => {
    await hostile.expectRefused(hostile.send('{"query": '), 400);
  });

  it('a mutation over GET is a 405, and nothing is written', async () => {
    const response = await fetch(
      `${hostile.gateway.url}?query=${encodeURIComponent(assertContact('{workEmail: "g@acme.com"}'))}`,
      { headers: { accept: 'application/json', authorization: 'Bearer k' } },
    );
    await hostile.expectRefused(
      { status: response.status, headers: response.headers, body: (await response.json()) as never },
      405,
    );
  });
});
