import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningGateway } from '../../src/start-gateway.js';
import { startTestGateway } from '../helpers/test-gateway.js';

/** `/health`, `/readiness`, `/metrics` and `GET /` (src/plugins/use-operational-endpoints.ts and Yoga's health check). */

let gateway: RunningGateway;
let origin: string;
beforeAll(async () => {
  gateway = await startTestGateway();
  origin = new URL(gateway.url).origin;
});
afterAll(async () => {
  await gateway.shutdown();
});

describe('operational endpoints', () => {
  it('answers /health and /readiness', async () => {
    expect((await fetch(`${origin}/health`)).status).toBe(200);
    expect((await fetch(`${origin}/readiness`)).status).toBe(200);
  });

  it('GET / (and HEAD /) answers 302 to /graphql', async () => {
    for (const method of ['GET', 'HEAD']) {
      const response = await fetch(`${origin}/`, { method, redirect: 'manual' });
      expect(response.status, method).toBe(302);
      expect(response.headers.get('location'), method).toBe('/graphql');
    }
  });

  it('serves /metrics as Prometheus text', async () => {
    const response = await fetch(`${origin}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(await response.text()).toMatch(/^# HELP graph8_/m);
  });
});
