import type { DocumentNode, GraphQLError, OperationDefinitionNode } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { Logger } from 'pino';
import type { GatewayContext } from '../context.js';
import type { GatewayMetrics } from '../metrics.js';

/**
 * One JSON line per operation (request id, operation, duration, upstream calls
 * and outcome), and its count by type and error code in the metrics.
 */
export function useOperationLog(logger: Logger, metrics: GatewayMetrics): Plugin<GatewayContext> {
  return {
    onExecute({ args }) {
      const started = performance.now();
      const context = args.contextValue;
      const operation = (args.document as DocumentNode).definitions.find(
        (definition): definition is OperationDefinitionNode => definition.kind === 'OperationDefinition',
      );
      return {
        onExecuteDone({ result }) {
          if (!('errors' in result) && !('data' in result)) return;
          const errors: readonly GraphQLError[] = result.errors ?? [];
          const codes = errors.map((error) => String(error.extensions?.code ?? 'INTERNAL_SERVER_ERROR'));
          const line = {
            requestId: context.requestId,
            operationName: args.operationName ?? operation?.name?.value ?? null,
            operationType: operation?.operation ?? null,
            durationMs: Math.round((performance.now() - started) * 100) / 100,
            upstreamCalls: context.stats.upstreamCalls,
            upstreamAttempts: context.stats.upstreamAttempts,
            outcome: codes.length === 0 ? 'ok' : codes.join(','),
          };
          logger.info(line, 'operation');
          metrics.recordOperation(line.operationType ?? 'unknown', codes);
        },
      };
    },
  };
}
