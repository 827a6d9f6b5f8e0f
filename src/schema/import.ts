import { createHash } from 'node:crypto';
import { z } from 'zod';
import { builder } from '../builder.js';
import type { GatewayContext } from '../context.js';
import { badUserInput, notFound } from '../errors.js';
import { bytesOf, checkFile, fileFormatOf, fileRowSlices } from '../imports/file-rows.js';
import { hasEnded, IMPORT_STATES, type ImportRecord, type ImportState } from '../imports/import-model.js';
import { fingerprintOf, type ImportCaller, processedOf, RECORDS_OF, slicesOf } from '../imports/imports-service.js';
import { recordId as recordIdRule, textRule } from '../records/field-rules.js';
import type { RecordKind } from '../upstream/graph8-api.js';
import { CompanyInput, companyListArgument } from './company.js';
import { ContactInput, contactListArgument } from './contact.js';
import { argumentSchema, listId } from './input-rules.js';
import { BatchItemErrorRef } from './payloads.js';

/** The most an errors page or an imports page carries. */
const MAX_ERRORS_PAGE = 1_000;
const MAX_IMPORTS_PAGE = 100;

const idempotencyKey = argumentSchema<string>(
  textRule({
    test: (value) => /^[A-Za-z0-9._:-]{1,128}$/.test(value),
    message: 'must be 1 to 128 letters, digits, -, _, . or :',
  }),
).nullish();
const importId = argumentSchema<string>(recordIdRule);

const ImportKind = builder.enumType('ImportKind', {
  description: 'What an import writes.',
  values: {
    CONTACTS: { value: 'contacts', description: 'Contacts (PUT /contacts/assert/batch).' },
    COMPANIES: { value: 'companies', description: 'Companies (PUT /companies/assert/batch).' },
  } as const,
});

const STATE_DESCRIPTIONS: Readonly<Record<ImportState, string>> = {
  OPEN: 'Taking rows (createImport); nothing is written yet.',
  QUEUED: 'Started: its rows are checked, folded and planned, and wait for a worker.',
  RUNNING: 'Chunks are being written.',
  SUCCEEDED: 'No row failed.',
  PARTIAL: 'Some rows were written and some failed.',
  FAILED: 'Rows failed and none was written (a refused key, say).',
  CANCELLED: 'Cancelled: the calls in flight were counted, the rest were never sent (skipped).',
};

const ImportStateEnum = builder.enumType('ImportState', {
  description: 'Where an import is in its life.',
  values: Object.fromEntries(IMPORT_STATES.map((state) => [state, { description: STATE_DESCRIPTIONS[state] }])) as {
    [State in ImportState]: { description: string };
  },
});

/** Opaque cursors: what a page ended on, so that the next begins after it. */
const cursorOf = (value: string | number) => Buffer.from(String(value)).toString('base64url');
const cursorValue = (cursor: string) => Buffer.from(cursor, 'base64url').toString('utf8');

interface ErrorsPageShape {
  readonly items: ImportRecordErrors['items'];
  readonly nextCursor: string | null;
}
type ImportRecordErrors = Awaited<ReturnType<GatewayContext['services']['imports']['errors']>>;

const ImportErrorPage = builder.objectRef<ErrorsPageShape>('ImportErrorPage').implement({
  description: "A page of an import's failed rows.",
  fields: (t) => ({
    items: t.field({
      type: [BatchItemErrorRef],
      description: 'Failed rows in row order (index: the row over every append), the -1 entries last.',
      resolve: (page) => page.items,
    }),
    nextCursor: t.string({
      nullable: true,
      description: 'Pass as after for the next page; null on the last page.',
      resolve: (page) => page.nextCursor,
    }),
  }),
});

