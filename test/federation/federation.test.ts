import { readFileSync } from 'node:fs';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { createGatewayRuntime } from '@graphql-hive/gateway-runtime';
import { composeServices } from '@theguild/federation-composition';
import { parse } from 'graphql';
import { createYoga } from 'graphql-yoga';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningGateway } from '../../src/start-gateway.js';
import { createdBatch, type RecordingUpstream, startRecordingUpstream } from '../helpers/recording-upstream.js';
import { serveOnLoopback } from '../helpers/serve-fetch.js';
import { startTestGateway } from '../helpers/test-gateway.js';

/** A second subgraph that owns a `Contact` entity of its own, as a company graph would. */
const PEOPLE_SDL = /* GraphQL */ `
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.6", import: ["@key"])
  type Contact @key(fields: "id") {
    id: ID!
    email: String!
  }
  type Query {
    contact(id: ID!): Contact
  }
`;

let upstream: RecordingUpstream;
let gateway: RunningGateway;
let people: Awaited<ReturnType<typeof serveOnLoopback>>;
let hive: Awaited<ReturnType<typeof serveOnLoopback>>;

beforeAll(async () => {
  upstream = await startRecordingUpstream((call) =>
    call.path.endsWith('/batch') ? createdBatch(call) : { body: { data: { action: 'created', count: 1 } } },
  );
  gateway = await startTestGateway({ GRAPH8_API_URL: upstream.url });
  const peopleSchema = buildSubgraphSchema({
    typeDefs: parse(PEOPLE_SDL),
    resolvers: { Query: { contact: (_: unknown, { id }: { id: string }) => ({ id, email: `${id}@people.example` }) } },
  });
  people = await serveOnLoopback(createYoga({ schema: peopleSchema, logging: false }));

  const sdl = await (
    await fetch(gateway.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ _service { sdl } }' }),
    })
  ).json();
  const composed = composeServices([
    {
      name: 'graph8',
      typeDefs: parse((sdl as { data: { _service: { sdl: string } } }).data._service.sdl),
      url: gateway.url,
    },
    { name: 'people', typeDefs: parse(PEOPLE_SDL), url: people.url },
  ]);
  if (composed.errors?.length) throw new Error(composed.errors.map((error) => error.message).join('\n'));
  const runtime = createGatewayRuntime({
    supergraph: composed.supergraphSdl as string,
    logging: false,
    // The platform team's choice, shown in the README: callers' Authorization reaches this subgraph.
    propagateHeaders: {
      fromClientToSubgraphs: ({ request }) => ({ authorization: request.headers.get('authorization') }),
    },
  });
  hive = await serveOnLoopback(runtime);
}, 60_000);

afterAll(async () => {
  await hive?.close();
  await people?.close();
  await gateway?.shutdown();
  await upstream?.close();
});

const viaHive = (query: string, variables?: unknown) =>
  fetch(hive.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Bearer caller-key' },
    body: JSON.stringify({ query, variables }),
  }).then((response) => response.json());

describe('as an Apollo Federation 2 subgraph behind Hive Gateway', () => {
  it('answers _service { sdl } with the @link to the federation spec, as subgraph.graphql prints it', async () => {
    const response = await fetch(gateway.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ _service { sdl } }' }),
    });
    const { data } = (await response.json()) as { data: { _service: { sdl: string } } };
    expect(data._service.sdl).toContain('@link(url: "https://specs.apollo.dev/federation/v2.6"');
    expect(`${data._service.sdl.trim()}\n`).toBe(
      readFileSync(new URL('../../subgraph.graphql', import.meta.url), 'utf8'),
    );
  });

  it("runs assertContact and assertContacts through the composed supergraph, with the caller's Authorization upstream", async () => {
    upstream.calls.length = 0;
    const single = await viaHive(
      'mutation { assertContact(listId: 5, contact: {workEmail: "fed@acme.com"}) { action count } }',
    );
    expect(single).toEqual({ data: { assertContact: { action: 'CREATED', count: 1 } } });
    const batch = await viaHive(
      'mutation($c: [ContactInput!]!) { assertContacts(listId: 5, contacts: $c) { total created failed chunks errors { index } } }',
      { c: [{ workEmail: 'a@acme.com' }, { workEmail: 'b@acme.com' }] },
    );
    expect(batch).toEqual({ data: { assertContacts: { total: 2, created: 2, failed: 0, chunks: 1, errors: [] } } });
    expect(upstream.calls.map((call) => [call.path, call.headers.authorization])).toEqual([
      ['/contacts/assert', 'Bearer caller-key'],
      ['/contacts/assert/batch', 'Bearer caller-key'],
    ]);
  });

  it('sits beside a subgraph with its own Contact entity', async () => {
    expect(await viaHive('{ contact(id: "7") { id email } gateway { upstream } }')).toEqual({
      data: { contact: { id: '7', email: '7@people.example' }, gateway: { upstream: 'LIVE' } },
    });
  });

  it('passes validation errors through with their code', async () => {
    const answer = (await viaHive('mutation { assertContact(listId: 0, contact: {firstName: "x"}) { action } }')) as {
      errors: Array<{ extensions: { code: string } }>;
    };
    expect(answer.errors[0]?.extensions.code).toBe('BAD_USER_INPUT');
  });
});
