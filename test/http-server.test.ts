import { connect } from 'node:net';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startSimulator } from '../src/simulator/server.js';
import { HOSTILE_MAX_BODY_BYTES, type HostileClient, startHostileClient } from './helpers/hostile-requests.js';
import { startTestGateway } from './helpers/test-gateway.js';

/** The Node layer (src/http-server.ts): the body limit, bodies it cannot use, and the drain. */

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

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const assertContact = (contact: string) => `mutation { assertContact(listId: 1, contact: ${contact}) { action } }`;

describe('MAX_BODY_BYTES: 413 before anything is parsed', () => {
  it('reads a body just under the limit, refuses one just over (and one far over) with 413, and keeps serving', async () => {
    const base = JSON.stringify({ query: '{ gateway { version } }', variables: { pad: '' } });
    const under = JSON.stringify({
      query: '{ gateway { version } }',
      variables: { pad: 'x'.repeat(HOSTILE_MAX_BODY_BYTES - base.length) },
    });
    expect(Buffer.byteLength(under)).toBe(HOSTILE_MAX_BODY_BYTES);
    expect((await hostile.send(under)).status).toBe(200);
    const over = JSON.stringify({
      query: '{ gateway { version } }',
      variables: { pad: 'x'.repeat(HOSTILE_MAX_BODY_BYTES - base.length + 1) },
    });
    await hostile.expectRefused(hostile.send(over), 413);
    const farOver = JSON.stringify({ query: '{ gateway { version } }', variables: { pad: 'x'.repeat(250_000) } });
    await hostile.expectRefused(hostile.send(farOver), 413);
  });

  it('counts a chunked body (no Content-Length) and refuses it with 413 past the limit', async () => {
    const stream = new ReadableStream({
      start(controller) {
        for (let i = 0; i < 10; i++) controller.enqueue(new TextEncoder().encode('x'.repeat(10_000)));
        controller.close();
      },
    });
    await hostile.expectRefused(hostile.send(stream), 413);
  });
});

describe('MAX_BODY_BYTES against a client that keeps sending', () => {
  for (const framing of ['chunked', 'a Content-Length of 100 MB'] as const) {
    it(`${framing}: 413, and the server closes the connection while the client is still sending`, async () => {
      const socket = connect(Number(new URL(hostile.gateway.url).port), '127.0.0.1');
      let received = '';
      socket.on('data', (chunk) => {
        received += chunk.toString('utf8');
      });
      socket.on('error', () => {});
      const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
      const chunked = framing === 'chunked';
      socket.write(
        `POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n${chunked ? 'Transfer-Encoding: chunked' : 'Content-Length: 100000000'}\r\n\r\n`,
      );
      const piece = 'x'.repeat(8_192);
      const sending = setInterval(() => {
        if (!socket.destroyed) socket.write(chunked ? `${piece.length.toString(16)}\r\n${piece}\r\n` : piece);
      }, 5);
      try {
        const outcome = await Promise.race([
          closed.then(() => 'closed'),
          new Promise((resolve) => setTimeout(() => resolve('still open after 10 s'), 10_000)),
        ]);
        expect(outcome).toBe('closed');
      } finally {
        clearInterval(sending);
        socket.destroy();
      }
      expect(received).toMatch(/^HTTP\/1\.1 413 /);
      expect(received).toMatch(/connection: close/i);
      expect(hostile.upstream.calls).toHaveLength(0);
    });
  }
});

describe('bodies the server cannot use', () => {
  it('a wrong Content-Length', async () => {
    const { port } = new URL(hostile.gateway.url);
    const body = JSON.stringify({ query: assertContact('{workEmail: "cl@acme.com"}') });
    const raw = await new Promise<string>((resolve) => {
      const socket = connect(Number(port), '127.0.0.1');
      let received = '';
      socket.on('data', (chunk) => {
        received += chunk.toString('utf8');
      });
      socket.on('close', () => resolve(received));
      socket.write(
        `POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nConnection: close\r\nContent-Length: 20\r\n\r\n${body}`,
      );
      setTimeout(() => socket.end(), 300);
    });
    expect(raw).toMatch(/^HTTP\/1\.1 4\d\d/);
    expect(hostile.upstream.calls).toHaveLength(0);
    expect((await hostile.query('{ gateway { upstream } }')).status).toBe(200);
  });

  it('an empty body is a 400', async () => {
    await hostile.expectRefused(hostile.send(''), 400);
  });
});

describe('the drain', () => {
  it('a request arriving during the drain on a kept-alive connection gets 503 with Connection: close, while the one in flight finishes', async () => {
    const simulator = await startSimulator({ faults: { latencyMs: 300, errorRate: 0, rateLimitPerSecond: 0 } });
    cleanups.push(() => simulator.close());
    const gateway = await startTestGateway({ GRAPH8_API_URL: simulator.url });
    cleanups.push(() => gateway.shutdown());
    const { port } = new URL(gateway.url);
    const body = JSON.stringify({ query: assertContact('{workEmail: "ka@acme.com"}') });
    const socket = connect(Number(port), '127.0.0.1');
    let received = '';
    socket.on('data', (chunk) => {
      received += chunk.toString('utf8');
    });
    const closed = new Promise((resolve) => socket.on('close', resolve));
    socket.write(
      `POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nAuthorization: Bearer k\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    );
    await new Promise((resolve) => setTimeout(resolve, 100));
    const drained = gateway.shutdown();
    await new Promise((resolve) => setTimeout(resolve, 20));
    socket.write('GET /health HTTP/1.1\r\nHost: x\r\n\r\n');
    await closed;
    expect(await drained).toEqual({ drained: true });
    const responses = received.split(/(?=HTTP\/1\.1 )/);
    expect(responses[0]).toMatch(/^HTTP\/1\.1 200/);
    expect(responses[0]).toContain('"action":"CREATED"');
    expect(responses[1]).toMatch(/^HTTP\/1\.1 503/);
    expect(responses[1]).toMatch(/connection: close/i);
  });
});
