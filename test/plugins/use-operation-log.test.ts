import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { AssertContactDocument } from '../../examples/generated/graphql.js';
import { gatewayKeyPolicy } from '../../src/auth.js';
import { createLogger } from '../../src/logger.js';
import { createHarness } from '../helpers/gateway-harness.js';
import { startRecordingUpstream } from '../helpers/recording-upstream.js';

/** One JSON line per operation (src/plugins/use-operation-log.ts), written by src/logger.ts with secrets redacted. */

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe('logs', () => {
  it('one JSON line per operation, and no key or token in any line at debug', async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _encoding, done) {
        lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
        done();
      },
    });
    const upstream = await startRecordingUpstream((call) =>
      call.path === '/deals/assert'
        ? { status: 401, body: { detail: 'bad key' } }
        : { body: { data: { action: 'created', count: 1 } } },
    );
    cleanups.push(() => upstream.close());
    const gateway = createHarness({
      upstreamUrl: upstream.url,
      access: gatewayKeyPolicy('sk-live-VERY-SECRET', ['tok-ALSO-SECRET'], false),
      app: { logger: createLogger('debug', sink).logger },
    });
    cleanups.push(() => gateway.close());
    await gateway.execute(
      AssertContactDocument,
      { listId: 1, contact: { workEmail: 'log@acme.com' } },
      {
        authorization: 'Bearer tok-ALSO-SECRET',
        'x-request-id': 'trace-log-1',
      },
    );
    await gateway.execute('mutation { assertDeal(deal: {name: "D"}) { dealId } }', undefined, {
      authorization: 'Bearer tok-ALSO-SECRET',
    });
    await gateway.execute(
      AssertContactDocument,
      { listId: 1, contact: { workEmail: 'log@acme.com' } },
      { authorization: 'Bearer tok-WRONG-SECRET' },
    );
    expect(lines.length).toBeGreaterThan(3);
    for (const line of lines) {
      expect(() => JSON.parse(line)).not.toThrow();
      expect(line).not.toMatch(/VERY-SECRET|ALSO-SECRET|WRONG-SECRET/);
    }
    const operations = lines.map((line) => JSON.parse(line)).filter((line) => line.msg === 'operation');
    expect(operations).toHaveLength(3);
    expect(operations[0]).toMatchObject({
      requestId: 'trace-log-1',
      operationName: 'AssertContact',
      operationType: 'mutation',
      upstreamCalls: 1,
      outcome: 'ok',
    });
    expect(operations[0].durationMs).toBeTypeOf('number');
    expect(operations[1]).toMatchObject({ outcome: 'UNAUTHENTICATED', upstreamCalls: 1 });
    expect(operations[2]).toMatchObject({ outcome: 'UNAUTHENTICATED', upstreamCalls: 0 });
  });
});
