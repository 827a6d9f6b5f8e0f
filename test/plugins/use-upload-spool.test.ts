import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { killGatewayProcesses, type StartedGateway, startGatewayProcess } from '../helpers/gateway-process.js';
import { until } from '../helpers/poll-until.js';

/**
 * Uploads go to a temporary file while the request runs, never held whole in
 * memory (src/plugins/use-upload-spool.ts), and nothing is left behind however
 * the request ends: answered, refused as malformed, or cut off by the client.
 * Through the built gateway's Node server, its TMPDIR a folder of the test's.
 */

const BOUNDARY = 'spool-test-boundary';
const APPEND_FILE =
  'mutation($file: File!, $id: ID!) { appendFile(importId: $id, file: $file) { total deduplicated } }';

let gateway: StartedGateway;
let spoolFolder: string;

beforeAll(async () => {
  spoolFolder = mkdtempSync(join(tmpdir(), 'g8-spool-test-'));
  gateway = await startGatewayProcess({ TMPDIR: spoolFolder });
});
afterAll(async () => {
  await killGatewayProcesses();
  rmSync(spoolFolder, { recursive: true, force: true });
});

const spooledFiles = () => readdirSync(spoolFolder).filter((name) => name.startsWith('g8-upload-'));

async function createImport(at: StartedGateway = gateway): Promise<string> {
  const response = await fetch(at.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: 'mutation { createImport(kind: CONTACTS, listId: 3) { id } }' }),
  });
  return ((await response.json()) as { data: { createImport: { id: string } } }).data.createImport.id;
}

/** The multipart body up to and including the file part's headers, and its end after the file's bytes. */
function multipartAround(importId: string, fields: { operations?: boolean } = {}) {
  const field = (name: string, value: string) =>
    `--${BOUNDARY}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`;
  const operations = JSON.stringify({ query: APPEND_FILE, variables: { file: null, id: importId } });
  return {
    head:
      (fields.operations === false ? '' : field('operations', operations)) +
      field('map', JSON.stringify({ 0: ['variables.file'] })) +
      `--${BOUNDARY}\r\nContent-Disposition: form-data; name="0"; filename="contacts.csv"\r\nContent-Type: text/csv\r\n\r\n`,
    tail: `\r\n--${BOUNDARY}--\r\n`,
  };
}

/** The CSV's header row, and its rows from `from` on. */
const CSV_HEADER = 'work_email,first_name\n';
const csvRows = (from: number, count: number) =>
  Array.from({ length: count }, (_, i) => `spool${from + i}@acme.com,Person ${from + i}\n`).join('');

interface Answer {
  readonly status: number;
  readonly body: { data?: any; errors?: Array<{ message: string; extensions?: { code?: string } }> };
}

/** A multipart POST sent in two parts, with `between` run after the first; its answer, or undefined when the socket was cut. */
function sendInTwoParts(
  first: string,
  second: string,
  between: (cut: () => void) => Promise<void>,
  to: StartedGateway = gateway,
) {
  const length = Buffer.byteLength(first) + Buffer.byteLength(second);
  return new Promise<Answer | undefined>((resolve, reject) => {
    const sent = request(to.url, {
      method: 'POST',
      headers: {
        'content-type': `multipart/form-data; boundary=${BOUNDARY}`,
        'content-length': String(length),
        'x-graphql-yoga-csrf': '1',
      },
    });
    sent.on('response', (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () =>
        resolve({ status: response.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) }),
      );
    });
    let cut = false;
    sent.on('error', (error) => (cut ? resolve(undefined) : reject(error)));
    sent.write(first);
    void between(() => {
      cut = true;
      sent.destroy();
    }).then(() => {
      if (!cut) sent.end(second);
    }, reject);
  });
}

const noFileLeft = () =>
  until('the spooled files removed', () => (spooledFiles().length === 0 ? true : undefined), 5_000);

