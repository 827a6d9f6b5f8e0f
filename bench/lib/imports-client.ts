import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { request } from 'undici';

/**
 * What the imports benchmark says to a gateway: GraphQL over HTTP with the
 * bench's bearer key, appendFile as a GraphQL multipart request (built by
 * hand, so that it carries a Content-Length, which the gateway's Node layer
 * asks of an upload), and the rows it sends.
 */

export const BENCH_KEY = 'bench-import-key';

export interface ImportStatus {
  readonly id: string;
  readonly state: string;
  readonly total: number;
  readonly processed: number;
  readonly created: number;
  readonly updated: number;
  readonly failed: number;
  readonly skipped: number;
  readonly deduplicated: number;
  readonly chunks: number;
  readonly chunksDone: number;
  readonly startedAt: string | null;
  readonly finishedAt: string | null;
}

export const STATUS_FIELDS =
  'id state total processed created updated failed skipped deduplicated chunks chunksDone startedAt finishedAt';

export const IMPORT_CONTACTS = `mutation ImportContacts($listId: Int!, $contacts: [ContactInput!]!) {
  importContacts(listId: $listId, contacts: $contacts) { id state total chunks }
}`;
export const CREATE_IMPORT = `mutation Create($listId: Int!) { createImport(kind: CONTACTS, listId: $listId) { id state } }`;
export const APPEND_CONTACTS = `mutation Append($id: ID!, $contacts: [ContactInput!]!) {
  appendContacts(importId: $id, contacts: $contacts) { id total }
}`;
export const START_IMPORT = `mutation Start($id: ID!) { startImport(importId: $id) { ${STATUS_FIELDS} } }`;
export const IMPORT_STATUS = `query Status($id: ID!) { import(id: $id) { ${STATUS_FIELDS} } }`;
const APPEND_FILE = `mutation AppendFile($id: ID!, $file: File!) { appendFile(importId: $id, file: $file) { id total } }`;

export interface GraphQLResult<T> {
  readonly status: number;
  readonly data: T | undefined;
  readonly errors: Array<{ message: string; extensions?: Record<string, unknown> }> | undefined;
  readonly ms: number;
}

/** One GraphQL operation over HTTP. */
export async function graphql<T = any>(
  port: number,
  query: string,
  variables: Record<string, unknown> = {},
): Promise<GraphQLResult<T>> {
  return send<T>(port, 'application/json', JSON.stringify({ query, variables }));
}

/** A body already serialised (so that a timing leaves out the benchmark's own JSON.stringify). */
export async function send<T = any>(
  port: number,
  contentType: string,
  body: string | Buffer,
  extraHeaders: Record<string, string> = {},
): Promise<GraphQLResult<T>> {
  const started = performance.now();
  const response = await request(`http://127.0.0.1:${port}/graphql`, {
    method: 'POST',
    headers: {
      'content-type': contentType,
      accept: 'application/graphql-response+json',
      authorization: `Bearer ${BENCH_KEY}`,
      ...extraHeaders,
    },
    body,
    headersTimeout: 600_000,
    bodyTimeout: 600_000,
  });
  const answer = (await response.body.json()) as { data?: T; errors?: GraphQLResult<T>['errors'] };
  return {
    status: response.statusCode,
    data: answer.data ?? undefined,
    errors: answer.errors,
    ms: performance.now() - started,
  };
}

/** The data of an operation that must succeed; throws with the errors otherwise. */
export function dataOf<T>(result: GraphQLResult<T>, what: string): T {
  if (result.errors || result.data === undefined) {
    throw new Error(`${what}: HTTP ${result.status} ${JSON.stringify(result.errors ?? result.data).slice(0, 500)}`);
  }
  return result.data;
}

