import { print } from 'graphql';
import { pino } from 'pino';
import { AssertContactsDocument, type AssertContactsMutation } from '../../examples/generated/graphql.js';
import { assembleGateway } from '../../src/assemble-gateway.js';
import { contactMatchKeys } from '../../src/batch/match-key.js';
import { parseConfig } from '../../src/config.js';
import type { SimulatorFaults } from '../../src/simulator/faults.js';
import { startSimulator } from '../../src/simulator/server.js';
import type { SimulatorStore } from '../../src/simulator/store.js';

/**
 * The fault soak: concurrent assertContacts mutations (with duplicates and
 * mixed keys) against a simulator that answers 503s, 429s with Retry-After,
 * reset connections and latency spikes. Afterwards the simulator's state must
 * be what the inputs imply, and every count must reconcile.
 */

export interface SoakOptions {
  readonly contacts: number;
  readonly mutations: number;
  readonly faults: SimulatorFaults;
  readonly concurrency?: number;
  readonly maxAttempts?: number;
  readonly seed?: number;
}

export interface SoakReport {
  readonly contacts: number;
  readonly people: number;
  readonly created: number;
  readonly updated: number;
  readonly failed: number;
  readonly deduplicated: number;
  readonly chunks: number;
  readonly upstreamAttempts: number;
  readonly retries: number;
  readonly durationMs: number;
  /** Every discrepancy found; empty when nothing was lost or written twice. */
  readonly problems: string[];
}

interface ContactInput {
  workEmail?: string;
  linkedinUrl?: string;
  firstName: string;
  jobTitle?: string;
  customFields?: Record<string, number>;
}

/** A small deterministic generator, so that a failing soak can be replayed. */
function random(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 4_294_967_296;
  };
}

/** Each person is matched one way throughout: by e-mail (written in varied case) or by LinkedIn URL alone (in varied forms). */
function occurrence(person: number, mutation: number, visit: number, rand: () => number): ContactInput {
  const byEmail = person % 3 !== 0;
  const email = `person${person}.m${mutation}@soak.example`;
  const linkedin = `linkedin.com/in/person-${person}-m${mutation}`;
  const input: ContactInput = { firstName: `First ${person} v${visit}` };
  if (byEmail) {
    input.workEmail = rand() < 0.3 ? ` ${email.toUpperCase()} ` : email;
    if (rand() < 0.3) input.linkedinUrl = `https://www.${linkedin}/`;
  } else {
    input.linkedinUrl = rand() < 0.5 ? `https://www.${linkedin}/` : `http://${linkedin.toUpperCase()}?utm=soak`;
  }
  if (rand() < 0.5) input.jobTitle = `Title v${visit}`;
  input.customFields = { [`visit_${visit}`]: visit };
  return input;
}

function expectedFields(occurrences: readonly ContactInput[]): Record<string, unknown> {
  const merged: Record<string, unknown> = {};
  const custom: Record<string, number> = {};
  for (const input of occurrences) {
    merged.first_name = input.firstName;
    if (input.jobTitle !== undefined) merged.job_title = input.jobTitle;
    Object.assign(custom, input.customFields);
  }
  merged.custom_fields = custom;
  return merged;
}

interface SoakAnswer {
  readonly data?: AssertContactsMutation | null;
  readonly errors?: unknown[];
}

/**
 * The gateway app in this process (through `app.fetch`), calling the simulator
 * through a real pool, with production's random backoff jitter.
 */
function inProcessGateway(upstreamUrl: string, concurrency: number, maxAttempts: number) {
  const parsed = parseConfig({
    GRAPH8_API_URL: upstreamUrl,
    UPSTREAM_CONCURRENCY: String(concurrency),
    UPSTREAM_MAX_ATTEMPTS: String(maxAttempts),
    UPSTREAM_TIMEOUT_MS: '5000',
    GRAPHIQL: 'false',
  });
  if (!parsed.ok) throw new Error(parsed.errors.join('\n'));
  const { app, upstream, imports } = assembleGateway(parsed.config, {
    baseUrl: upstreamUrl,
    logger: pino({ level: 'silent' }),
    description: { version: 'soak', upstream: 'LIVE' },
  });
  const query = print(AssertContactsDocument);
  return {
    app,
    async assertContacts(contacts: ContactInput[]): Promise<SoakAnswer> {
      const response = await app.fetch('http://gateway.soak/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: 'Bearer soak-key' },
        body: JSON.stringify({ query, variables: { listId: 1, contacts } }),
      });
      return (await response.json()) as SoakAnswer;
    },
    async close() {
      await imports.stopWorking(0);
      await app.dispose();
      await imports.close();
      await upstream.close();
    },
  };
}

