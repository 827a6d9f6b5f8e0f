import { Readable } from 'node:stream';
import { parse } from 'csv-parse';
import type { InputIssue } from '../errors.js';
import { isObject } from '../json.js';
import { nestedProblems } from '../records/field-rules.js';
import type { BatchedRecords, FieldSpec } from '../records/record-table.js';
import type { IncomingRow } from './import-model.js';

/**
 * Rows from an uploaded file, CSV (a header row, RFC 4180 quoting, \n or \r\n,
 * UTF-8 with or without a BOM) or JSON Lines (one object a line), read as the
 * bytes come: csv-parse streams CSV, and JSON Lines are split line by line.
 * Columns and keys are the input's field names (workEmail) or the upstream's
 * (work_email); `customFields.<name>` and `additionalFields.<name>` fill those
 * objects. Each row is checked by the record's rules, its issues naming the
 * line its record starts on.
 */

export type FileFormat = 'csv' | 'jsonl';

/** Issues listed at most; the rest are counted in the message. */
const MAX_LISTED_ISSUES = 100;
const SLICE_ROWS = 1_000;

export function fileFormatOf(file: File): FileFormat | undefined {
  const type = file.type.split(';')[0]?.trim().toLowerCase();
  const name = file.name.toLowerCase();
  if (type === 'text/csv' || name.endsWith('.csv')) return 'csv';
  if (type === 'application/x-ndjson' || type === 'application/jsonl' || /\.(jsonl|ndjson)$/.test(name)) return 'jsonl';
  return undefined;
}

/** The file's bytes (on disk, see use-upload-spool.ts), a chunk at a time. */
export async function* bytesOf(file: File): AsyncIterable<Buffer> {
  const reader = file.stream().getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return;
    // A view of the chunk, not a copy: each pass would otherwise copy the whole file.
    yield Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  }
}

/** One record of the file: where it starts, and its cells (CSV) or its object (JSON Lines), or why it cannot be read. */
type FileRecord =
  | { readonly line: number; readonly cells: Readonly<Record<string, unknown>>; readonly typed: boolean }
  | { readonly line: number; readonly problem: string; readonly path?: string };

const LINE_BREAKS = /\r\n|\r|\n/g;
const countMatches = (text: string, pattern: RegExp) => text.match(pattern)?.length ?? 0;

async function* csvRecords(file: File): AsyncIterable<FileRecord> {
  const parser = parse({ bom: true, info: true, skip_empty_lines: true });
  Readable.from(bytesOf(file)).pipe(parser);
  let header: string[] | undefined;
  // csv-parse counts a quoted \r\n as two lines: take them back off its count.
  let overcounted = 0;
  try {
    for await (const { record, info } of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
      const inner = record.join('');
      overcounted += countMatches(inner, /\r\n/g);
      const line = info.lines - overcounted - countMatches(inner, LINE_BREAKS);
      if (!header) {
        header = record.map((name) => name.trim());
        continue;
      }
      const cells: Record<string, unknown> = {};
      header.forEach((name, column) => {
        if (record[column] !== '') cells[name] = record[column];
      });
      yield { line, cells, typed: false };
    }
  } catch (error) {
    const failure = error as { lines?: number; message?: string };
    yield {
      line: (failure.lines ?? 0) - overcounted,
      problem: `is not readable CSV: ${failure.message ?? 'parse error'}`,
    };
  }
  if (!header) yield { line: 1, problem: 'has no header row: the first line names the columns' };
}

async function* jsonLinesRecords(file: File): AsyncIterable<FileRecord> {
  const decoder = new TextDecoder('utf-8', { ignoreBOM: false });
  let pending = '';
  let line = 0;
  const recordOf = (text: string): FileRecord | undefined => {
    line++;
    const trimmed = text.replace(/\r$/, '');
    if (trimmed.trim() === '') return undefined;
    try {
      const value: unknown = JSON.parse(trimmed);
      return isObject(value) ? { line, cells: value, typed: true } : { line, problem: 'must be a JSON object' };
    } catch {
      return { line, problem: 'is not valid JSON' };
    }
  };
  for await (const bytes of bytesOf(file)) {
    pending += decoder.decode(bytes, { stream: true });
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const text of lines) {
      const record = recordOf(text);
      if (record) yield record;
    }
  }
  const record = recordOf(pending + decoder.decode());
  if (record) yield record;
}

interface Column {
  /** The input field, or the object field (customFields, additionalFields) it fills. */
  readonly field: string;
  readonly spec?: FieldSpec;
  /** For customFields.<name> and additionalFields.<name>: the name within the object. */
  readonly key?: string;
}

/** Every column name a file may use for a table: the input's field names, the upstream's, and object members. */
function columnOf(records: BatchedRecords, name: string): Column | undefined {
  const { table } = records;
  for (const [field, spec] of Object.entries(table.fields)) {
    if (name === field || name === spec.wire) return { field, spec };
    if (spec.type === 'JSONObject') {
      for (const prefix of [`${field}.`, `${spec.wire}.`]) {
        if (name.startsWith(prefix) && name.length > prefix.length) return { field, key: name.slice(prefix.length) };
      }
    }
  }
  if (table.additionalFields !== undefined) {
    if (name === 'additionalFields') return { field: 'additionalFields', spec: undefined };
    if (name.startsWith('additionalFields.') && name.length > 17)
      return { field: 'additionalFields', key: name.slice(17) };
  }
  return undefined;
}

