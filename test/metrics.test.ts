import { afterEach, describe, expect, it } from 'vitest';
import { AssertContactDocument } from '../examples/generated/graphql.js';
import type { RunningGateway } from '../src/start-gateway.js';
import { createHarness } from './helpers/gateway-harness.js';
import { startRecordingUpstream } from './helpers/recording-upstream.js';
import { startTestGateway } from './helpers/test-gateway.js';

/** What /metrics counts (src/metrics.ts): upstream attempts and calls, batch items, HTTP requests, operations. */

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function gatewayWith(env: Record<string, string>): Promise<RunningGateway> {
  const gateway = await startTestGateway(env);
  cleanups.push(() => gateway.shutdown());
  return gateway;
}

const postJson = (url: string, body: unknown) =>
  fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

const BATCH =
  'mutation($contacts: [ContactInput!]!) { assertContacts(listId: 1, contacts: $contacts) { total created updated failed chunks } }';

describe('metrics', () => {
  it('/metrics counts a retried call, its attempts, and the operation', async () => {
    const upstream = await startRecordingUpstream((_call, n) =>
      n === 1 ? { status: 503, body: { detail: 'busy' } } : { body: { data: { action: 'created', count: 1 } } },
    );
    cleanups.push(() => upstream.close());
    const gateway = createHarness({ upstreamUrl: upstream.url });
    cleanups.push(() => gateway.close());
    await gateway.execute(AssertContactDocument, { listId: 1, contact: { workEmail: 'm@acme.com' } });
    const text = await (await gateway.app.fetch('http://gateway.test/metrics')).text();
    expect(text).toContain('graph8_upstream_requests_total{route="contacts/assert",status="503"} 1');
    expect(text).toContain('graph8_upstream_requests_total{route="contacts/assert",status="200"} 1');
    expect(text).toContain('graph8_upstream_retries_total{route="contacts/assert"} 1');
    expect(text).toContain('graph8_upstream_calls_total{route="contacts/assert",outcome="ok"} 1');
    expect(text).toMatch(/graph8_upstream_request_duration_seconds_count\{route="contacts\/assert"\} 2/);
    expect(text).toContain('graph8_graphql_operations_total{operation_type="mutation",outcome="ok"} 1');
    expect(text).not.toContain('test-key');
  });

  it('counts batch items by outcome and chunks', async () => {
    const gateway = await gatewayWith({});
    const contacts = [{ workEmail: 'x@acme.com' }, { workEmail: 'X@acme.com' }, { workEmail: 'y@acme.com' }];
    await postJson(gateway.url, { query: BATCH, variables: { contacts } });
    const text = await (await fetch(gateway.url.replace('/graphql', '/metrics'))).text();
    expect(text).toContain('graph8_batch_items_total{kind="contacts",outcome="created"} 2');
    expect(text).toContain('graph8_batch_items_total{kind="contacts",outcome="updated"} 1');
    expect(text).toContain('graph8_batch_items_total{kind="contacts",outcome="folded"} 1');
    expect(text).toContain('graph8_batch_chunks_total{kind="contacts"} 1');
  });

  it('counts HTTP requests by method and status, refused ones included, and operations by error code', async () => {
    const gateway = await gatewayWith({ MAX_BODY_BYTES: '2000' });
    await postJson(gateway.url, { query: BATCH, variables: { contacts: [{ workEmail: 'x@acme.com' }] } });
    await postJson(gateway.url, { query: BATCH, variables: { contacts: [{ workEmail: 'not an e-mail' }] } });
    await postJson(gateway.url, { query: BATCH, variables: { contacts: [{ workEmail: 'x'.repeat(3000) }] } });
    await fetch(gateway.url, { method: 'PATCH' });
    const text = await (await fetch(gateway.url.replace('/graphql', '/metrics'))).text();
    expect(text).toContain('graph8_http_request_duration_seconds_count{method="POST",status="200"} 2');
    expect(text).toContain('graph8_http_request_duration_seconds_count{method="POST",status="413"} 1');
    expect(text).toMatch(/graph8_http_request_duration_seconds_count\{method="other",status="\d+"\} 1/);
    expect(text).toContain('graph8_graphql_operations_total{operation_type="mutation",outcome="ok"} 1');
    expect(text).toContain('graph8_graphql_operations_total{operation_type="mutation",outcome="error"} 1');
    expect(text).toContain('graph8_graphql_errors_total{code="BAD_USER_INPUT"} 1');
  });
});
