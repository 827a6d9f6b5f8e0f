import { createServer } from 'node:http';
import { Pool } from 'undici';

/**
 * The least any Node gateway can do for the benchmarks' two mutations, and so
 * their floor: read the JSON body, make the same upstream PUTs through an
 * undici pool, answer GraphQL-shaped JSON. No GraphQL, validation, folding,
 * retries, logs or metrics.
 *
 * - `variables.c` (one contact): one PUT /contacts/assert.
 * - `variables.contacts` (a list): cut into batches of 100, PUT
 *   /contacts/assert/batch with UPSTREAM_CONCURRENCY calls in flight, the counts
 *   summed.
 */
interface BenchContact {
  readonly workEmail?: string;
  readonly firstName?: string;
  readonly lastName?: string;
  readonly jobTitle?: string;
  readonly companyDomain?: string;
}

const BATCH_SIZE = 100;
const upstreamOrigin = new URL(process.env.GRAPH8_API_URL ?? 'http://127.0.0.1:4010/api/v1').origin;
const concurrency = Number(process.env.UPSTREAM_CONCURRENCY ?? 8);
const pool = new Pool(upstreamOrigin, { connections: 64 });

async function put<T>(path: string, body: unknown, authorization: string): Promise<T> {
  const upstream = await pool.request({
    path,
    method: 'PUT',
    headers: { 'content-type': 'application/json', authorization },
    body: JSON.stringify(body),
  });
  return (await upstream.body.json()) as T;
}

function toWire(contact: BenchContact) {
  return {
    work_email: contact.workEmail,
    first_name: contact.firstName,
    last_name: contact.lastName,
    job_title: contact.jobTitle,
    company_domain: contact.companyDomain,
  };
}

async function assertOne(contact: BenchContact, authorization: string) {
  const answer = await put<{ data: { action: string; count: number } }>(
    '/api/v1/contacts/assert',
    { list_id: 5, ...toWire(contact) },
    authorization,
  );
  return { assertContact: { action: answer.data.action.toUpperCase(), count: answer.data.count } };
}

async function assertMany(contacts: readonly BenchContact[], authorization: string) {
  const batches: BenchContact[][] = [];
  for (let start = 0; start < contacts.length; start += BATCH_SIZE) {
    batches.push(contacts.slice(start, start + BATCH_SIZE));
  }
  let next = 0;
  let created = 0;
  let updated = 0;
  const sendBatches = async () => {
    for (let batch = batches[next++]; batch; batch = batches[next++]) {
      const answer = await put<{ data: { created: number; updated: number } }>(
        '/api/v1/contacts/assert/batch',
        { list_id: 1, contacts: batch.map(toWire) },
        authorization,
      );
      created += answer.data.created;
      updated += answer.data.updated;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, sendBatches));
  return { assertContacts: { total: contacts.length, created, updated, failed: 0, chunks: batches.length } };
}

const server = createServer((request, response) => {
  const chunks: Buffer[] = [];
  request.on('data', (chunk: Buffer) => chunks.push(chunk));
  request.on('end', async () => {
    const { variables } = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    const authorization = request.headers.authorization ?? '';
    const data = variables.contacts
      ? await assertMany(variables.contacts, authorization)
      : await assertOne(variables.c, authorization);
    const body = JSON.stringify({ data });
    response.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    response.end(body);
  });
});

server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => console.log('bare proxy listening'));
process.once('SIGTERM', () => {
  server.closeAllConnections();
  server.close(() => process.exit(0));
});
