import { readdirSync, readFileSync } from 'node:fs';
import { createClient } from 'graphql-sse';

/**
 * `npm run examples [-- <url>]`: runs every operation of examples/operations/
 * with its `.variables.json` against a running gateway (by default
 * http://127.0.0.1:4000/graphql, as `npm start` serves it), in an order where
 * a later operation can use an earlier one's answer: a variable written
 * "@AssertDeal.assertDeal.dealId" takes that operation's dealId. Set
 * GATEWAY_TOKEN to send `Authorization: Bearer <token>`.
 */

const FOLDER = new URL('./operations/', import.meta.url);

/** The order operations run in; each file of the folder must be here. */
export const EXAMPLE_ORDER = [
  'gateway',
  'assert-contact',
  'assert-contacts',
  'check-contacts',
  'assert-company',
  'assert-companies',
  'assert-deal',
  'link-contact-to-deal',
  'assert-deal-with-links',
  'assert-deals',
  'link-contacts-to-deal',
  'import-contacts',
  'import-progress',
  'import',
  'create-import',
  'append-contacts',
  'start-import',
] as const;

export interface ExampleAnswer {
  readonly data?: Record<string, unknown> | null;
  readonly errors?: unknown[];
}

export interface ExampleOutcome {
  readonly name: string;
  readonly operationName: string;
  /** One answer; a subscription's events in order. */
  readonly answers: readonly ExampleAnswer[];
}

const operationNameOf = (document: string) => /^\s*(?:query|mutation|subscription)\s+(\w+)/m.exec(document)?.[1] ?? '';

/** `@Operation.path.to.value` from an earlier answer's data; anything else as written. */
function resolved(value: unknown, answers: ReadonlyMap<string, unknown>): unknown {
  if (typeof value === 'string' && value.startsWith('@')) {
    const [operation, ...path] = value.slice(1).split('.');
    return path.reduce(
      (at: unknown, key) => (at !== null && typeof at === 'object' ? (at as Record<string, unknown>)[key] : undefined),
      answers.get(operation ?? ''),
    );
  }
  if (Array.isArray(value)) return value.map((item) => resolved(item, answers));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, resolved(inner, answers)]));
  }
  return value;
}

export async function runExamples(url: string, headers: Record<string, string> = {}): Promise<ExampleOutcome[]> {
  const files = readdirSync(FOLDER).filter((file) => file.endsWith('.graphql'));
  const unordered = files
    .map((file) => file.replace(/\.graphql$/, ''))
    .filter((name) => !(EXAMPLE_ORDER as readonly string[]).includes(name));
  if (unordered.length > 0) throw new Error(`examples not in EXAMPLE_ORDER: ${unordered.join(', ')}`);
  const answers = new Map<string, unknown>();
  const outcomes: ExampleOutcome[] = [];
  const sse = createClient({ url, headers });
  try {
    for (const name of EXAMPLE_ORDER) {
      const query = readFileSync(new URL(`${name}.graphql`, FOLDER), 'utf8');
      const variables = resolved(
        JSON.parse(readFileSync(new URL(`${name}.variables.json`, FOLDER), 'utf8')),
        answers,
      ) as Record<string, unknown>;
      const operationName = operationNameOf(query);
      const got: ExampleAnswer[] = [];
      if (query.trimStart().startsWith('subscription')) {
        for await (const event of sse.iterate({ query, variables })) got.push(event as ExampleAnswer);
      } else {
        const response = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', accept: 'application/json', ...headers },
          body: JSON.stringify({ query, variables }),
        });
        got.push((await response.json()) as ExampleAnswer);
      }
      answers.set(operationName, got.at(-1)?.data);
      outcomes.push({ name, operationName, answers: got });
    }
  } finally {
    sse.dispose();
  }
  return outcomes;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const url = process.argv[2] ?? 'http://127.0.0.1:4000/graphql';
  const token = process.env.GATEWAY_TOKEN;
  const outcomes = await runExamples(url, token ? { authorization: `Bearer ${token}` } : {});
  let failed = 0;
  for (const { name, answers } of outcomes) {
    const errors = answers.flatMap((answer) => answer.errors ?? []);
    if (errors.length > 0) failed++;
    console.log(`${errors.length > 0 ? 'ERROR' : 'ok   '} ${name}: ${JSON.stringify(answers.at(-1))}`);
  }
  process.exit(failed > 0 ? 1 : 0);
}