describe('appendFile uploads are spooled to disk', () => {
  it('the file is on disk while the upload is read, the rows are stored, and the file is gone after the answer', async () => {
    const id = await createImport();
    const { head, tail } = multipartAround(id);
    const firstRows = CSV_HEADER + csvRows(0, 2_000);
    const answer = await sendInTwoParts(head + firstRows, csvRows(2_000, 1_000) + tail, async () => {
      const [name] = await until(
        'a spooled file with the first rows',
        () => {
          const [found] = spooledFiles();
          return found !== undefined && statSync(join(spoolFolder, found)).size > 0 ? [found] : undefined;
        },
        5_000,
      );
      expect(name).toMatch(/^g8-upload-[0-9a-f-]{36}$/);
      expect(statSync(join(spoolFolder, name as string)).mode & 0o777).toBe(0o600);
    });
    expect(answer?.status).toBe(200);
    expect(answer?.body).toEqual({ data: { appendFile: { total: 3_000, deduplicated: 0 } } });
    await noFileLeft();
  });

  it('a body that ends inside the file part is a 400 BAD_REQUEST, and leaves no file', async () => {
    const id = await createImport();
    const { head } = multipartAround(id);
    const answer = await sendInTwoParts(head, CSV_HEADER + csvRows(0, 10), async () => undefined);
    expect(answer?.status).toBe(400);
    expect(answer?.body.errors?.[0]?.extensions?.code).toBe('BAD_REQUEST');
    expect(answer?.body.errors?.[0]?.message).toMatch(/multipart/);
    await noFileLeft();
  });

  it('an upload without its operations field is a 400 BAD_REQUEST naming it, and leaves no file', async () => {
    const { head, tail } = multipartAround(await createImport(), { operations: false });
    const answer = await sendInTwoParts(head, CSV_HEADER + csvRows(0, 10) + tail, async () => undefined);
    expect(answer?.status).toBe(400);
    expect(answer?.body.errors?.[0]).toMatchObject({
      message: expect.stringContaining('"operations"'),
      extensions: { code: 'BAD_REQUEST' },
    });
    await noFileLeft();
  });

  it('an operations field over 1 MiB is a 413 PAYLOAD_TOO_LARGE, and leaves no file', async () => {
    const id = await createImport();
    const oversized = JSON.stringify({
      query: APPEND_FILE,
      variables: { file: null, id, padding: 'x'.repeat(1_100_000) },
    });
    const { head, tail } = multipartAround(id, { operations: false });
    const field = `--${BOUNDARY}\r\nContent-Disposition: form-data; name="operations"\r\n\r\n${oversized}\r\n`;
    const answer = await sendInTwoParts(field + head, CSV_HEADER + csvRows(0, 10) + tail, async () => undefined);
    expect(answer?.status).toBe(413);
    expect(answer?.body.errors?.[0]?.extensions?.code).toBe('PAYLOAD_TOO_LARGE');
    await noFileLeft();
  });

  it('a client that goes away mid-upload leaves no file, and the gateway goes on serving', async () => {
    const id = await createImport();
    const { head, tail } = multipartAround(id);
    const answer = await sendInTwoParts(head + CSV_HEADER + csvRows(0, 1_000), tail, async (cut) => {
      await until('a spooled file', () => (spooledFiles().length > 0 ? true : undefined), 5_000);
      cut();
    });
    expect(answer).toBeUndefined();
    await noFileLeft();
    const health = await fetch(`${gateway.origin}/health`);
    expect(health.status).toBe(200);
    const status = await fetch(gateway.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: 'query($id: ID!) { import(id: $id) { total } }', variables: { id } }),
    });
    expect(((await status.json()) as any).data.import.total).toBe(0);
  });

  it('a temp folder the gateway cannot write to: 503 SERVICE_UNAVAILABLE, logged with its cause, and the gateway goes on serving', async () => {
    const unwritable = await startGatewayProcess({ TMPDIR: join(spoolFolder, 'missing') });
    const { head, tail } = multipartAround(await createImport(unwritable));
    const answer = await sendInTwoParts(head, CSV_HEADER + csvRows(0, 1_000) + tail, async () => undefined, unwritable);
    expect(answer?.status).toBe(503);
    expect(answer?.body.errors?.[0]).toMatchObject({
      message: expect.stringContaining('send it again'),
      extensions: { code: 'SERVICE_UNAVAILABLE' },
    });
    expect(unwritable.logs()).toContainEqual(expect.objectContaining({ level: 40, code: 'ENOENT' }));
    expect((await fetch(`${unwritable.origin}/health`)).status).toBe(200);
  });
});
