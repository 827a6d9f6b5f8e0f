import { createServer } from 'node:http';

/**
 * A stand-in for graph8's `PUT /deals/assert` that answers each call after
 * LATENCY_MS with `{"data":{"action":"created","deal_id":"deal-<n>"}}` and
 * counts what it was sent: calls, calls per deal name, and the most calls in
 * flight at once. `GET /stats` answers those counts and `POST /reset` clears
 * them (between runs). Run as its own process so its CPU is not the gateway's.
 */
const port = Number(process.env.PORT ?? 0);
const latencyMs = Number(process.env.LATENCY_MS ?? 0);

let calls = 0;
let inFlight = 0;
let maxInFlight = 0;
let nextDealId = 1;
let callsPerName = new Map<string, number>();

function json(response: import('node:http').ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  response.end(text);
}

const server = createServer({ keepAliveTimeout: 65_000 }, (request, response) => {
  if (request.method === 'GET' && request.url === '/stats') {
    const repeated = [...callsPerName.values()].filter((count) => count > 1).length;
    json(response, 200, { calls, distinct: callsPerName.size, repeated, maxInFlight, inFlight });
    return;
  }
  if (request.method === 'POST' && request.url === '/reset') {
    calls = 0;
    maxInFlight = 0;
    callsPerName = new Map();
    json(response, 200, { ok: true });
    return;
  }
  if (request.method !== 'PUT' || !request.url?.endsWith('/deals/assert')) {
    json(response, 404, { detail: 'Not found' });
    return;
  }
  // Counted as in flight from the moment the call arrives until its answer is written.
  calls++;
  inFlight++;
  maxInFlight = Math.max(maxInFlight, inFlight);
  const chunks: Buffer[] = [];
  request.on('data', (chunk: Buffer) => chunks.push(chunk));
  request.on('end', () => {
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { name?: unknown };
    const name = String(body.name);
    callsPerName.set(name, (callsPerName.get(name) ?? 0) + 1);
    const dealId = `deal-${nextDealId++}`;
    setTimeout(() => {
      inFlight--;
      json(response, 200, { data: { action: 'created', deal_id: dealId } });
    }, latencyMs);
  });
});

server.listen(port, '127.0.0.1', () => {
  const address = server.address();
  console.log(`deals upstream listening on ${typeof address === 'object' && address ? address.port : port}`);
});
process.once('SIGTERM', () => {
  server.closeAllConnections();
  server.close(() => process.exit(0));
});
