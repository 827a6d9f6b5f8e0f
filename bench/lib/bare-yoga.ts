import { useGraphQlJit } from '@envelop/graphql-jit';
import { createSchema, createYoga } from 'graphql-yoga';
import type { Dispatcher } from 'undici';

interface ContactArgs {
  readonly listId: number;
  readonly contact: Readonly<Record<string, unknown>>;
}

/**
 * Yoga as the gateway configures its engine (no body limiter or multipart
 * parser of Yoga's, graphql-jit) and nothing of the gateway's own: one
 * resolver makes the same upstream PUT through `dispatcher`; no validation,
 * armor, plugins, retries, logs or metrics. What the framework alone costs.
 */
export function createBareYoga(dispatcher: Dispatcher, origin: string) {
  return createYoga({
    maxRequestBodySize: false,
    multipart: false,
    plugins: [useGraphQlJit()],
    schema: createSchema({
      typeDefs: /* GraphQL */ `
        type Query { ok: Boolean }
        input ContactInput { workEmail: String firstName: String lastName: String jobTitle: String }
        type AssertPayload { action: String count: Int }
        type Mutation { assertContact(listId: Int!, contact: ContactInput!): AssertPayload }
      `,
      resolvers: {
        Mutation: {
          assertContact: async (_root: unknown, { listId, contact }: ContactArgs) => {
            const response = await dispatcher.request({
              origin,
              path: '/api/v1/contacts/assert',
              method: 'PUT',
              headers: { 'content-type': 'application/json' },
              body: JSON.stringify({
                list_id: listId,
                work_email: contact.workEmail,
                first_name: contact.firstName,
                last_name: contact.lastName,
                job_title: contact.jobTitle,
              }),
            });
            const answer = (await response.body.json()) as { data: { action: string; count: number } };
            return { action: answer.data.action.toUpperCase(), count: answer.data.count };
          },
        },
      },
    }),
  });
}
