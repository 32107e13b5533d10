import type { Context } from 'zeromq';
import { Reply } from 'zeromq';
import type { Logger } from 'pino';
import { z85Encode } from '../protocol/index.js';

/** CURVE keys of a server socket, as 40-character Z85 text. */
export interface CurveServerKeys {
  readonly publicKey: string;
  readonly secretKey: string;
  /**
   * Client public keys allowed to connect. CURVE alone lets anyone who knows the server's public
   * key in; this list, enforced through ZAP, is what keeps strangers out. Empty means any client
   * that completes the handshake.
   */
  readonly allowedClientKeys: readonly string[];
}

/** CURVE keys of a client socket. */
export interface CurveClientKeys {
  readonly serverKey: string;
  readonly publicKey: string;
  readonly secretKey: string;
}

const ZAP_ENDPOINT = 'inproc://zeromq.zap.01';

/**
 * Serves ZAP (ZeroMQ RFC 27) on a context: libzmq asks it about every CURVE handshake on sockets
 * of that context. Each server gets its own context so two servers in one process (tests, or an
 * agent beside a controller) keep separate allow-lists.
 */
export class ZapHandler {
  private readonly socket: Reply;
  private readonly loop: Promise<void>;

  private constructor(
    socket: Reply,
    private readonly allowed: ReadonlySet<string>,
    private readonly logger: Logger,
  ) {
    this.socket = socket;
    this.loop = this.serve();
  }

  static async start(
    context: Context,
    allowed: readonly string[],
    logger: Logger,
  ): Promise<ZapHandler> {
    const socket = new Reply({ context, linger: 0 });
    await socket.bind(ZAP_ENDPOINT);
    return new ZapHandler(socket, new Set(allowed), logger);
  }

  private async serve(): Promise<void> {
    try {
      for await (const frames of this.socket) {
        const [version, requestId, , address, , mechanism, credential] = frames;
        const key = credential?.length === 32 ? z85Encode(credential) : '';
        const ok =
          mechanism?.toString() === 'CURVE' && (this.allowed.size === 0 || this.allowed.has(key));
        if (!ok)
          this.logger.warn(
            { address: address?.toString(), clientKey: key },
            'refused a CURVE client',
          );
        await this.socket.send([
          version ?? '1.0',
          requestId ?? '',
          ok ? '200' : '400',
          ok ? 'OK' : 'client key not allowed',
          ok ? key : '',
          '',
        ]);
      }
    } catch (err) {
      if (!this.socket.closed) this.logger.error({ err }, 'ZAP handler stopped');
    }
  }

  async close(): Promise<void> {
    this.socket.close();
    await this.loop;
  }
}
