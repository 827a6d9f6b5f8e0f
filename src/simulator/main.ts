import { parseSimulatorFaults } from './faults.js';
import { startSimulator } from './server.js';

const { value: faults, errors } = parseSimulatorFaults(process.env);
const portText = process.env.SIMULATOR_PORT || '4010';
const port = Number(portText);
if (!/^\d+$/.test(portText) || port > 65535) errors.push(`SIMULATOR_PORT: must be a port number (got "${portText}")`);
if (errors.length > 0) {
  for (const line of errors) console.error(line);
  process.exit(1);
}

const simulator = await startSimulator({ host: process.env.SIMULATOR_HOST || '127.0.0.1', port, faults });
console.log(JSON.stringify({ msg: `graph8 simulator listening at ${simulator.url}`, url: simulator.url, faults }));

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void simulator.close().then(() => process.exit(0));
  });
}
