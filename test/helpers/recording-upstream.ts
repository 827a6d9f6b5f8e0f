import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

/** One request the fake upstream received. */
export interface RecordedCall {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: unknown;
  readonly receivedAt: number;
}

export interface ScriptedAnswer {
  readonly status?: number;
  /** An object is sent as JSON; a string as it is. */
  readonly body?: unknown;
  readonly headers?: Record<string, string>;
  readonly delayMs?: number;
  /** Destroy the connection instead of answering. */
  readonly reset?: boolean;
}

export type Script = (call: RecordedCall, callNumber: number) => ScriptedAnswer | Promise<ScriptedAnswer>;

export interface RecordingUpstream {
  /** Base URL including /api/v1. */
  readonly url: string;
  readonly calls: RecordedCall[];
  /** Most calls that were being answered at the same moment. */
  readonly maxInFlight: () => number;
  script: Script;
  close(): Promise<void>;
}

/** A loopback stand-in for graph8 that records every call and answers as the test scripts it. */
export async function startRecordingUpstream(
  script: Script = () => ({ body: { data: {} } }),
): Promise<RecordingUpstream> {
  const calls: RecordedCall[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const state = { script };
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', async () => {
      const text = Buffer.concat(chunks).toString('utf8');
      let body: unknown = text;
      try {
        body = text === '' ? undefined : JSON.parse(text);
      } catch {
        // kept as text
      }
      const call: RecordedCall = {
        method: request.method ?? '',
        path: (request.url ?? '').replace(/^\/api\/v1/, ''),
        headers: request.headers,
        body,
        receivedAt: Date.now(),
      };
      calls.push(call);
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      try {
        const answer = await state.script(call, calls.length);
        if (answer.delayMs) await sleep(answer.delayMs);
        if (answer.reset) {
          request.socket.destroy();
          return;
        }
        const payload = typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body ?? {});
        response.writeHead(answer.status ?? 200, { 'content-type': 'application/json', ...answer.headers });
        response.end(payload);
      } finally {
        inFlight--;
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/api/v1`,
    calls,
    maxInFlight: () => maxInFlight,
    get script() {
      return state.script;
    },
    set script(next: Script) {
      state.script = next;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** Answers a batch call as the upstream would when every item is created. */
export function createdBatch(call: RecordedCall): ScriptedAnswer {
  const body = call.body as Record<string, unknown[]>;
  const items = body.contacts ?? body.companies ?? [];
  return { body: { data: { total: items.length, created: items.length, updated: 0, errors: [] } } };
}
