import { parseConfig } from './config.js';
import { startGateway } from './gateway.js';
import { createLogger } from './logger.js';

const parsed = parseConfig(process.env);
if (!parsed.ok) {
  for (const line of parsed.errors) console.error(`config: ${line}`);
  process.exit(1);
}
const config = parsed.config;
const logger = createLogger(config.logLevel);

try {
  const gateway = await startGateway(config, logger);
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      logger.info({ signal, graceMs: config.shutdownGraceMs }, 'shutting down: finishing operations in flight');
      void gateway.shutdown().then(({ drained }) => {
        logger.info({ drained }, drained ? 'shut down cleanly' : 'shut down after the grace period');
        logger.flush(() => process.exit(0));
      });
    });
  }
} catch (error) {
  logger.fatal({ err: error }, 'the gateway could not start');
  logger.flush(() => process.exit(1));
}
