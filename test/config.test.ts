import { describe, expect, it } from 'vitest';
import { configurationHelp, parseConfig, parseSimulatorConfig, VARIABLES } from '../src/config.js';

describe('parseConfig', () => {
  it('defaults to the embedded simulator with the documented values', () => {
    const result = parseConfig({});
    expect(result).toEqual({
      ok: true,
      warnings: [],
      config: {
        port: 4000,
        host: '127.0.0.1',
        upstream: {
          kind: 'SIMULATOR',
          faults: { latencyMs: 0, errorRate: 0, rateLimitPerSecond: 0, resetRate: 0, spikeRate: 0, spikeMs: 0 },
        },
        apiKey: undefined,
        gatewayTokens: [],
        allowAnonymous: false,
        upstreamConcurrency: 4,
        upstreamTimeoutMs: 10_000,
        upstreamMaxAttempts: 4,
        upstreamConnections: 64,
        upstreamMaxResponseBytes: 4_194_304,
        mutationDeadlineMs: 60_000,
        maxItemsPerMutation: 10_000,
        maxBodyBytes: 10_485_760,
        logLevel: 'info',
        corsOrigins: [],
        shutdownGraceMs: 30_000,
        graphiql: true,
        introspection: true,
        production: false,
        imports: {
          redisUrl: undefined,
          secret: undefined,
          concurrency: 4,
          workers: true,
          stallMs: 30_000,
          retentionMs: 168 * 3_600_000,
          maxRowsPerImport: 1_000_000,
          maxUploadBytes: 104_857_600,
        },
      },
    });
  });

  it('treats empty strings as not set', () => {
    const result = parseConfig({ PORT: '', GRAPH8_API_URL: '', GRAPH8_API_KEY: '', LOG_LEVEL: '' });
    expect(result.ok && result.config.upstream.kind).toBe('SIMULATOR');
  });

  it('reports every bad variable, one line each, naming it', () => {
    const result = parseConfig({
      PORT: 'eighty',
      UPSTREAM_CONCURRENCY: '0',
      LOG_LEVEL: 'loud',
      GRAPH8_API_URL: 'ftp://x',
      CORS_ORIGINS: 'https://ok.example,https://bad.example/path',
      SIMULATOR_ERROR_RATE: '2',
    });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors.map((line) => line.split(':')[0]).sort()).toEqual(
      ['CORS_ORIGINS', 'GRAPH8_API_URL', 'LOG_LEVEL', 'PORT', 'SIMULATOR_ERROR_RATE', 'UPSTREAM_CONCURRENCY'].sort(),
    );
  });

  it('refuses the embedded simulator in production', () => {
    const result = parseConfig({ NODE_ENV: 'production' });
    expect(result.ok).toBe(false);
    expect(!result.ok && result.errors[0]).toMatch(/^GRAPH8_API_URL: .*production/);
  });

  it('refuses a gateway key nobody could use, without echoing it', () => {
    const result = parseConfig({ GRAPH8_API_KEY: 'super-secret-key' });
    expect(result.ok).toBe(false);
    expect(!result.ok && result.errors.join('\n')).toMatch(/^GATEWAY_TOKENS: /);
    expect(JSON.stringify(result)).not.toContain('super-secret-key');
  });

  it('a key and no URL means the live API; tokens are split on commas', () => {
    const result = parseConfig({ GRAPH8_API_KEY: 'k', GATEWAY_TOKENS: ' t1, t2 ,', ALLOW_ANONYMOUS: 'false' });
    expect(result.ok && result.config.upstream).toEqual({ kind: 'LIVE', baseUrl: 'https://api.graph8.com/api/v1' });
    expect(result.ok && result.config.gatewayTokens).toEqual(['t1', 't2']);
  });

  it('a URL without a key is pass-through to that URL', () => {
    const result = parseConfig({ GRAPH8_API_URL: 'https://be.graph8.com/api/v1/' });
    expect(result.ok && result.config.upstream).toEqual({ kind: 'LIVE', baseUrl: 'https://be.graph8.com/api/v1' });
    expect(result.ok && result.config.apiKey).toBeUndefined();
  });
});

describe('look-alike variables', () => {
  it('warns about names that look like ours, naming the one they resemble, and still parses', () => {
    const result = parseConfig({
      GRAPH8_APIKEY: 'sk-typo',
      UPSTREAM_CONCURENCY: '3',
      PATH: '/usr/bin',
      HOME: '/root',
      PORTS: '1',
    });
    expect(result.ok).toBe(true);
    expect(result.ok && result.warnings).toEqual([
      "GRAPH8_APIKEY is not a setting of the gateway's; did you mean GRAPH8_API_KEY?",
      "UPSTREAM_CONCURENCY is not a setting of the gateway's; did you mean UPSTREAM_CONCURRENCY?",
    ]);
    expect(result.ok && result.config.upstream.kind).toBe('SIMULATOR');
    expect(JSON.stringify(result)).not.toContain('sk-typo');
  });

  it('warns the simulator run on its own too', () => {
    const result = parseSimulatorConfig({ SIMULATOR_EROR_RATE: '0.5' });
    expect(result.ok && result.warnings).toEqual([
      "SIMULATOR_EROR_RATE is not a setting of the gateway's; did you mean SIMULATOR_ERROR_RATE?",
    ]);
  });
});

describe('configurationHelp (--help)', () => {
  it('lists every variable with its default', () => {
    const help = configurationHelp();
    for (const [name, variable] of Object.entries(VARIABLES)) {
      const defaultValue = 'default' in variable ? variable.default : '(none)';
      expect(help, name).toMatch(new RegExp(`^  ${name} +${defaultValue.replace(/[()]/g, '\\$&')} `, 'm'));
    }
  });
});

describe("the README's configuration table", () => {
  it('lists every variable the gateway and its simulator read, and no other', async () => {
    const { readFileSync } = await import('node:fs');
    const { VARIABLES } = await import('../src/config.js');
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    const section = readme.slice(readme.indexOf('## Configuration'), readme.indexOf('## Who may call'));
    const listed = [...section.matchAll(/^\| `([A-Z0-9_]+)`\s*\|/gm)].map((match) => match[1]);
    expect(listed.sort()).toEqual(Object.keys(VARIABLES).sort());
  });
});
