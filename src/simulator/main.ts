import { parseSimulatorConfig } from '../config.js';
import { startSimulator } from './server.js';

/** `npm run simulator`: the stand-in alone, configured by the same environment parsing as the gateway. */

const parsed = parseSimulatorConfig(process.env);
if (!parsed.ok) {
  for (const line of parsed.errors) console.error(`config: ${line}`);
  process.exit(1);
}
for (const warning of parsed.warnings) console.error(`config: ${warning}`);
const { host, port, faults } = parsed.config;

const simulator = await startSimulator({ host, port, faults });
console.log(JSON.stringify({ msg: `graph8 simulator listening at ${simulator.url}`, url: simulator.url, faults }));

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void simulator.close().then(() => process.exit(0));
  });
}
