import { createServer } from 'node:http';
import { Pool } from 'undici';

/**
 * The least any Node gateway can do for one assertContact: read the JSON body,
 * make the same upstream PUT through an undici pool, answer the GraphQL-shaped
 * JSON. No GraphQL, no validation, no logs or metrics. Its CPU per request is
 * the floor the single-mutation benchmark reports beside the gateway's.
 */
const upstreamOrigin = new URL(process.env.GRAPH8_API_URL ?? 'http://127.0.0.1:4010/api/v1').origin;
const pool = new Pool(upstreamOrigin, { connections: 64 });

const server = createServer((request, response) => {
  const chunks: Buffer[] = [];
  request.on('data', (chunk: Buffer) => chunks.push(chunk));
  request.on('end', async () => {
    const contact = JSON.parse(Buffer.concat(chunks).toString('utf8')).variables.c;
    const upstream = await pool.request({
      path: '/api/v1/contacts/assert',
      method: 'PUT',
      headers: { 'content-type': 'application/json', authorization: request.headers.authorization ?? '' },
      body: JSON.stringify({
        list_id: 5,
        work_email: contact.workEmail,
        first_name: contact.firstName,
        last_name: contact.lastName,
        job_title: contact.jobTitle,
      }),
    });
    const answer = (await upstream.body.json()) as { data: { action: string; count: number } };
    const body = JSON.stringify({
      data: { assertContact: { action: answer.data.action.toUpperCase(), count: answer.data.count } },
    });
    response.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    response.end(body);
  });
});

server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => console.log('bare proxy listening'));
process.once('SIGTERM', () => {
  server.closeAllConnections();
  server.close(() => process.exit(0));
});