const ImportRef = builder.objectRef<ImportRecord>('Import').implement({
  description:
    'Rows written in the background, beyond one request: a job with a state, live counters and row errors that point back at the input.',
  fields: (t) => ({
    id: t.exposeID('id', { description: 'Random and unguessable; only its owner sees the import.' }),
    kind: t.field({ type: ImportKind, description: 'What it writes.', resolve: (record) => record.kind }),
    listId: t.exposeInt('listId', { description: 'The list it writes into.' }),
    state: t.field({
      type: ImportStateEnum,
      description: 'Where it is in its life.',
      resolve: (record) => record.state,
    }),
    total: t.exposeInt('total', { description: 'Rows received, over every append.' }),
    processed: t.int({
      description: 'Rows whose outcome is known: created + updated + failed + skipped; total once it has ended.',
      resolve: processedOf,
    }),
    created: t.exposeInt('created', { description: 'Rows for which graph8 created a record.' }),
    updated: t.exposeInt('updated', {
      description: 'Rows written to an existing record, rows folded into a row that was written included.',
    }),
    failed: t.exposeInt('failed', { description: 'Rows not written; each has an entry in errors.' }),
    skipped: t.exposeInt('skipped', { description: 'Rows never sent because the import was cancelled.' }),
    deduplicated: t.exposeInt('deduplicated', {
      description: 'Rows folded into an earlier row with the same match key (over every append).',
    }),
    chunks: t.exposeInt('chunks', { description: 'Upstream batch calls planned (known once it is QUEUED).' }),
    chunksDone: t.exposeInt('chunksDone', { description: 'Chunks counted so far.' }),
    errors: t.field({
      type: ImportErrorPage,
      description: `Failed rows in row order (index: the row's position over every append), the -1 entries last; complete once the import has ended. first is at most ${MAX_ERRORS_PAGE}.`,
      args: {
        first: t.arg.int({ defaultValue: 100, description: `Entries on the page, 1 to ${MAX_ERRORS_PAGE}.` }),
        after: t.arg.string({ description: "The previous page's nextCursor." }),
      },
      validate: z.object({
        first: z.number().int().min(1, 'must be at least 1').max(MAX_ERRORS_PAGE, `must be at most ${MAX_ERRORS_PAGE}`),
        after: z.string().nullish(),
      }),
      resolve: async (record, args, context) => {
        const after = args.after == null ? undefined : Number(cursorValue(args.after));
        if (after !== undefined && !Number.isFinite(after)) {
          throw badUserInput([{ path: ['after'], message: 'is not a cursor this field gave out' }]);
        }
        const page = await context.services.imports.errors(record, args.first ?? 100, after);
        return { items: page.items, nextCursor: page.next === undefined ? null : cursorOf(page.next) };
      },
    }),
    errorReportUrl: t.string({
      nullable: true,
      description:
        'Where the failed rows can be downloaded as CSV: a path with a token good for 15 minutes (or send your own credentials); null while no row has failed.',
      resolve: (record, _args, context) =>
        record.failed === 0
          ? null
          : `/imports/${record.id}/errors.csv?token=${context.services.imports.reportToken(record)}`,
    }),
    estimatedSecondsLeft: t.int({
      nullable: true,
      description: 'From the pace of the last chunks; null while unknown, 0 once ended.',
      resolve: (record) => {
        if (hasEnded(record.state)) return 0;
        if (!record.rowsPerSecond) return null;
        return Math.ceil((record.total - processedOf(record)) / record.rowsPerSecond);
      },
    }),
    createdAt: t.field({ type: 'DateTime', resolve: (record) => new Date(record.createdAt) }),
    startedAt: t.field({
      type: 'DateTime',
      nullable: true,
      description: 'When its first chunk was taken.',
      resolve: (record) => (record.startedAt === undefined ? null : new Date(record.startedAt)),
    }),
    finishedAt: t.field({
      type: 'DateTime',
      nullable: true,
      description: 'When its last chunk was counted; nothing moves after it.',
      resolve: (record) => (record.finishedAt === undefined ? null : new Date(record.finishedAt)),
    }),
  }),
});

interface ImportPageShape {
  readonly records: readonly ImportRecord[];
  readonly hasNextPage: boolean;
}

const PageInfo = builder.objectRef<ImportPageShape>('PageInfo').implement({
  description: 'Where a page of a Relay connection stands.',
  fields: (t) => ({
    hasNextPage: t.exposeBoolean('hasNextPage', { description: 'More after this page.' }),
    endCursor: t.string({
      nullable: true,
      description: "The last edge's cursor: pass as after for the next page.",
      resolve: (page) => {
        const last = page.records.at(-1);
        return last ? cursorOf(last.id) : null;
      },
    }),
  }),
});

const ImportEdge = builder.objectRef<ImportRecord>('ImportEdge').implement({
  description: 'One import of the page.',
  fields: (t) => ({
    cursor: t.string({ resolve: (record) => cursorOf(record.id) }),
    node: t.field({ type: ImportRef, resolve: (record) => record }),
  }),
});

const ImportConnection = builder.objectRef<ImportPageShape>('ImportConnection').implement({
  description: "The caller's imports, newest first.",
  fields: (t) => ({
    edges: t.field({ type: [ImportEdge], resolve: (page) => page.records }),
    pageInfo: t.field({ type: PageInfo, resolve: (page) => page }),
  }),
});

/** The caller as imports know them: every import field needs one, as every mutation needs a key. */
function callerOf(context: GatewayContext): ImportCaller {
  return context.services.imports.callerOf(context.authorizeCaller());
}

