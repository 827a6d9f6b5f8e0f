import { Client, fetchExchange } from '@urql/core';
import {
  AssertContactsDocument,
  type AssertContactsMutationVariables,
  CheckContactsDocument,
  type ContactInput,
} from '../generated/graphql.js';

/** What a frontend shows after an import: how many were written, and why each failed row failed. */
export interface ImportReport {
  readonly written: number;
  readonly failedRows: ReadonlyArray<{ row: ContactInput; code: string; message: string }>;
  readonly unplaced: number;
}

/** A row's problems before anything is written, by row: what a spreadsheet view marks in red. */
export interface RowProblem {
  readonly row: number;
  /** The field, such as workEmail; empty for the row as a whole (no match key). */
  readonly field: string;
  readonly message: string;
}

/**
 * A browser calling the gateway from another origin needs that origin in the
 * gateway's CORS_ORIGINS (https://app.example.com); server-side code does not.
 */
function clientFor(gatewayUrl: string, token: string): Client {
  return new Client({
    url: gatewayUrl,
    exchanges: [fetchExchange],
    fetchOptions: { headers: { authorization: `Bearer ${token}` } },
  });
}

/** Every problem of every row, found without writing anything (checkContacts); empty when the list can go. */
export async function checkContactRows(
  gatewayUrl: string,
  token: string,
  listId: number,
  rows: ContactInput[],
): Promise<RowProblem[]> {
  const result = await clientFor(gatewayUrl, token)
    .query(CheckContactsDocument, { listId, contacts: rows })
    .toPromise();
  if (result.error) throw new Error(result.error.message);
  return (result.data?.checkContacts.issues ?? [])
    .filter((issue) => issue.path[0] === 'contacts')
    .map((issue) => ({ row: Number(issue.path[1]), field: issue.path.slice(2).join('.'), message: issue.message }));
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
  const variables: AssertContactsMutationVariables = { listId, contacts: rows };
  const result = await clientFor(gatewayUrl, token).mutation(AssertContactsDocument, variables).toPromise();
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

/** Checks the rows first and writes them only when every row passes: the user fixes the sheet, not the CRM. */
export async function checkThenImport(
  gatewayUrl: string,
  token: string,
  listId: number,
  rows: ContactInput[],
): Promise<{ problems: RowProblem[] } | { report: ImportReport }> {
  const problems = await checkContactRows(gatewayUrl, token, listId, rows);
  if (problems.length > 0) return { problems };
  return { report: await importContacts(gatewayUrl, token, listId, rows) };
}
