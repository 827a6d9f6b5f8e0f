import { existsSync } from 'node:fs';
import { freePort, type RunningProcess, startNodeProcess } from './processes.js';

const PEER_CLI = 'bench/peer/node_modules/@graphql-hive/gateway/dist/bin.js';

/**
 * The peer from bench/peer: GraphQL Mesh over our OpenAPI description of the
 * upstream, served by Hive Gateway (one process). Undefined, with a note, when
 * `npm ci` has not been run in bench/peer.
 */
export async function startPeer(upstreamPort: number): Promise<{ port: number; process: RunningProcess } | undefined> {
  if (!existsSync(PEER_CLI)) {
    console.log('peer skipped: run `npm ci` in bench/peer to compare with GraphQL Mesh + Hive Gateway');
    return undefined;
  }
  const port = await freePort();
  const child = await startNodeProcess(
    PEER_CLI,
    { GRAPH8_API_URL: `http://127.0.0.1:${upstreamPort}/api/v1`, NODE_ENV: 'production' },
    /Listening on/,
    ['supergraph', 'bench/peer/supergraph.graphql', '--port', String(port)],
  );
  return { port, process: child };
}
