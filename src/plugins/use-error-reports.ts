import type { Plugin } from 'graphql-yoga';

/** `GET /imports/<id>/errors.csv`: an import's failed rows, answered by `answer`. */
const REPORT_PATH = /^\/imports\/([A-Za-z0-9_-]{1,64})\/errors\.csv$/;

export type ErrorReportAnswer = (request: Request, importId: string, token: string | null) => Promise<Response>;

/** Serves the error reports of imports; what a report holds and who may read it is the answer's business. */
export function useErrorReports(answer: ErrorReportAnswer): Plugin {
  return {
    onRequest({ request, url, endResponse }) {
      if (request.method !== 'GET' && request.method !== 'HEAD') return;
      const match = REPORT_PATH.exec(url.pathname);
      if (!match) return;
      return answer(request, match[1] as string, url.searchParams.get('token')).then(endResponse);
    },
  };
}
