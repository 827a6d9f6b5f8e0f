import { createServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { VARIABLES } from '../../src/config.js';
import { killGatewayProcesses, PACKAGE_VERSION, runGateway, startGatewayProcess } from '../helpers/gateway-process.js';

/** Start-up, as an operator meets it: the built gateway's command line and its first lines (src/main.ts). */

afterEach(async () => {
  await killGatewayProcesses();
});

describe('the command line', () => {
  it("--version prints package.json's version and exits 0", async () => {
    const run = await runGateway({}, ['--version']);
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(run.stdout.trim()).toBe(PACKAGE_VERSION);
  });

  it('--help prints the configuration table, every variable named, and exits 0', async () => {
    const run = await runGateway({}, ['--help']);
    expect(run).toMatchObject({ code: 0, stderr: '' });
    const names = Object.keys(VARIABLES);
    expect(names.length).toBeGreaterThan(10);
    for (const name of names) expect(run.stdout, name).toMatch(new RegExp(`^\\s+${name}\\s`, 'm'));
  });
});

describe('start-up mistakes', () => {
  it('a variable that looks like ours: a warning naming the one it resembles, and the gateway still starts', async () => {
    const gateway = await startGatewayProcess({ GRAPH8_APIKEY: 'sk-typo', UPSTREAM_CONCURENCY: '3' });
    const warnings = gateway.logs().filter((line) => line.level === 40);
    expect(warnings.map((line) => line.msg)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/GRAPH8_APIKEY\b.*\bGRAPH8_API_KEY\b/),
        expect.stringMatching(/UPSTREAM_CONCURENCY\b.*\bUPSTREAM_CONCURRENCY\b/),
      ]),
    );
    expect(JSON.stringify(warnings)).not.toContain('sk-typo');
    expect((await fetch(`${gateway.origin}/readiness`)).status).toBe(200);
    const response = await fetch(gateway.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"query": "{ gateway { upstream } }"}',
    });
    // The misspelt key was not taken for one: the gateway runs on its simulator.
    expect(await response.json()).toEqual({ data: { gateway: { upstream: 'SIMULATOR' } } });
  });

  it('a port already in use: one plain line on stderr naming PORT, no stack, exit 1', async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = taken.address() as { port: number };
      const run = await runGateway({ PORT: String(port), HOST: '127.0.0.1' });
      expect(run.code).toBe(1);
      const lines = run.stderr.split('\n').filter((line) => line.trim() !== '');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/\bPORT\b/);
      expect(lines[0]).toContain(String(port));
      expect(run.stderr).not.toMatch(/^\s+at /m);
      expect(run.stdout).not.toMatch(/"level":60/);
    } finally {
      await new Promise((resolve) => taken.close(resolve));
    }
  });

  it('a bad value: one line naming the variable, exit 1', async () => {
    const run = await runGateway({ PORT: 'eighty' });
    expect(run.code).toBe(1);
    expect(run.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^config: PORT: /)]);
  });
});
