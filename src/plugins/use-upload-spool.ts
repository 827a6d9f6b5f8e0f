import { randomUUID } from 'node:crypto';
import { createWriteStream, openAsBlob } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Busboy } from '@fastify/busboy';
import type { GraphQLParams, Plugin } from 'graphql-yoga';
import type { Logger } from 'pino';
import { requestError } from '../errors.js';
import { MULTIPART_MEDIA_TYPE } from './use-request-policy.js';

/**
 * Uploads on disk, not in memory: Yoga's own multipart parser holds a file's
 * bytes for the whole request (up to MAX_UPLOAD_BYTES each, on every copy at
 * once), where this one streams each file part to a temporary file (in the OS
 * temp folder, TMPDIR) and hands the resolver a File read back from it
 * (`fs.openAsBlob`). The files go when the response is made. Operations and
 * map are read as the GraphQL multipart request spec says, as Yoga reads them.
 */

/** The largest `operations` or `map` field; the file parts are bounded by MAX_UPLOAD_BYTES at the HTTP layer. */
const MAX_FIELD_BYTES = 1024 * 1024;
/** Object keys a path in `map` may not walk through. */
const UNSAFE_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

interface SpooledPart {
  readonly path: string;
  readonly name: string;
  readonly type: string;
  /** Stops writing the file: it is closed, and the rest of the part is read and dropped. */
  readonly discard: () => void;
  /** Settles once the part's file is closed: true when all of it is on disk. */
  readonly written: Promise<boolean>;
}

/** Sets `value` at a dotted path such as `variables.file` or `0.variables.files.1`, making the objects on the way. */
function setAtPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const keys = path.split('.');
  if (keys.some((key) => UNSAFE_KEYS.has(key))) return;
  let current = target;
  keys.forEach((key, index) => {
    if (index === keys.length - 1) {
      current[key] = value;
      return;
    }
    const next = current[key];
    if (typeof next !== 'object' || next === null) current[key] = {};
    current = current[key] as Record<string, unknown>;
  });
}

function parsedField(fields: ReadonlyMap<string, string>, name: string): unknown {
  const text = fields.get(name);
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    throw requestError(`Multipart form field "${name}" must be a valid JSON string.`, 'BAD_REQUEST', 400);
  }
}

/** Reads the parts, each file to its own temporary file (its path pushed on `spooled` before a byte is written). */
async function readParts(request: Request, spooled: string[], logger: Logger) {
  const fields = new Map<string, string>();
  const parts = new Map<string, SpooledPart>();
  let truncatedField: string | undefined;
  const parser = Busboy({
    headers: { 'content-type': request.headers.get('content-type') ?? '' },
    limits: { fieldSize: MAX_FIELD_BYTES },
  });
  parser.on('field', (name, value, _nameTruncated, valueTruncated) => {
    if (valueTruncated) truncatedField ??= name;
    else fields.set(name, value);
  });
  parser.on('file', (name, stream, filename, _encoding, mimeType) => {
    const path = join(tmpdir(), `g8-upload-${randomUUID()}`);
    spooled.push(path);
    const target = createWriteStream(path, { flags: 'wx', mode: 0o600 });
    const written = new Promise<boolean>((resolve) => target.once('close', () => resolve(target.writableFinished)));
    // A file that cannot be written, or is no longer wanted, is drained instead, so that the parser still ends.
    const discard = () => {
      stream.unpipe(target);
      stream.resume();
      target.destroy();
    };
    target.on('error', (error: NodeJS.ErrnoException) => {
      if (!request.signal.aborted)
        logger.warn({ code: error.code, folder: tmpdir() }, 'upload not stored: temp folder unwritable');
      discard();
    });
    // The part cut short (the body ended inside it): the parser's own error answers the request.
    stream.on('error', discard);
    stream.pipe(target);
    parts.set(name, { path, name: filename, type: mimeType, discard, written });
  });
  // Every part's file is closed before an answer, so none is created after the response removed it.
  const allWritten = async () => (await Promise.all([...parts.values()].map((part) => part.written))).every(Boolean);
  if (request.body === null) throw requestError('The multipart request has no body.', 'BAD_REQUEST', 400);
  try {
    await pipeline(Readable.from(request.body as unknown as AsyncIterable<Uint8Array>), parser);
  } catch (error) {
    for (const part of parts.values()) part.discard();
    await allWritten();
    if (request.signal.aborted) throw error;
    const reason = error instanceof Error ? error.message : String(error);
    throw requestError(`POST body sent invalid multipart data: ${reason}`, 'BAD_REQUEST', 400);
  }
  if (!(await allWritten()))
    throw requestError(
      'The upload could not be stored on this copy of the gateway; send it again.',
      'SERVICE_UNAVAILABLE',
      503,
    );
  if (truncatedField !== undefined)
    throw requestError(
      `Multipart form field "${truncatedField}" is over ${MAX_FIELD_BYTES} bytes.`,
      'PAYLOAD_TOO_LARGE',
      413,
    );
  return { fields, parts };
}

async function parseSpooledUpload(
  request: Request,
  spooled: string[],
  logger: Logger,
): Promise<GraphQLParams | GraphQLParams[]> {
  const { fields, parts } = await readParts(request, spooled, logger);
  const operations = parsedField(fields, 'operations');
  if (typeof operations !== 'object' || operations === null)
    throw requestError(
      'Multipart form field "operations" is missing: it carries the GraphQL request.',
      'BAD_REQUEST',
      400,
    );
  const map = parsedField(fields, 'map') ?? {};
  if (typeof map !== 'object' || map === null || Array.isArray(map))
    throw requestError('Multipart form field "map" must map file fields to lists of paths.', 'BAD_REQUEST', 400);
  for (const [name, paths] of Object.entries(map)) {
    const part = parts.get(name);
    const file = part
      ? new File([await openAsBlob(part.path, { type: part.type })], part.name, { type: part.type })
      : null;
    for (const path of Array.isArray(paths) ? paths : [])
      if (typeof path === 'string') setAtPath(operations as Record<string, unknown>, path, file);
  }
  return operations as GraphQLParams | GraphQLParams[];
}

export function useUploadSpool(logger: Logger): Plugin {
  const spooledBy = new WeakMap<Request, string[]>();
  return {
    onRequestParse({ request, setRequestParser }) {
      if (request.method !== 'POST' || !MULTIPART_MEDIA_TYPE.test(request.headers.get('content-type') ?? '')) return;
      const spooled: string[] = [];
      spooledBy.set(request, spooled);
      setRequestParser((parsed) => parseSpooledUpload(parsed, spooled, logger));
    },
    onResponse({ request }) {
      const spooled = spooledBy.get(request);
      if (spooled === undefined) return;
      spooledBy.delete(request);
      return Promise.all(spooled.map((path) => rm(path, { force: true }))).then(() => undefined);
    },
  };
}
