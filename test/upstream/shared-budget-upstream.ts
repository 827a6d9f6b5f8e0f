import { setTimeout as sleep } from 'node:timers/promises';
import { parentPort, workerData } from 'node:worker_threads';
import { type RecordedCall, type ScriptedAnswer, startRecordingUpstream } from '../helpers/recording-upstream.js';

/**
 * The loopback graph8 of the shared-budget tests, run in a worker thread of
 * its own (shared-budget-upstream.mjs starts it): arrivals are stamped here,
 * where nothing else runs, so that a stall of the test's own thread (its
 * traffic, its assertions, its garbage) cannot move a call into the next
 * second. Every call is reported to the test as an Arrival; the test asks for
 * one-off answers (a 429, a spent window) through messages.
 */

/** One call as the test sees it. */
export interface Arrival {
  readonly key: string;
  readonly requestId: string;
  readonly path: string;
  /** The first contact's work e-mail (a call's identity across its retries). */
  readonly firstEmail: string;
  readonly items: number;
  /** Date.now() in this thread when the call had arrived. */
  readonly receivedAt: number;
}

export interface UpstreamThreadOptions {
  /** Every answer waits this long. */
  readonly delayMs: number;
  /** Every n-th distinct call is answered 503 on its first attempt (its retry succeeds); 0: never. */
  readonly failFirstAttemptEvery: number;
}

/** What the answer to a picked call says: a 429 with Retry-After: 2, or Remaining: 0 with a Reset 2 s ahead. */
export type SpentWindow = 'retry-after' | 'reset';

export type ToThread =
  | { type: 'answer-next'; id: number; key: string; requestIdPrefix: string; kind: SpentWindow }
  | { type: 'settle'; id: number }
  | { type: 'close' };

export type FromThread =
  | { type: 'ready'; url: string }
  | { type: 'call'; arrival: Arrival }
  | { type: 'answered'; id: number; arrival: Arrival; answeredAt: number; resumeAt: number }
  | { type: 'settled'; id: number; failedFirstAttempts: number }
  | { type: 'closed' };

function arrivalOf(call: RecordedCall): Arrival {
  const body = call.body as { contacts?: Array<{ work_email?: string }>; work_email?: string } | undefined;
  return {
    key: String(call.headers.authorization ?? '').replace(/^Bearer /, ''),
    requestId: String(call.headers['x-request-id'] ?? ''),
    path: call.path,
    firstEmail: String(body?.contacts?.[0]?.work_email ?? body?.work_email ?? ''),
    items: body?.contacts?.length ?? 1,
    receivedAt: call.receivedAt,
  };
}

function created(items: number): { data: unknown } {
  return { data: { total: items, created: items, updated: 0, errors: [] } };
}

function spentWindow(kind: SpentWindow, items: number, now: number): { answer: ScriptedAnswer; resumeAt: number } {
  if (kind === 'retry-after') {
    return {
      answer: { status: 429, headers: { 'retry-after': '2' }, body: { detail: 'Too many requests' } },
      resumeAt: now + 2_000,
    };
  }
  const reset = Math.ceil((now + 2_000) / 1000);
  return {
    answer: {
      headers: { 'x-ratelimit-limit': '20', 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(reset) },
      body: created(items),
    },
    resumeAt: reset * 1000,
  };
}

async function main(): Promise<void> {
  const port = parentPort;
  if (!port) throw new Error('shared-budget-upstream.ts runs in a worker thread');
  const post = (message: FromThread) => port.postMessage(message);
  const { delayMs, failFirstAttemptEvery } = workerData as UpstreamThreadOptions;
  const picks: Array<Extract<ToThread, { type: 'answer-next' }>> = [];
  const seen = new Set<string>();
  let failed = 0;
  const upstream = await startRecordingUpstream(async (call) => {
    const arrival = arrivalOf(call);
    post({ type: 'call', arrival });
    const index = picks.findIndex(
      (pick) => pick.key === arrival.key && arrival.requestId.startsWith(pick.requestIdPrefix),
    );
    if (index >= 0) {
      const [pick] = picks.splice(index, 1);
      const answeredAt = Date.now();
      const { answer, resumeAt } = spentWindow(pick!.kind, arrival.items, answeredAt);
      post({ type: 'answered', id: pick!.id, arrival, answeredAt, resumeAt });
      return answer;
    }
    await sleep(delayMs);
    const identity = `${arrival.key} ${arrival.requestId} ${arrival.path} ${arrival.firstEmail}`;
    if (!seen.has(identity)) {
      seen.add(identity);
      if (failFirstAttemptEvery > 0 && seen.size % failFirstAttemptEvery === 0) {
        failed++;
        return { status: 503, body: { detail: 'Service temporarily unavailable' } };
      }
    }
    if (arrival.path.endsWith('/batch')) return { body: created(arrival.items) };
    return { body: { data: { action: 'created', count: 1 } } };
  });
  port.on('message', (message: ToThread) => {
    if (message.type === 'answer-next') picks.push(message);
    else if (message.type === 'settle') post({ type: 'settled', id: message.id, failedFirstAttempts: failed });
    else if (message.type === 'close') {
      void upstream.close().then(() => {
        post({ type: 'closed' });
        port.close();
      });
    }
  });
  post({ type: 'ready', url: upstream.url });
}

await main();
