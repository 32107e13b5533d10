import { Dealer } from 'zeromq';
import type { Logger } from 'pino';
import {
  ProtocolError,
  decodeReply,
  encodeRequest,
  type Reply,
  type Request,
} from '../protocol/index.js';
import type { CurveClientKeys } from './curve.js';
import { DEFAULT_MAX_MESSAGE_BYTES } from './limits.js';
import { SendQueue } from './send-queue.js';

/** No reply came within the deadline; the request may or may not have been acted on. */
export class RequestTimeoutError extends Error {
  override readonly name = 'RequestTimeoutError';
}

/** The socket was replaced or closed while the request waited; it may or may not have been acted on. */
export class ConnectionResetError extends Error {
  override readonly name = 'ConnectionResetError';
}

export interface RequestClientOptions {
  /** ZeroMQ endpoint of the server, e.g. `tcp://127.0.0.1:5700`. */
  readonly endpoint: string;
  /** Per-request deadline in milliseconds when the caller gives none; default 5000. */
  readonly deadlineMs?: number;
  /**
   * Replace the socket after a missed deadline; default true. This drops messages still queued
   * for a dead peer, so a stale RUNTASK is not delivered when it comes back, at the cost of
   * failing the other requests in flight with ConnectionResetError.
   */
  readonly replaceOnTimeout?: boolean;
  readonly curve?: CurveClientKeys;
  /**
   * Largest reply frame taken, in bytes; a server that sends a larger one is disconnected and
   * the request times out. Default DEFAULT_MAX_MESSAGE_BYTES (8 MiB); -1 means no limit.
   */
  readonly maxMessageBytes?: number;
  readonly logger: Logger;
}

interface Pending {
  resolve(reply: Reply): void;
  reject(err: Error): void;
  timer: NodeJS.Timeout;
}

/**
 * A DEALER client with request ids: many requests may be in flight, each gets its own deadline,
 * and a missed reply never wedges the socket (as it would a REQ socket).
 */
export class RequestClient {
  private socket: Dealer;
  private sends: SendQueue;
  private endpointNow: string;
  private readonly pending = new Map<string, Pending>();
  private nextId = 1;
  private closed = false;

  constructor(private readonly options: RequestClientOptions) {
    this.endpointNow = options.endpoint;
    this.socket = this.open();
    this.sends = this.queueFor(this.socket);
  }

  /** The endpoint currently connected to. */
  get endpoint(): string {
    return this.endpointNow;
  }

  /**
   * Sends one request and resolves with the OK or ERROR reply. Rejects with
   * RequestTimeoutError after `deadlineMs`, ConnectionResetError when the socket is replaced or
   * closed first, and ProtocolError when the body cannot be encoded.
   */
  request(body: Request, deadlineMs = this.options.deadlineMs ?? 5000): Promise<Reply> {
    if (this.closed) return Promise.reject(new ConnectionResetError('client is closed'));
    const id = String(this.nextId++);
    let frames: Buffer[];
    try {
      frames = [Buffer.alloc(0), ...encodeRequest(id, body)];
    } catch (err) {
      return Promise.reject(err instanceof Error ? err : new Error(String(err)));
    }
    return new Promise<Reply>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(
          new RequestTimeoutError(
            `${body.verb} to ${this.endpointNow}: no reply within ${deadlineMs} ms`,
          ),
        );
        if (this.options.replaceOnTimeout ?? true) this.replace();
      }, deadlineMs);
      this.pending.set(id, { resolve, reject, timer });
      this.sends.send(frames);
    });
  }

  /**
   * Closes the socket and opens a new one, to `endpoint` when given (a REDIRECT) or the same
   * one. Requests in flight fail with ConnectionResetError.
   */
  replace(endpoint?: string): void {
    if (this.closed) return;
    if (endpoint !== undefined) this.endpointNow = endpoint;
    this.socket.close();
    this.failAll('socket replaced');
    this.socket = this.open();
    this.sends = this.queueFor(this.socket);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.socket.close();
    this.failAll('client closed');
  }

  private queueFor(socket: Dealer): SendQueue {
    return new SendQueue(socket, (err) => {
      this.options.logger.debug({ err }, 'request send failed');
    });
  }

  private failAll(why: string): void {
    for (const [id, p] of this.pending) {
      clearTimeout(p.timer);
      p.reject(new ConnectionResetError(`${why} before a reply from ${this.endpointNow}`));
      this.pending.delete(id);
    }
  }

  private open(): Dealer {
    const socket = new Dealer({
      linger: 0,
      maxMessageSize: this.options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES,
    });
    const curve = this.options.curve;
    if (curve) {
      socket.curveServerKey = curve.serverKey;
      socket.curvePublicKey = curve.publicKey;
      socket.curveSecretKey = curve.secretKey;
    }
    try {
      socket.connect(this.endpointNow);
    } catch (err) {
      // A refused endpoint must not leave an open socket behind.
      socket.close();
      throw err;
    }
    void this.receive(socket);
    return socket;
  }

  private async receive(socket: Dealer): Promise<void> {
    try {
      for await (const frames of socket) {
        const body = frames[0]?.length === 0 ? frames.slice(1) : frames;
        let decoded;
        try {
          decoded = decodeReply(body);
        } catch (err) {
          if (!(err instanceof ProtocolError)) throw err;
          this.options.logger.warn(
            { err, endpoint: this.endpointNow },
            'undecodable reply dropped',
          );
          const p = this.pending.get(err.requestId);
          if (p) this.settle(err.requestId, p, err);
          continue;
        }
        const p = this.pending.get(decoded.requestId);
        // A reply after its deadline has nobody waiting; that is expected.
        if (p) this.settle(decoded.requestId, p, decoded.body);
      }
    } catch (err) {
      if (!socket.closed) this.options.logger.error({ err }, 'client receive loop stopped');
    }
  }

  private settle(id: string, p: Pending, outcome: Reply | Error): void {
    clearTimeout(p.timer);
    this.pending.delete(id);
    if (outcome instanceof Error) p.reject(outcome);
    else p.resolve(outcome);
  }
}
