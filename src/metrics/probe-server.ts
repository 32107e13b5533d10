import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';

/** Options for `startProbeServer`. */
export interface ProbeServerOptions {
  /** TCP port; 0 picks a free one (see `ProbeServer.port`). */
  readonly port: number;
  /**
   * Address to listen on. Default `0.0.0.0`, since the kubelet and Prometheus reach the pod by
   * its IP; tests pass `127.0.0.1`.
   */
  readonly host?: string;
  readonly registry: Registry;
  /** Liveness: false means the process is wedged and should be restarted. */
  readonly isHealthy: () => boolean;
  /** Readiness: true once caches have synced; not tied to leadership. */
  readonly isReady: () => boolean;
  readonly logger: Logger;
}

/** A running probe server. */
export interface ProbeServer {
  /** The port actually bound. */
  readonly port: number;
  /** Stops listening and drops open connections. */
  close(): Promise<void>;
}

/** Raised when the probe server cannot listen; `cause` holds the socket error. */
export class ProbeServerError extends Error {
  override readonly name = 'ProbeServerError';
}

/** Serves `/metrics` (Prometheus text), `/healthz` and `/readyz` (200 `ok` or 503). */
export async function startProbeServer(options: ProbeServerOptions): Promise<ProbeServer> {
  const { registry, isHealthy, isReady, logger } = options;
  const host = options.host ?? '0.0.0.0';
  const app = express();
  app.disable('x-powered-by');

  const probe = (check: () => boolean) => (_req: express.Request, res: express.Response) => {
    const ok = check();
    res
      .status(ok ? 200 : 503)
      .type('text/plain')
      .send(ok ? 'ok\n' : 'not ready\n');
  };
  app.get('/healthz', probe(isHealthy));
  app.get('/readyz', probe(isReady));
  app.get('/metrics', async (_req, res) => {
    try {
      const body = await registry.metrics();
      res.status(200).type(registry.contentType).send(body);
    } catch (err) {
      logger.error({ err }, 'metrics collection failed');
      res.status(500).type('text/plain').send('metrics collection failed\n');
    }
  });

  const server = createServer(app);
  await new Promise<void>((resolve, reject) => {
    const onError = (err: Error): void => {
      reject(
        new ProbeServerError(`probe server cannot listen on ${host}:${options.port}`, {
          cause: err,
        }),
      );
    };
    server.once('error', onError);
    server.listen({ port: options.port, host }, () => {
      server.off('error', onError);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  logger.info({ host, port }, 'probe server listening');

  return {
    port,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => {
          if (err === undefined) resolve();
          else reject(err);
        });
        server.closeAllConnections();
      }),
  };
}
