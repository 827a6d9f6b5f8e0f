import { createServer } from 'node:http';
import { Pool } from 'undici';

/**
 * A loopback proxy in front of the simulator that records every call it
 * forwards: when it arrived, the simulator's own rate window for it (the
 * second before the answer's `X-RateLimit-Reset`, which the simulator sets on
 * 200s and 429s alike), the status, and whether it was a batch call (import
 * chunks) or a single assert (interactive `assertContact`). `GET /__calls`
 * answers the records so far; nothing else is changed on the way, except that
 * DELAY_MS holds each call that long before it is forwarded (one-way transit).
 * Run as its own process (PORT, TARGET: the simulator's origin).
 */
const port = Number(process.env.PORT ?? 0);
/** One-way transit to add: each call is held this long before it is forwarded (0: none). */
const delayMs = Number(process.env.DELAY_MS ?? 0);
const target = process.env.TARGET;
if (!target) throw new Error('TARGET (the simulator origin) is required');

const pool = new Pool(target, { connections: 256, keepAliveTimeout: 60_000 });

/** [arrived epoch ms, simulator window (Unix second) or -1, status (0: no answer), 1 batch / 0 single] */
type CallRecord = [number, number, number, number];
const calls: CallRecord[] = [];
let inFlight = 0;
let maxInFlight = 0;

const server = createServer({ keepAliveTimeout: 65_000 }, (request, response) => {
  if (request.url === '/__calls') {
    const body = JSON.stringify({ calls, maxInFlight });
    response.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    response.end(body);
    return;
  }
  const chunks: Buffer[] = [];
  request.on('data', (chunk: Buffer) => chunks.push(chunk));
  request.on('end', async () => {
    const arrived = Date.now();
    if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs));
    const batch = request.url?.endsWith('/batch') ? 1 : 0;
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    const headers = { ...request.headers };
    delete headers.host;
    delete headers.connection;
    delete headers['keep-alive'];
    delete headers['transfer-encoding'];
    pool
      .request({
        path: request.url ?? '/',
        method: (request.method ?? 'GET') as 'PUT',
        headers,
        body: Buffer.concat(chunks),
      })
      .then(async (answer) => {
        const body = Buffer.from(await answer.body.arrayBuffer());
        const reset = Number(answer.headers['x-ratelimit-reset']);
        calls.push([arrived, Number.isFinite(reset) ? reset - 1 : -1, answer.statusCode, batch]);
        const out: Record<string, string | string[]> = {};
        for (const [name, value] of Object.entries(answer.headers)) {
          if (value !== undefined && name !== 'connection' && name !== 'keep-alive' && name !== 'transfer-encoding') {
            out[name] = value;
          }
        }
        out['content-length'] = String(body.length);
        response.writeHead(answer.statusCode, out);
        response.end(body);
      })
      .catch(() => {
        calls.push([arrived, -1, 0, batch]);
        request.socket.destroy();
      })
      .finally(() => {
        inFlight--;
      });
  });
});

server.listen(port, '127.0.0.1', () => {
  const address = server.address();
  console.log(`recording proxy listening on ${typeof address === 'object' && address ? address.port : port}`);
});
process.once('SIGTERM', () => {
  server.closeAllConnections();
  server.close(() => {
    void pool.close().finally(() => process.exit(0));
  });
});
