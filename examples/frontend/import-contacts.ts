import { Client, fetchExchange } from '@urql/core';
import {
  AssertContactsDocument,
  type AssertContactsMutationVariables,
  type ContactInput,
} from '../generated/graphql.js';

/** What a frontend shows after an import: how many were written, and why each failed row failed. */
export interface ImportReport {
  readonly written: number;
  readonly failedRows: ReadonlyArray<{ row: ContactInput; code: string; message: string }>;
  readonly unplaced: number;
}

/**
 * Sends a spreadsheet's rows to the gateway in one typed mutation and matches
 * each error back to its row by `index` (the position in `contacts`).
 */
export async function importContacts(
  gatewayUrl: string,
  token: string,
  listId: number,
  rows: ContactInput[],
): Promise<ImportReport> {
  const client = new Client({
    url: gatewayUrl,
    exchanges: [fetchExchange],
    fetchOptions: { headers: { authorization: `Bearer ${token}` } },
  });
  const variables: AssertContactsMutationVariables = { listId, contacts: rows };
  const result = await client.mutation(AssertContactsDocument, variables).toPromise();
  if (result.error) throw new Error(result.error.message);
  const payload = result.data?.assertContacts;
  if (!payload) throw new Error('no answer');
  return {
    written: payload.created + payload.updated,
    failedRows: payload.errors
      .filter((error) => error.index >= 0)
      .map((error) => ({ row: rows[error.index] as ContactInput, code: error.code, message: error.message })),
    unplaced: payload.errors.filter((error) => error.index < 0).length,
  };
}
