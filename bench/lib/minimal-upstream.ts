import { createServer } from 'node:http';

/**
 * The cheapest stand-in for graph8 that still answers like it: a batch call
 * answers after LATENCY_MS with every item created, or with graph8's 422 when it
 * carries more than 100 items; a single assert answers at once.
 * Run as its own process so its CPU is not the gateway's.
 */
const BATCH_LIMIT = 100;
const port = Number(process.env.PORT ?? 0);
const latencyMs = Number(process.env.LATENCY_MS ?? 0);

const SINGLE = JSON.stringify({ data: { action: 'created', count: 1 } });

const server = createServer({ keepAliveTimeout: 65_000 }, (request, response) => {
  const chunks: Buffer[] = [];
  request.on('data', (chunk: Buffer) => chunks.push(chunk));
  request.on('end', () => {
    const answer = () => {
      if (request.url?.endsWith('/batch')) {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
          contacts?: unknown[];
          companies?: unknown[];
        };
        const total = (body.contacts ?? body.companies ?? []).length;
        if (total > BATCH_LIMIT) {
          response.writeHead(422, { 'content-type': 'application/json' });
          response.end(
            JSON.stringify({
              detail: [{ loc: ['body', 'contacts'], msg: `at most ${BATCH_LIMIT} items`, type: 'too_long' }],
            }),
          );
          return;
        }
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ data: { total, created: total, updated: 0, errors: [] } }));
        return;
      }
      response.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(SINGLE) });
      response.end(SINGLE);
    };
    if (latencyMs > 0) setTimeout(answer, latencyMs);
    else answer();
  });
});

server.listen(port, '127.0.0.1', () => {
  const address = server.address();
  console.log(`minimal upstream listening on ${typeof address === 'object' && address ? address.port : port}`);
});
process.once('SIGTERM', () => {
  server.closeAllConnections();
  server.close(() => process.exit(0));
});
