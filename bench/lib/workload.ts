/** The mutations the benchmarks send, so that every benchmark measures the same work. */

/** One assertContact with four fields, as a GraphQL request body. */
export const SINGLE_MUTATION_BODY = JSON.stringify({
  query: 'mutation Assert($c: ContactInput!) { assertContact(listId: 5, contact: $c) { action count } }',
  variables: { c: { workEmail: 'jane@acme.com', firstName: 'Jane', lastName: 'Doe', jobTitle: 'VP of Sales' } },
});

export const BULK_ITEMS = 10_000;

/** `run` makes every run's contacts new people, so each run creates rather than updates. */
export function bulkContacts(run: number) {
  return Array.from({ length: BULK_ITEMS }, (_, i) => ({
    workEmail: `person${i}.run${run}@bulk-bench.example`,
    firstName: 'Bench',
    lastName: `Person ${i}`,
    jobTitle: 'Engineer',
    companyDomain: 'bulk-bench.example',
  }));
}

const BULK_MUTATION = `mutation Bulk($listId: Int!, $contacts: [ContactInput!]!) {
  assertContacts(listId: $listId, contacts: $contacts) { total created updated failed chunks }
}`;

/** One assertContacts of BULK_ITEMS new contacts, as a GraphQL request body. */
export function bulkMutationBody(run: number): string {
  return JSON.stringify({ query: BULK_MUTATION, variables: { listId: 1, contacts: bulkContacts(run) } });
}