/** A CSV cell as its field's type; a message when it cannot be. */
function cellValue(spec: FieldSpec | undefined, cell: string): { value: unknown } | { problem: string } {
  switch (spec?.type) {
    case 'Int':
      return /^-?\d+$/.test(cell.trim()) ? { value: Number(cell) } : { problem: 'must be a whole number' };
    case 'Float': {
      const value = Number(cell);
      return cell.trim() !== '' && Number.isFinite(value) ? { value } : { problem: 'must be a number' };
    }
    case 'Boolean':
      return cell === 'true' || cell === 'false' ? { value: cell === 'true' } : { problem: 'must be true or false' };
    case 'StringList':
      return {
        value: cell
          .split(';')
          .map((item) => item.trim())
          .filter((item) => item !== ''),
      };
    case undefined:
    case 'JSONObject':
      try {
        const value: unknown = JSON.parse(cell);
        return isObject(value) ? { value } : { problem: 'must be a JSON object' };
      } catch {
        return { problem: 'must be a JSON object' };
      }
    default:
      return { value: cell };
  }
}

/** A JSON Lines value of its field's type, as GraphQL would have coerced it; a message when it is not. */
function typedValue(spec: FieldSpec | undefined, value: unknown): { value: unknown } | { problem: string } {
  const fits = (holds: boolean, problem: string) => (holds ? { value } : { problem });
  switch (spec?.type) {
    case 'String':
    case 'ID':
      return fits(typeof value === 'string', 'must be a string');
    case 'Int':
      return fits(Number.isInteger(value), 'must be a whole number');
    case 'Float':
      return fits(typeof value === 'number' && Number.isFinite(value), 'must be a number');
    case 'Boolean':
      return fits(typeof value === 'boolean', 'must be true or false');
    case 'StringList':
      return fits(Array.isArray(value) && value.every((item) => typeof item === 'string'), 'must be a list of strings');
    default:
      return fits(isObject(value), 'must be a JSON object');
  }
}

/** One file record as the input object GraphQL would have handed over, or its problems. */
function inputOf(
  records: BatchedRecords,
  columns: Map<string, Column | undefined>,
  record: Extract<FileRecord, { cells: unknown }>,
): { input: Record<string, unknown>; problems: InputIssue[] } {
  const input: Record<string, unknown> = {};
  const problems: InputIssue[] = [];
  const at = (...path: Array<string | number>) => ['file', `line ${record.line}`, ...path];
  for (const [name, raw] of Object.entries(record.cells)) {
    if (raw === null || raw === undefined) continue;
    // Each column name is looked up once a file, not once a cell.
    if (!columns.has(name)) columns.set(name, columnOf(records, name));
    const column = columns.get(name);
    if (!column) {
      problems.push({ path: at(name), message: `is not a field of ${records.table.inputName}` });
      continue;
    }
    if (column.key !== undefined) {
      const members = (input[column.field] ?? {}) as Record<string, unknown>;
      members[column.key] = raw;
      input[column.field] = members;
      continue;
    }
    const converted = record.typed ? typedValue(column.spec, raw) : cellValue(column.spec, String(raw));
    if ('problem' in converted) problems.push({ path: at(column.field), message: converted.problem });
    else input[column.field] = converted.value;
  }
  for (const problem of nestedProblems(records.table.rule(input)))
    problems.push({ path: at(...problem.path), message: problem.message });
  return { input, problems };
}

async function* fileRecords(file: File, format: FileFormat): AsyncIterable<FileRecord> {
  yield* format === 'csv' ? csvRecords(file) : jsonLinesRecords(file);
}

export interface FileCheck {
  readonly rows: number;
  /** At most the first hundred issues. */
  readonly issues: readonly InputIssue[];
  /** Issues beyond those listed. */
  readonly unlisted: number;
}

/** The first pass: every row converted and checked, nothing kept but the count and the issues. */
export async function checkFile(file: File, format: FileFormat, records: BatchedRecords): Promise<FileCheck> {
  const issues: InputIssue[] = [];
  let unlisted = 0;
  let rows = 0;
  const note = (issue: InputIssue) => {
    if (issues.length < MAX_LISTED_ISSUES) issues.push(issue);
    else unlisted++;
  };
  const columns = new Map<string, Column | undefined>();
  for await (const record of fileRecords(file, format)) {
    if ('problem' in record) {
      note({ path: ['file', `line ${record.line}`], message: record.problem });
      continue;
    }
    rows++;
    for (const problem of inputOf(records, columns, record).problems) note(problem);
  }
  if (rows === 0 && issues.length === 0) note({ path: ['file'], message: 'has no rows' });
  return { rows, issues, unlisted };
}

/** The second pass, once the whole file passed: the rows again, in slices of a thousand, with their match keys. */
export async function* fileRowSlices(
  file: File,
  format: FileFormat,
  records: BatchedRecords,
): AsyncIterable<readonly IncomingRow[]> {
  let slice: IncomingRow[] = [];
  const columns = new Map<string, Column | undefined>();
  for await (const record of fileRecords(file, format)) {
    if ('problem' in record) continue;
    const { input } = inputOf(records, columns, record);
    slice.push({ input, keys: records.keysOf(records.table.toWire(input)) });
    if (slice.length === SLICE_ROWS) {
      yield slice;
      slice = [];
    }
  }
  if (slice.length > 0) yield slice;
}