builder.queryFields((t) => ({
  import: t.field({
    type: ImportRef,
    nullable: true,
    description:
      "An import of the caller's, or null when there is none with this id (or it belongs to another caller).",
    args: { id: t.arg.id({ required: true, description: 'The import id.' }) },
    resolve: (_root, args, context) =>
      context.services.imports.find(callerOf(context), args.id).then((record) => record ?? null),
  }),
  imports: t.field({
    type: ImportConnection,
    description: `The caller's imports, newest first; first is at most ${MAX_IMPORTS_PAGE}.`,
    args: {
      first: t.arg.int({ defaultValue: 20, description: `Imports on the page, 1 to ${MAX_IMPORTS_PAGE}.` }),
      after: t.arg.string({ description: "The previous page's endCursor." }),
      state: t.arg({ type: ImportStateEnum, description: 'Only imports in this state.' }),
    },
    validate: z.object({
      first: z.number().int().min(1, 'must be at least 1').max(MAX_IMPORTS_PAGE, `must be at most ${MAX_IMPORTS_PAGE}`),
      after: z.string().nullish(),
      state: z.string().nullish(),
    }),
    resolve: (_root, args, context) =>
      context.services.imports.list(
        callerOf(context),
        args.first ?? 20,
        args.after == null ? undefined : cursorValue(args.after),
        args.state ?? undefined,
      ),
  }),
}));

builder.mutationFields((t) => ({
  importContacts: t.field({
    type: ImportRef,
    description: 'Check the rows as assertContacts would, then write them in the background; answers at once.',
    args: {
      listId: t.arg.int({ required: true, description: 'The list to write into.' }),
      contacts: t.arg({ type: [ContactInput], required: true, description: 'The contacts, 1 to maxItemsPerMutation.' }),
      idempotencyKey: t.arg.string({ description: 'Makes a retry safe: the same key and rows give the same import.' }),
    },
    validate: z.object({ listId, contacts: contactListArgument, idempotencyKey }),
    resolve: (_root, args, context) =>
      context.services.imports.importRows(
        callerOf(context),
        'contacts',
        args.listId,
        args.contacts,
        args.idempotencyKey ?? undefined,
      ),
  }),
  importCompanies: t.field({
    type: ImportRef,
    description: 'Check the rows as assertCompanies would, then write them in the background; answers at once.',
    args: {
      listId: t.arg.int({ required: true, description: 'The list to write into.' }),
      companies: t.arg({
        type: [CompanyInput],
        required: true,
        description: 'The companies, 1 to maxItemsPerMutation.',
      }),
      idempotencyKey: t.arg.string({ description: 'Makes a retry safe: the same key and rows give the same import.' }),
    },
    validate: z.object({ listId, companies: companyListArgument, idempotencyKey }),
    resolve: (_root, args, context) =>
      context.services.imports.importRows(
        callerOf(context),
        'companies',
        args.listId,
        args.companies,
        args.idempotencyKey ?? undefined,
      ),
  }),
  createImport: t.field({
    type: ImportRef,
    description: 'An import that takes its rows over several requests (append*); it stays OPEN until startImport.',
    args: {
      kind: t.arg({ type: ImportKind, required: true, description: 'What it will write.' }),
      listId: t.arg.int({ required: true, description: 'The list to write into.' }),
      idempotencyKey: t.arg.string({ description: 'Makes a retry safe: the same key gives the same import.' }),
    },
    validate: z.object({ kind: z.string(), listId, idempotencyKey }),
    resolve: (_root, args, context) =>
      context.services.imports.create(callerOf(context), args.kind, args.listId, args.idempotencyKey ?? undefined),
  }),
  appendContacts: t.field({
    type: ImportRef,
    description: 'Add contacts to an OPEN import of contacts, checked as assertContacts would check them.',
    args: {
      importId: t.arg.id({ required: true, description: 'An OPEN import of contacts.' }),
      contacts: t.arg({ type: [ContactInput], required: true, description: 'The contacts, 1 to maxItemsPerMutation.' }),
      idempotencyKey: t.arg.string({ description: 'Makes a retry safe: nothing is added twice.' }),
    },
    validate: z.object({ importId, contacts: contactListArgument, idempotencyKey }),
    resolve: (_root, args, context) =>
      appendRows(context, 'contacts', args.importId, args.contacts, args.idempotencyKey),
  }),
  appendCompanies: t.field({
    type: ImportRef,
    description: 'Add companies to an OPEN import of companies, checked as assertCompanies would check them.',
    args: {
      importId: t.arg.id({ required: true, description: 'An OPEN import of companies.' }),
      companies: t.arg({
        type: [CompanyInput],
        required: true,
        description: 'The companies, 1 to maxItemsPerMutation.',
      }),
      idempotencyKey: t.arg.string({ description: 'Makes a retry safe: nothing is added twice.' }),
    },
    validate: z.object({ importId, companies: companyListArgument, idempotencyKey }),
    resolve: (_root, args, context) =>
      appendRows(context, 'companies', args.importId, args.companies, args.idempotencyKey),
  }),
  appendFile: t.field({
    type: ImportRef,
    description:
      'Rows from an uploaded CSV (text/csv) or JSON Lines (application/x-ndjson, .jsonl) file, sent as a GraphQL multipart request; bounded by MAX_UPLOAD_BYTES and MAX_ROWS_PER_IMPORT.',
    args: {
      importId: t.arg.id({ required: true, description: 'An OPEN import.' }),
      file: t.arg({
        type: 'File',
        required: true,
        description: 'The file: a header row of field names (CSV), or one object a line.',
      }),
      idempotencyKey: t.arg.string({ description: 'Makes a retry safe: the same file is not added twice.' }),
    },
    validate: z.object({ importId, file: z.any(), idempotencyKey }),
    resolve: (_root, args, context) => appendFile(context, args.importId, args.file, args.idempotencyKey),
  }),
  startImport: t.field({
    type: ImportRef,
    description:
      'Start an OPEN import: its rows are planned into chunks and written in the background. Any other answers as it is.',
    args: { importId: t.arg.id({ required: true, description: 'The import to start.' }) },
    validate: z.object({ importId }),
    resolve: (_root, args, context) => context.services.imports.start(callerOf(context), args.importId),
  }),
  cancelImport: t.field({
    type: ImportRef,
    description:
      'Cancel an import: the calls in flight finish and are counted, the rest are never sent (skipped). An ended import answers as it is.',
    args: { importId: t.arg.id({ required: true, description: 'The import to cancel.' }) },
    validate: z.object({ importId }),
    resolve: (_root, args, context) => context.services.imports.cancel(callerOf(context), args.importId),
  }),
}));

