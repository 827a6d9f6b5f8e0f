import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importContacts } from '../examples/frontend/import-contacts.js';
import type { RunningGateway } from '../src/start-gateway.js';
import { type RecordingUpstream, startRecordingUpstream } from './helpers/recording-upstream.js';
import { startTestGateway } from './helpers/test-gateway.js';

let upstream: RecordingUpstream;
let gateway: RunningGateway;
beforeAll(async () => {
  upstream = await startRecordingUpstream((call) => {
    const contacts = (call.body as { contacts: unknown[] }).contacts;
    return {
      body: {
        data: {
          total: contacts.length,
          created: contacts.length - 1,
          updated: 0,
          errors: [{ index: 1, message: 'Email bounced' }],
        },
      },
    };
  });
  gateway = await startTestGateway({ GRAPH8_API_URL: upstream.url });
});
afterAll(async () => {
  await gateway.shutdown();
  await upstream.close();
});

describe("the README's frontend example (urql with typed operations)", () => {
  it('imports rows and reads errors back by index', async () => {
    const rows = [
      { workEmail: 'ok@acme.com' },
      { workEmail: 'bounce@acme.com', firstName: 'B' },
      { workEmail: 'ok2@acme.com' },
    ];
    expect(await importContacts(gateway.url, 'caller-key', 5, rows)).toEqual({
      written: 2,
      failedRows: [{ row: rows[1], code: 'REJECTED', message: 'Email bounced' }],
      unplaced: 0,
    });
    expect(upstream.calls[0]?.headers.authorization).toBe('Bearer caller-key');
  });
});
