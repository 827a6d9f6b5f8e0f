import { Client, fetchExchange, subscriptionExchange } from '@urql/core';
import { createClient as createSseClient } from 'graphql-sse';
import {
  type ContactInput,
  ImportContactsDocument,
  ImportProgressDocument,
  type ImportProgressSubscription,
} from '../generated/graphql.js';

type Progress = ImportProgressSubscription['importProgress'];

/**
 * An import with a progress bar: importContacts answers at once with the
 * import's id, and importProgress (GraphQL over SSE, through graphql-sse) sends
 * the import as it moves until it ends. `onProgress` gets the share done, 0 to 1.
 * In a browser on another origin, the gateway's CORS_ORIGINS must name this one.
 */
export async function importWithProgress(
  gatewayUrl: string,
  token: string,
  listId: number,
  rows: ContactInput[],
  onProgress: (done: number, progress: Progress) => void,
): Promise<Progress> {
  const headers = { authorization: `Bearer ${token}` };
  const sse = createSseClient({ url: gatewayUrl, headers });
  const client = new Client({
    url: gatewayUrl,
    fetchOptions: { headers },
    exchanges: [
      fetchExchange,
      subscriptionExchange({
        forwardSubscription: (request) => ({
          subscribe: (sink) => ({ unsubscribe: sse.subscribe({ ...request, query: request.query ?? '' }, sink) }),
        }),
      }),
    ],
  });
  try {
    const started = await client.mutation(ImportContactsDocument, { listId, contacts: rows }).toPromise();
    if (started.error || !started.data) throw new Error(started.error?.message ?? 'no answer');
    const importId = started.data.importContacts.id;
    return await new Promise<Progress>((resolve, reject) => {
      const watching = client.subscription(ImportProgressDocument, { importId }).subscribe((result) => {
        if (result.error) {
          watching.unsubscribe();
          reject(new Error(result.error.message));
          return;
        }
        const progress = result.data?.importProgress;
        if (!progress) return;
        onProgress(progress.total === 0 ? 1 : progress.processed / progress.total, progress);
        if (progress.finishedAt) {
          watching.unsubscribe();
          resolve(progress);
        }
      });
    });
  } finally {
    sse.dispose();
  }
}