function appendRows(
  context: GatewayContext,
  kind: RecordKind,
  importIdArgument: string,
  rows: ReadonlyArray<Record<string, unknown>>,
  key: string | null | undefined,
): Promise<ImportRecord> {
  const { imports } = context.services;
  const incoming = imports.incomingRows(kind, rows);
  return imports.append(
    callerOf(context),
    {
      importId: importIdArgument,
      kind,
      rowCount: rows.length,
      slices: () => slicesOf(incoming),
      fingerprint: () => fingerprintOf('append', importIdArgument, rows),
      importIdPath: ['importId'],
    },
    key ?? undefined,
  );
}

async function appendFile(
  context: GatewayContext,
  importIdArgument: string,
  file: File,
  key: string | null | undefined,
): Promise<ImportRecord> {
  const { imports } = context.services;
  const caller = callerOf(context);
  const record = await imports.find(caller, importIdArgument);
  if (!record) throw notFound(`No import ${importIdArgument} of yours.`);
  const format = fileFormatOf(file);
  if (!format) {
    throw badUserInput([
      { path: ['file'], message: `is ${file.type || 'of no type'}: send text/csv or application/x-ndjson (.jsonl)` },
    ]);
  }
  const records = RECORDS_OF[record.kind];
  const checked = await checkFile(file, format, records);
  if (checked.issues.length > 0) {
    const error = badUserInput(checked.issues);
    if (checked.unlisted > 0) error.message += ` ${checked.unlisted} more issues are not listed.`;
    throw error;
  }
  return imports.append(
    caller,
    {
      importId: importIdArgument,
      kind: record.kind,
      rowCount: checked.rows,
      slices: () => fileRowSlices(file, format, records),
      // The file's bytes identify the request for its idempotency key, hashed as they are held rather than copied whole.
      fingerprint: async () => {
        const hash = createHash('sha256');
        for await (const bytes of bytesOf(file)) hash.update(bytes);
        return fingerprintOf('appendFile', importIdArgument, hash.digest('base64url'));
      },
      importIdPath: ['importId'],
    },
    key ?? undefined,
  );
}

builder.subscriptionType({ description: 'Live updates, over Server-Sent Events (GraphQL over SSE).' });

builder.subscriptionField('importProgress', (t) =>
  t.field({
    type: ImportRef,
    description:
      'The import as it stands at once, then again as it moves (about once a second, and at each change of state), until it ends.',
    args: { importId: t.arg.id({ required: true, description: 'The import to watch.' }) },
    // Who the caller is is settled inside the stream: a refusal is its one event, as a missing import's is.
    subscribe: async function* (_root, args, context) {
      yield* context.services.imports.progress(callerOf(context), args.importId);
    },
    resolve: (record) => record,
  }),
);
