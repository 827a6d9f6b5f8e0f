import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AssertContactsDocument } from '../examples/generated/graphql.js';
import { emptyTally, tallyAnsweredChunk, tallyFailedChunk } from '../src/batch/accounting.js';
import { foldDuplicates } from '../src/batch/fold.js';
import { contactMatchKeys, normaliseDomain, normaliseEmail, normaliseLinkedinUrl } from '../src/batch/match-key.js';
import { planChunks } from '../src/batch/plan-chunks.js';
import { runChunks } from '../src/batch/run-chunks.js';
import { UpstreamError } from '../src/upstream/upstream-error.js';
import type { WireFields } from '../src/upstream/wire.js';
import { createHarness, type Harness } from './helpers/gateway-harness.js';
import { createdBatch, type RecordingUpstream, startRecordingUpstream } from './helpers/recording-upstream.js';

const emails = fc.constantFrom('a@x.com', 'A@X.com', ' a@x.com ', 'b@x.com', 'c@y.org', 'C@Y.ORG');
const linkedins = fc.constantFrom(
  'https://www.linkedin.com/in/ann',
  'http://linkedin.com/in/ANN/',
  'https://linkedin.com/in/bob?x=1',
  'https://www.linkedin.com/in/cy#top',
);
const contactFields = fc
  .record(
    { work_email: emails, linkedin_url: linkedins, first_name: fc.string({ maxLength: 3 }) },
    { requiredKeys: [] },
  )
  .filter((fields) => fields.work_email !== undefined || fields.linkedin_url !== undefined);

describe('key normalising', () => {
  it('is idempotent', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.stringMatching(/^[ \t/.#?a-zA-Z:]{0,12}$/)), (text) => {
        expect(normaliseEmail(normaliseEmail(text))).toBe(normaliseEmail(text));
        expect(normaliseDomain(normaliseDomain(text))).toBe(normaliseDomain(text));
        expect(normaliseLinkedinUrl(normaliseLinkedinUrl(text))).toBe(normaliseLinkedinUrl(text));
      }),
      { numRuns: 5_000 },
    );
  });
});

describe('folding and planning', () => {
  it('puts every item in exactly one chunk of at most the size, in input order', () => {
    fc.assert(
      fc.property(fc.array(contactFields, { maxLength: 400 }), fc.integer({ min: 1, max: 100 }), (items, size) => {
        const { items: folded, deduplicated } = foldDuplicates(items, contactMatchKeys);
        const chunks = planChunks(folded, size);
        expect(chunks.every((chunk) => chunk.items.length >= 1 && chunk.items.length <= size)).toBe(true);
        const indexes = chunks.flatMap((chunk) => chunk.items.flatMap((item) => item.inputIndexes));
        expect([...indexes].sort((a, b) => a - b)).toEqual(items.map((_, i) => i));
        const firsts = chunks.flatMap((chunk) => chunk.items.map((item) => item.inputIndexes[0]));
        expect(firsts).toEqual([...firsts].sort((a, b) => (a as number) - (b as number)));
        expect(folded.length + deduplicated).toBe(items.length);
        expect(new Set(folded.map((item) => item.keys[0])).size).toBe(folded.length);
      }),
    );
  });

  it('never runs two chunks carrying the same key at once, whatever the timing', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(contactFields, { minLength: 1, maxLength: 120 }),
        fc.integer({ min: 1, max: 10 }),
        fc.integer({ min: 1, max: 6 }),
        fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 30, maxLength: 30 }),
        async (items, size, concurrency, delays) => {
          const chunks = planChunks(foldDuplicates(items, contactMatchKeys).items, size);
          const inFlight = new Map<string, number>();
          let clash = false;
          let running = 0;
          let most = 0;
          await runChunks(chunks, concurrency, async (chunk, index) => {
            running++;
            most = Math.max(most, running);
            const keys = new Set(chunk.items.flatMap((item) => item.keys));
            for (const key of keys) {
              if (inFlight.has(key)) clash = true;
              inFlight.set(key, index);
            }
            await new Promise((resolve) => setTimeout(resolve, delays[index % delays.length]));
            for (const key of keys) inFlight.delete(key);
            running--;
          });
          expect(clash).toBe(false);
          expect(most).toBeLessThanOrEqual(concurrency);
        },
      ),
      { numRuns: 60 },
    );
  });
});

