import { Pool } from 'undici';
import { createGatewayHttpServer } from '../../src/http-server.js';
import { createBareYoga } from './bare-yoga.js';

/** createBareYoga behind the gateway's Node layer, on PORT, calling the upstream at GRAPH8_API_URL. */
const upstreamOrigin = new URL(process.env.GRAPH8_API_URL ?? 'http://127.0.0.1:4010/api/v1').origin;
const yoga = createBareYoga(new Pool(upstreamOrigin, { connections: 64 }), upstreamOrigin);
const { server } = createGatewayHttpServer(yoga, { maxBodyBytes: 5_000_000, maxUploadBytes: 5_000_000 });
server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => console.log('bare Yoga listening'));
process.once('SIGTERM', () => {
  server.closeAllConnections();
  server.close(() => process.exit(0));
});