/** appendFile of `csv` as a GraphQL multipart request (operations, map, the file), with the CSRF header. */
export function appendFileBody(
  importId: string,
  csv: string | Buffer,
  name = 'rows.csv',
): { type: string; body: Buffer } {
  const boundary = `----bench${randomBytes(12).toString('hex')}`;
  const part = (headers: string, content: string | Buffer) => [
    Buffer.from(`--${boundary}\r\n${headers}\r\n\r\n`),
    typeof content === 'string' ? Buffer.from(content) : content,
    Buffer.from('\r\n'),
  ];
  const body = Buffer.concat([
    ...part(
      'Content-Disposition: form-data; name="operations"',
      JSON.stringify({ query: APPEND_FILE, variables: { id: importId, file: null } }),
    ),
    ...part('Content-Disposition: form-data; name="map"', JSON.stringify({ 0: ['variables.file'] })),
    ...part(`Content-Disposition: form-data; name="0"; filename="${name}"\r\nContent-Type: text/csv`, csv),
    Buffer.from(`--${boundary}--\r\n`),
  ]);
  return { type: `multipart/form-data; boundary=${boundary}`, body };
}

export function appendFile(port: number, importId: string, csv: string | Buffer) {
  const { type, body } = appendFileBody(importId, csv);
  return send<{ appendFile: { id: string; total: number } }>(port, type, body, { 'x-graphql-yoga-csrf': '1' });
}

export async function importStatus(port: number, id: string): Promise<ImportStatus> {
  const status = dataOf(await graphql<{ import: ImportStatus | null }>(port, IMPORT_STATUS, { id }), 'import').import;
  if (!status) throw new Error(`import ${id} not found`);
  return status;
}

const ENDED = new Set(['SUCCEEDED', 'PARTIAL', 'FAILED', 'CANCELLED']);

/** Polls import(id) every `everyMs` until finishedAt is set; `onStatus` sees every answer. */
export async function untilEnded(
  port: number,
  id: string,
  options: { everyMs?: number; timeoutMs?: number; onStatus?: (status: ImportStatus, at: number) => void } = {},
): Promise<ImportStatus> {
  const giveUpAt = Date.now() + (options.timeoutMs ?? 1_800_000);
  for (;;) {
    const status = await importStatus(port, id);
    options.onStatus?.(status, Date.now());
    if (ENDED.has(status.state) && status.finishedAt) return status;
    if (Date.now() > giveUpAt) throw new Error(`import ${id} did not end: ${JSON.stringify(status)}`);
    await sleep(options.everyMs ?? 500);
  }
}

/** A copy answers SERVICE_UNAVAILABLE for a moment after /readiness while its Redis connections are made: wait that out. */
export async function untilImportsAnswer(port: number, timeoutMs = 15_000): Promise<void> {
  const giveUpAt = Date.now() + timeoutMs;
  for (;;) {
    const answer = await graphql(port, '{ imports(first: 1) { edges { node { id } } } }').catch(() => undefined);
    if (answer && !answer.errors && answer.data) return;
    if (Date.now() > giveUpAt) throw new Error(`imports did not answer on port ${port}: ${JSON.stringify(answer)}`);
    await sleep(20);
  }
}

/** Distinct contacts: `tag` makes every call's people new ones (created, not updated). */
export function contacts(count: number, tag: string, from = 0) {
  return Array.from({ length: count }, (_, offset) => {
    const i = from + offset;
    return {
      workEmail: `p${i}.${tag}@imports-bench.example`,
      firstName: 'Bench',
      lastName: `Person ${i}`,
      jobTitle: 'Engineer',
      companyDomain: 'imports-bench.example',
    };
  });
}

/** The same contacts as a CSV file (a header row of input field names). */
export function contactsCsv(count: number, tag: string, from = 0): string {
  const lines = ['workEmail,firstName,lastName,jobTitle,companyDomain'];
  for (let i = from; i < from + count; i++) {
    lines.push(`p${i}.${tag}@imports-bench.example,Bench,Person ${i},Engineer,imports-bench.example`);
  }
  return `${lines.join('\n')}\n`;
}

/** Resident set size of a process, in MiB, from /proc/<pid>/status (0 once it is gone). */
export function rssMiBOf(pid: number, field: 'VmRSS' | 'VmHWM' = 'VmRSS'): number {
  try {
    const kib = new RegExp(`${field}:\\s+(\\d+)`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return Number(kib ?? 0) / 1024;
  } catch {
    return 0;
  }
}