export async function runSoak(options: SoakOptions): Promise<SoakReport> {
  const seed = options.seed ?? 20261126;
  const rand = random(seed);
  // Faults drawn from a seeded sequence too: every run injects them, so a run cannot pass by drawing none.
  const simulator = await startSimulator({ faults: options.faults, random: random(seed + 1) });
  const gateway = inProcessGateway(simulator.url, options.concurrency ?? 4, options.maxAttempts ?? 6);
  const perMutation = Math.ceil(options.contacts / options.mutations);
  const inputs: ContactInput[][] = [];
  const occurrencesByPerson = new Map<string, ContactInput[]>();
  for (let mutation = 0; mutation < options.mutations; mutation++) {
    const list: ContactInput[] = [];
    const people = Math.max(1, Math.floor(perMutation * 0.8));
    const visits = new Map<number, number>();
    for (let i = 0; i < perMutation; i++) {
      // About one item in five repeats someone already in this mutation.
      const person = i < people ? i : Math.floor(rand() * people);
      const visit = (visits.get(person) ?? 0) + 1;
      visits.set(person, visit);
      const input = occurrence(person, mutation, visit, rand);
      list.push(input);
      const key = `${mutation}/${person}`;
      occurrencesByPerson.set(key, [...(occurrencesByPerson.get(key) ?? []), input]);
    }
    inputs.push(list);
  }
  const started = performance.now();
  const results = await Promise.all(
    inputs.map((contacts) => gateway.assertContacts(contacts).then((result) => ({ result, contacts }))),
  );
  const durationMs = performance.now() - started;
  const problems: string[] = [];
  let created = 0;
  let updated = 0;
  let failed = 0;
  let deduplicated = 0;
  let chunks = 0;
  const failedInputs = new Set<ContactInput>();
  for (const { result, contacts } of results) {
    const payload = result.data?.assertContacts;
    if (!payload) {
      problems.push(`a mutation failed as a whole: ${JSON.stringify(result.errors)}`);
      continue;
    }
    if (payload.total !== contacts.length) problems.push(`total ${payload.total} for ${contacts.length} items`);
    if (payload.created + payload.updated + payload.failed !== payload.total) {
      problems.push(
        `created ${payload.created} + updated ${payload.updated} + failed ${payload.failed} != total ${payload.total}`,
      );
    }
    if (payload.errors.length !== payload.failed)
      problems.push(`${payload.errors.length} errors for ${payload.failed} failed`);
    for (const error of payload.errors) {
      const input = contacts[error.index];
      if (input) failedInputs.add(input);
      else problems.push(`an error at index ${error.index}, which names no input item`);
    }
    created += payload.created;
    updated += payload.updated;
    failed += payload.failed;
    deduplicated += payload.deduplicated;
    chunks += payload.chunks;
  }
  checkState(simulator.store, occurrencesByPerson, failedInputs, problems);
  if (created > simulator.store.contacts.records.size) {
    problems.push(`${created} reported created but only ${simulator.store.contacts.records.size} records exist`);
  }
  const metrics = await (await gateway.app.fetch('http://gateway.soak/metrics')).text();
  const count = (pattern: RegExp) => [...metrics.matchAll(pattern)].reduce((sum, match) => sum + Number(match[1]), 0);
  await gateway.close();
  await simulator.close();
  return {
    contacts: options.contacts,
    people: occurrencesByPerson.size,
    created,
    updated,
    failed,
    deduplicated,
    chunks,
    upstreamAttempts: count(/^graph8_upstream_requests_total\{[^}]*\} (\d+)$/gm),
    retries: count(/^graph8_upstream_retries_total\{[^}]*\} (\d+)$/gm),
    durationMs: Math.round(durationMs),
    problems,
  };
}

function checkState(
  store: SimulatorStore,
  occurrencesByPerson: ReadonlyMap<string, ContactInput[]>,
  failedInputs: ReadonlySet<ContactInput>,
  problems: string[],
): void {
  const seenRecords = new Set<number>();
  for (const [person, occurrences] of occurrencesByPerson) {
    const first = occurrences[0] as ContactInput;
    const lookup =
      first.workEmail !== undefined ? { work_email: first.workEmail } : { linkedin_url: first.linkedinUrl };
    const record = store.contacts.find(lookup);
    const anyFailed = occurrences.some((input) => failedInputs.has(input));
    if (!record) {
      if (!anyFailed) problems.push(`person ${person} was reported written but is not stored`);
      continue;
    }
    if (seenRecords.has(record.id)) problems.push(`person ${person} shares a record with another person`);
    seenRecords.add(record.id);
    if (anyFailed) continue;
    const expected = expectedFields(occurrences);
    for (const [field, value] of Object.entries(expected)) {
      if (JSON.stringify(record.fields[field]) !== JSON.stringify(value)) {
        problems.push(
          `person ${person}: ${field} is ${JSON.stringify(record.fields[field])}, expected ${JSON.stringify(value)}`,
        );
      }
    }
    if (contactMatchKeys(record.fields)[0] === undefined)
      problems.push(`person ${person} is stored without a match key`);
  }
  if (store.contacts.records.size !== seenRecords.size) {
    problems.push(
      `${store.contacts.records.size} records stored for ${seenRecords.size} people: something was written twice`,
    );
  }
}
