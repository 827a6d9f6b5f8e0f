import type { Plugin } from 'graphql-yoga';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from '../helpers/gateway-harness.js';
import { type RecordingUpstream, startRecordingUpstream } from '../helpers/recording-upstream.js';

/** Each document is validated once (src/plugins/use-validation-cache.ts); its outcome, accepted or refused, is reused. */

let upstream: RecordingUpstream;
let gateway: Harness;
let validations = 0;

/** Counts the validations that really run: after the cache, so a cached outcome skips it. */
const countValidations: Plugin = {
  onValidate({ validateFn, setValidationFn }) {
    setValidationFn((...args) => {
      validations++;
      return validateFn(...args);
    });
  },
};

beforeAll(async () => {
  upstream = await startRecordingUpstream();
  gateway = createHarness({ upstreamUrl: upstream.url, app: { extraPlugins: [countValidations] } });
});
afterAll(async () => {
  await gateway.close();
  await upstream.close();
});
beforeEach(() => {
  validations = 0;
});

describe('the validation cache', () => {
  it('validates a document once, and answers it the same way every time', async () => {
    const answers = [];
    for (let time = 0; time < 3; time++)
      answers.push(await gateway.execute('{ gateway { version upstream } }', {}, {}));
    expect(answers).toEqual(Array(3).fill({ status: 200, data: { gateway: { version: 'test', upstream: 'LIVE' } } }));
    expect(validations).toBe(1);
  });

  it('remembers a refusal too', async () => {
    const unknownField = [];
    for (let time = 0; time < 3; time++) unknownField.push(await gateway.execute('{ nope }', {}, {}));
    expect(new Set(unknownField.map((answer) => JSON.stringify(answer))).size).toBe(1);
    expect(unknownField[0]?.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(validations).toBe(1);
    expect(upstream.calls).toHaveLength(0);
  });

  it("remembers armor's refusals and the selection limit's, which are thrown rather than returned", async () => {
    const sixtyAliases = `mutation { ${Array.from({ length: 60 }, (_, i) => `a${i}: assertContact(listId: 1, contact: {workEmail: "al${i}@acme.com"}) { action }`).join(' ')} }`;
    for (const document of [sixtyAliases, `{ gateway { ${'version '.repeat(500)} } }`]) {
      validations = 0;
      const answers = [];
      for (let time = 0; time < 3; time++) answers.push(await gateway.execute(document, {}, {}));
      expect(answers.map((answer) => answer.status)).toEqual([400, 400, 400]);
      expect(new Set(answers.map((answer) => JSON.stringify(answer))).size).toBe(1);
      expect(validations).toBe(1);
    }
    expect(upstream.calls).toHaveLength(0);
  });

  it('validates a document with other text anew', async () => {
    await gateway.execute('{ gateway { chunkSize } }', {}, {});
    await gateway.execute('{ gateway { chunkSize } }', {}, {});
    await gateway.execute('{ gateway { maxItemsPerMutation } }', {}, {});
    expect(validations).toBe(2);
  });
});
