import { buildHTTPExecutor } from '@graphql-tools/executor-http';
import { stitchSchemas } from '@graphql-tools/stitch';
import { RenameRootFields, RenameTypes, schemaFromExecutor } from '@graphql-tools/wrap';
import { type GraphQLSchema, graphql } from 'graphql';
import { createSchema } from 'graphql-yoga';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { RunningGateway } from '../../src/start-gateway.js';
import { createdBatch, type RecordingUpstream, startRecordingUpstream } from '../helpers/recording-upstream.js';
import { startTestGateway } from '../helpers/test-gateway.js';

/** A company's own schema, which already has Contact and ContactInput types of its own. */
const localSchema = createSchema({
  typeDefs: /* GraphQL */ `
    type Contact { id: ID! name: String! }
    input ContactInput { name: String! }
    type Query { contact(id: ID!): Contact }
    type Mutation { renameContact(id: ID!, contact: ContactInput!): Contact }
  `,
  resolvers: {
    Query: { contact: (_: unknown, { id }: { id: string }) => ({ id, name: `Local ${id}` }) },
    Mutation: {
      renameContact: (_: unknown, { id, contact }: { id: string; contact: { name: string } }) => ({
        id,
        name: contact.name,
      }),
    },
  },
});

let upstream: RecordingUpstream;
let gateway: RunningGateway;

beforeAll(async () => {
  upstream = await startRecordingUpstream((call) =>
    call.path.endsWith('/batch') ? createdBatch(call) : { body: { data: { action: 'created', count: 1 } } },
  );
  gateway = await startTestGateway({ GRAPH8_API_URL: upstream.url });
});
afterAll(async () => {
  await gateway.shutdown();
  await upstream.close();
});
beforeEach(() => {
  upstream.calls.length = 0;
});

/** The remote gateway over HTTP, with each caller's Authorization passed on from the stitched context. */
async function remoteSubschema() {
  const executor = buildHTTPExecutor({
    endpoint: gateway.url,
    headers: (request): Record<string, string> => {
      const authorization = (request?.context as { authorization?: string } | undefined)?.authorization;
      return authorization ? { authorization } : {};
    },
  });
  return { schema: await schemaFromExecutor(executor), executor };
}

const run = (schema: GraphQLSchema, source: string, variableValues?: Record<string, unknown>) =>
  graphql({ schema, source, variableValues, contextValue: { authorization: 'Bearer stitched-caller' } });

describe('stitched with GraphQL Tools', () => {
  it('runs assertContact and assertContacts through the stitched schema', async () => {
    const remote = await remoteSubschema();
    const schema = stitchSchemas({
      subschemas: [
        remote,
        {
          schema: createSchema({
            typeDefs: 'type Query { local: String }',
            resolvers: { Query: { local: () => 'here' } },
          }),
        },
      ],
    });
    const single = await run(
      schema,
      'mutation { assertContact(listId: 5, contact: {workEmail: "st@acme.com"}) { action count } }',
    );
    expect(single).toEqual({ data: { assertContact: { action: 'CREATED', count: 1 } } });
    const batch = await run(
      schema,
      'mutation($c: [ContactInput!]!) { assertContacts(listId: 5, contacts: $c) { total created chunks } }',
      { c: [{ workEmail: 'x@acme.com' }, { workEmail: 'y@acme.com' }] },
    );
    expect(batch).toEqual({ data: { assertContacts: { total: 2, created: 2, chunks: 1 } } });
    expect(upstream.calls.map((call) => call.headers.authorization)).toEqual([
      'Bearer stitched-caller',
      'Bearer stitched-caller',
    ]);
  });

  it('with every type prefixed Graph8_ and root fields prefixed graph8_, beside a schema that has its own Contact types', async () => {
    const remote = await remoteSubschema();
    const schema = stitchSchemas({
      subschemas: [
        {
          ...remote,
          transforms: [
            new RenameTypes((name) => `Graph8_${name}`),
            new RenameRootFields((_operation, name) => `graph8_${name}`),
          ],
        },
        { schema: localSchema },
      ],
    });
    expect(schema.getType('Graph8_ContactInput')).toBeDefined();
    expect(schema.getType('ContactInput')).toBeDefined();
    const single = await run(
      schema,
      'mutation($c: Graph8_ContactInput!) { graph8_assertContact(listId: 5, contact: $c) { action count } }',
      { c: { workEmail: 'prefixed@acme.com', firstName: 'Pre' } },
    );
    expect(single).toEqual({ data: { graph8_assertContact: { action: 'CREATED', count: 1 } } });
    const batch = await run(
      schema,
      'mutation($c: [Graph8_ContactInput!]!) { graph8_assertContacts(listId: 5, contacts: $c) { total failed errors { index code } } }',
      { c: [{ workEmail: 'p1@acme.com' }, { linkedinUrl: 'https://linkedin.com/in/p2' }] },
    );
    expect(batch).toEqual({ data: { graph8_assertContacts: { total: 2, failed: 0, errors: [] } } });
    const local = await run(schema, 'mutation { renameContact(id: "1", contact: {name: "Ann"}) { id name } }');
    expect(local).toEqual({ data: { renameContact: { id: '1', name: 'Ann' } } });
    expect(upstream.calls.map((call) => [call.path, call.body])).toEqual([
      ['/contacts/assert', { list_id: 5, work_email: 'prefixed@acme.com', first_name: 'Pre' }],
      [
        '/contacts/assert/batch',
        { list_id: 5, contacts: [{ work_email: 'p1@acme.com' }, { linkedin_url: 'https://linkedin.com/in/p2' }] },
      ],
    ]);
  });

  it("passes the gateway's coded errors through", async () => {
    const schema = stitchSchemas({ subschemas: [await remoteSubschema()] });
    const answer = await run(
      schema,
      'mutation { assertContact(listId: 0, contact: {workEmail: "x@acme.com"}) { action } }',
    );
    expect(answer.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(upstream.calls).toHaveLength(0);
  });
});
