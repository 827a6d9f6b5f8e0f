import { setFlagsFromString } from 'node:v8';
import { configurationHelp, parseConfig } from './config.js';
import { createLogger } from './logger.js';

/** The only file that reads the environment and the command line, binds the port and handles signals. */

// The gateway's modules load after the heap flag below is set: V8 sizes the old generation at start-up's
// collections, and one made with the default growth let the first seconds of an import reach twice the live heap.
const loadGateway = () => import('./start-gateway.js');

if (process.argv.includes('--version')) {
  console.log((await loadGateway()).GATEWAY_VERSION);
  process.exit(0);
}
if (process.argv.includes('--help')) {
  console.log(`graph8 assert gateway ${(await loadGateway()).GATEWAY_VERSION}: GraphQL over graph8's assert REST API.

Usage: npm start, or node dist/main.js. Configuration comes from the environment:

${configurationHelp()}

With neither GRAPH8_API_URL nor GRAPH8_API_KEY set (and NODE_ENV not production), the gateway
starts a built-in simulator of graph8 and writes there.`);
  process.exit(0);
}

const parsed = parseConfig(process.env);
if (!parsed.ok) {
  for (const line of parsed.errors) console.error(`config: ${line}`);
  process.exit(1);
}
const config = parsed.config;
// With Redis a copy takes million-row imports whose promoted appends V8 would let reach 3-4 times the live heap;
// collecting at 20% growth keeps them near idle, for about 8% more CPU per mutation, which a copy without imports keeps.
if (config.imports.redisUrl !== undefined) setFlagsFromString('--heap-growing-percent=20');
const { startGateway } = await loadGateway();
const { logger, flush } = createLogger(config.logLevel);
for (const warning of parsed.warnings) logger.warn(warning);

async function exit(code: number): Promise<never> {
  await flush();
  process.exit(code);
}

try {
  const gateway = await startGateway(config, logger);
  let signalled = false;
  const onSignal = (signal: NodeJS.Signals) => {
    // A second signal means "now": the operator has stopped waiting for the drain.
    if (signalled) process.exit(1);
    signalled = true;
    logger.info({ signal, graceMs: config.shutdownGraceMs }, 'shutting down: finishing operations in flight');
    void gateway.shutdown().then(({ drained }) => {
      logger.info({ drained }, drained ? 'shut down cleanly' : 'shut down after the grace period');
      return exit(0);
    });
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
} catch (error) {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'EADDRINUSE' || code === 'EACCES' || code === 'EADDRNOTAVAIL') {
    const reason = code === 'EADDRINUSE' ? 'is in use' : code === 'EACCES' ? 'needs privileges' : 'is not available';
    console.error(`config: PORT: ${config.host}:${config.port} ${reason}; set PORT (or HOST) to another`);
    process.exit(1);
  }
  logger.fatal({ err: error }, 'the gateway could not start');
  await exit(1);
}
