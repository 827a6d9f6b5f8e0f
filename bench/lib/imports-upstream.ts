import { createServer } from 'node:http';

/**
 * A stand-in for graph8's batch asserts for the imports benchmark's kill test:
 * every batch call is answered after LATENCY_MS with every item created
 * (however often the same chunk is sent, so a chunk counted twice would show
 * as too many created), and recorded with its `x-request-id` (an import chunk
 * sends `<importId>-<chunk>`), when it arrived and when it was answered (0
 * while it is not). `GET /__calls` answers the records, `POST /__reset` clears
 * them. Run as its own process (PORT, LATENCY_MS), one per gateway copy, so
 * that each call is known to come from one copy.
 */
const port = Number(process.env.PORT ?? 0);
const latencyMs = Number(process.env.LATENCY_MS ?? 0);

/** [x-request-id, arrived epoch ms, answered epoch ms or 0] */
type CallRecord = [string, number, number];
let calls: CallRecord[] = [];

function json(response: import('node:http').ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  response.end(text);
}

const server = createServer({ keepAliveTimeout: 65_000 }, (request, response) => {
  if (request.url === '/__calls') return json(response, 200, { calls });
  if (request.url === '/__reset') {
    calls = [];
    return json(response, 200, { ok: true });
  }
  const record: CallRecord = [String(request.headers['x-request-id'] ?? ''), Date.now(), 0];
  calls.push(record);
  const chunks: Buffer[] = [];
  request.on('data', (chunk: Buffer) => chunks.push(chunk));
  request.on('end', () => {
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as {
      contacts?: unknown[];
      companies?: unknown[];
    };
    const total = (body.contacts ?? body.companies ?? []).length;
    setTimeout(() => {
      record[2] = Date.now();
      json(response, 200, { data: { total, created: total, updated: 0, errors: [] } });
    }, latencyMs);
  });
});

server.listen(port, '127.0.0.1', () => {
  const address = server.address();
  console.log(`imports upstream listening on ${typeof address === 'object' && address ? address.port : port}`);
});
process.once('SIGTERM', () => {
  server.closeAllConnections();
  server.close(() => process.exit(0));
});
