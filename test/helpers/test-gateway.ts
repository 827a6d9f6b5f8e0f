import { pino } from 'pino';
import { parseConfig } from '../../src/config.js';
import { type RunningGateway, startGateway } from '../../src/start-gateway.js';

/** The whole gateway on a free loopback port, configured from these variables as `npm start` would be; silent. */
export async function startTestGateway(env: Record<string, string> = {}): Promise<RunningGateway> {
  const parsed = parseConfig({ PORT: '0', ...env });
  if (!parsed.ok) throw new Error(parsed.errors.join('\n'));
  return startGateway(parsed.config, pino({ level: 'silent' }));
}