describe('accounting', () => {
  const answerItem = fc.oneof(
    fc.record({ index: fc.integer({ min: -2, max: 12 }), message: fc.string() }),
    fc.record({ message: fc.string() }),
    fc.record({ index: fc.constantFrom('3', null, 1.5) }),
  );
  it('always sums to total, with one errors entry per failed item', () => {
    fc.assert(
      fc.property(
        fc.array(contactFields, { minLength: 1, maxLength: 40 }),
        fc.array(
          fc.oneof(
            fc.constant('fail' as const),
            fc.record({ created: fc.nat(15), errors: fc.array(answerItem, { maxLength: 6 }) }),
          ),
          {
            minLength: 10,
            maxLength: 10,
          },
        ),
        (items, answers) => {
          const chunks = planChunks(foldDuplicates(items, contactMatchKeys).items, 10);
          const tally = emptyTally();
          chunks.forEach((chunk, i) => {
            const answer = answers[i] ?? 'fail';
            if (answer === 'fail') tallyFailedChunk(tally, chunk, new UpstreamError('UPSTREAM_UNAVAILABLE', 'down'));
            else
              tallyAnsweredChunk(tally, chunk, {
                total: chunk.items.length,
                created: answer.created,
                updated: 0,
                errors: answer.errors,
              });
          });
          expect(tally.created + tally.updated + tally.failed).toBe(items.length);
          expect(tally.errors).toHaveLength(tally.failed);
          const placed = tally.errors.filter((error) => error.index >= 0).map((error) => error.index);
          expect(new Set(placed).size).toBe(placed.length);
        },
      ),
    );
  });
});

describe('validation, through the API', () => {
  let upstream: RecordingUpstream;
  let gateway: Harness;
  beforeAll(async () => {
    upstream = await startRecordingUpstream(createdBatch);
    gateway = createHarness({ upstreamUrl: upstream.url });
  });
  afterAll(async () => {
    await gateway.close();
    await upstream.close();
  });

  const anyText = fc.oneof(
    fc.string(),
    fc.string({ unit: 'binary' }),
    fc.constantFrom('', ' ', 'a@b.co', 'x@y', 'acme.com', 'https://linkedin.com/in/z', '\u0000', '\ud800'),
  );
  const wild = fc.record(
    {
      workEmail: fc.option(anyText),
      linkedinUrl: fc.option(anyText),
      firstName: fc.option(anyText),
      companyDomain: fc.option(anyText),
      additionalFields: fc.option(
        fc.dictionary(anyText, fc.oneof(anyText, fc.integer(), fc.boolean(), fc.constant(null)), { maxKeys: 3 }),
      ),
      customFields: fc.option(
        fc.dictionary(anyText, fc.oneof(anyText, fc.double(), fc.array(fc.integer(), { maxLength: 2 })), {
          maxKeys: 3,
        }),
      ),
    },
    { requiredKeys: [] },
  );
  const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
  // biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is what this is for
  const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/;
  const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

  it('never throws an unexpected error, and never lets an invalid item reach graph8', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(wild, { minLength: 1, maxLength: 5 }), async (contacts) => {
        upstream.calls.length = 0;
        const result = await gateway.execute(AssertContactsDocument, { listId: 1, contacts: contacts as never });
        expect(result.status).toBeLessThan(500);
        for (const error of result.errors ?? []) expect(error.extensions?.code).toBe('BAD_USER_INPUT');
        if (result.errors) expect(upstream.calls).toHaveLength(0);
        for (const call of upstream.calls) {
          for (const sent of (call.body as { contacts: WireFields[] }).contacts) {
            const email = sent.work_email;
            const linkedin = sent.linkedin_url;
            expect(typeof email === 'string' || typeof linkedin === 'string').toBe(true);
            if (typeof email === 'string') expect(email.trim()).toMatch(EMAIL);
            if (typeof linkedin === 'string') expect(new URL(linkedin.trim()).hostname).toMatch(/(^|\.)linkedin\.com$/);
            expect(JSON.stringify(sent)).not.toMatch(/__proto__|"constructor"|"prototype"/);
            for (const value of Object.values(sent)) {
              if (typeof value === 'string') {
                expect(value).not.toMatch(CONTROL);
                expect(value).not.toMatch(LONE_SURROGATE);
              }
            }
          }
        }
      }),
      { numRuns: 150 },
    );
  });
});
