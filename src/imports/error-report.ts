import { stringify } from 'csv-stringify/sync';
import { type AccessPolicy, resolveAccess } from '../auth.js';
import { errorBody } from '../errors.js';
import type { ErrorReportAnswer } from '../plugins/use-error-reports.js';
import { ImportStoreUnavailable } from './import-model.js';
import { type ImportsService, RECORDS_OF } from './imports-service.js';

/** A cell as the report writes it: lists with ; between items (as CSV uploads take them), objects as JSON. */
function cellOf(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (Array.isArray(value)) return value.map(String).join(';');
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

function jsonAnswer(status: number, body: string): Response {
  return new Response(body, { status, headers: { 'content-type': 'application/json; charset=utf-8' } });
}

/**
 * `GET /imports/<id>/errors.csv`: `index,code,message` and the input's field
 * names, then one line per failed row in the order of errors, with the row's
 * fields as they were given; written page by page as it is read. It answers a
 * valid signed token, or the owner's own credentials, and nothing else.
 */
export function errorReportAnswer(imports: ImportsService, access: AccessPolicy): ErrorReportAnswer {
  return async (request, importId, token) => {
    try {
      const shown = resolveAccess(access, request.headers.get('authorization'));
      const record = await imports.reportable(importId, token, shown.ok ? imports.callerOf(shown) : undefined);
      if (!record) {
        return jsonAnswer(404, errorBody(`No import ${importId} whose report you may read.`, 'NOT_FOUND'));
      }
      const { table } = RECORDS_OF[record.kind];
      const fields = [
        ...Object.keys(table.fields),
        ...(table.additionalFields === undefined ? [] : ['additionalFields']),
      ];
      const rows = imports.failedRows(record)[Symbol.asyncIterator]();
      const encoder = new TextEncoder();
      const body = new ReadableStream<Uint8Array>({
        start(controller) {
          controller.enqueue(encoder.encode(stringify([['index', 'code', 'message', ...fields]])));
        },
        async pull(controller) {
          const lines: unknown[][] = [];
          while (lines.length < 500) {
            const next = await rows.next();
            if (next.done) break;
            const { error, input } = next.value;
            lines.push([error.index, error.code, error.message, ...fields.map((field) => cellOf(input?.[field]))]);
          }
          if (lines.length > 0) controller.enqueue(encoder.encode(stringify(lines)));
          if (lines.length < 500) controller.close();
        },
      });
      return new Response(request.method === 'HEAD' ? null : body, {
        headers: {
          'content-type': 'text/csv; charset=utf-8',
          'content-disposition': `attachment; filename="${importId}-errors.csv"`,
          'cache-control': 'no-store',
        },
      });
    } catch (error) {
      if (!(error instanceof ImportStoreUnavailable)) throw error;
      return jsonAnswer(503, errorBody(error.message, 'SERVICE_UNAVAILABLE'));
    }
  };
}
