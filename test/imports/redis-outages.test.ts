import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { startGatewayProcess } from '../helpers/gateway-process.js';
import {
  cleanUp,
  contactsWithDuplicates,
  data,
  graphql,
  IMPORT_CONTACTS,
  IMPORT_SECRET,
  importOf,
  lastWords,
  startCopy,
  startRedisServer,
  startSlowUpstream,
  subscribe,
  until,
  untilEnded,
} from './redis-cluster.js';

/**
 * Redis going away at the worst moments: while chunks are counted, while a
 * progress stream is open, and before a fresh copy's first request. The copy
 * keeps running, and what imports answer is SERVICE_UNAVAILABLE, never a
 * masked error or a crash.
 */

const TOKEN = 'token-of-caller-a';
const ENV = { GRAPH8_API_KEY: 'the-gateway-upstream-key', GATEWAY_TOKENS: TOKEN };
const PROGRESS = 'subscription($id: ID!) { importProgress(importId: $id) { state processed } }';

afterEach(cleanUp, 30_000);

describe('Redis outages', () => {
  it('Redis stopped while chunks are being counted: the copy keeps running, and the import ends once Redis is back', async () => {
    const redis = await startRedisServer();
    const upstream = await startSlowUpstream(0);
    const copy = await startCopy({ redis, upstream, env: { ...ENV, IMPORT_CONCURRENCY: '8' }, credential: TOKEN });
    for (let trial = 1; trial <= 3; trial++) {
      const started = (
        await data(copy, IMPORT_CONTACTS, { listId: 7, contacts: contactsWithDuplicates(10_000, `t${trial}-`) }, TOKEN)
      ).importContacts;
      await until(
        'counting',
        async () => ((await importOf(copy, started.id, TOKEN)).chunksDone >= 3 ? true : undefined),
        20_000,
        5,
      );
      await redis.stop({ keepData: true });
      await sleep(2_500);
      expect(copy.child.exitCode, `trial ${trial}: ${lastWords(copy)}`).toBeNull();
      await redis.start();
      const ended = await untilEnded(copy, started.id, TOKEN, 60_000);
      expect(ended.state).toBe('SUCCEEDED');
      expect(ended.processed).toBe(10_000);
    }
  }, 240_000);

  it('the subscription answers SERVICE_UNAVAILABLE when Redis is down, as the queries and mutations do', async () => {
    const redis = await startRedisServer();
    const upstream = await startSlowUpstream(0);
    const copy = await startCopy({ redis, upstream, env: ENV, credential: TOKEN });
    await redis.stop();
    const stream = await subscribe(copy, PROGRESS, { id: 'imp_AAAAAAAAAAAAAAAAAAAAAA' }, TOKEN, 10_000);
    const events = await stream.done;
    expect(stream.status).toBe(200);
    expect(events.map((event) => event.event)).toEqual(['next', 'complete']);
    expect(events[0]?.data.errors?.[0]?.extensions?.code).toBe('SERVICE_UNAVAILABLE');
  });

  it('a progress stream open through an outage longer than ten seconds: its error is SERVICE_UNAVAILABLE, and the copy lives on', async () => {
    const redis = await startRedisServer();
    const upstream = await startSlowUpstream(300);
    const copy = await startCopy({ redis, upstream, env: { ...ENV, IMPORT_CONCURRENCY: '1' }, credential: TOKEN });
    const started = (
      await data(copy, IMPORT_CONTACTS, { listId: 7, contacts: contactsWithDuplicates(2_000, 'mid') }, TOKEN)
    ).importContacts;
    const stream = await subscribe(copy, PROGRESS, { id: started.id }, TOKEN, 60_000);
    await sleep(1_500);
    await redis.stop({ keepData: true });
    await sleep(15_000);
    expect(copy.child.exitCode, lastWords(copy)).toBeNull();
    await redis.start();
    const events = await stream.done;
    for (const event of events) {
      if (event.data?.errors) expect(event.data.errors[0].extensions.code).toBe('SERVICE_UNAVAILABLE');
    }
    await sleep(1_000);
    expect(copy.child.exitCode, lastWords(copy)).toBeNull();
    expect((await untilEnded(copy, started.id, TOKEN, 60_000)).state).toBe('SUCCEEDED');
  }, 120_000);

  it('a copy that has just printed its URL answers import operations at once', async () => {
    const redis = await startRedisServer();
    const upstream = await startSlowUpstream(0);
    const copy = await startGatewayProcess({
      REDIS_URL: redis.url,
      IMPORT_SECRET,
      GRAPH8_API_URL: upstream.url,
      ...ENV,
    });
    const answer = await graphql(copy, '{ imports(first: 1) { edges { node { id } } } }', {}, TOKEN);
    expect(answer.body.errors).toBeUndefined();
  });
});
