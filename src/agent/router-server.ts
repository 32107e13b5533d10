import { Context, Router } from 'zeromq';
import type { Logger } from 'pino';
import {
  ErrorCode,
  PROTOCOL_VERSION,
  ProtocolError,
  decodePipeRequest,
  decodeRequest,
  encodePipeReply,
  encodeReply,
  type Reply,
  type Request,
} from '../protocol/index.js';
import { ZapHandler, type CurveServerKeys } from './curve.js';
import { DEFAULT_MAX_MESSAGE_BYTES } from './limits.js';
import { SendQueue } from './send-queue.js';

/** One decoded request as a handler sees it. */
export interface Incoming {
  readonly body: Request;
  /** True when it came in the single-frame pipe form (RUNTASK then has an empty uid). */
  readonly pipe: boolean;
}

/** Answers one request; a throw becomes an INTERNAL error reply. */
export type Handler = (incoming: Incoming) => Reply | Promise<Reply>;

export interface RouterServerOptions {
  /** ZeroMQ endpoint to bind, e.g. `tcp://127.0.0.1:5701`; port 0 picks a free one. */
  readonly endpoint: string;
  readonly handler: Handler;
  readonly logger: Logger;
  /** CURVE server keys; without them the socket is plain. */
  readonly curve?: CurveServerKeys;
  /**
   * Largest frame a peer may send, in bytes; a peer that sends a larger one is disconnected by
   * ZeroMQ before the frame is held whole. A request whose frames add up to more gets an ERROR.
   * Default DEFAULT_MAX_MESSAGE_BYTES (8 MiB); -1 means no limit.
   */
  readonly maxMessageBytes?: number;
}

/**
 * A ROUTER socket that decodes requests, calls the handler and replies, and never wedges: any
 * undecodable message gets an ERROR reply naming the frame at fault, and replies to peers that
 * left are dropped. Serves REQ clients (the envelope ends with an empty delimiter frame, which
 * the reply repeats) and DEALER clients that send the same delimiter, in both multi-frame and
 * pipe form. Shared by the agent server and the principal server.
 */
export class RouterServer {
  private socket?: Router;
  private zap?: ZapHandler;
  private context?: Context;
  private loop?: Promise<void>;
  private sends?: SendQueue;

  constructor(private readonly options: RouterServerOptions) {}

  /** The bound endpoint, with the real port when 0 was asked for. */
  get endpoint(): string {
    return this.socket?.lastEndpoint ?? this.options.endpoint;
  }

  async start(): Promise<void> {
    const { curve, logger } = this.options;
    if (curve) {
      this.context = new Context();
      this.zap = await ZapHandler.start(this.context, curve.allowedClientKeys, logger);
    }
    const socket = new Router({
      linger: 0,
      maxMessageSize: this.maxMessageBytes,
      ...(this.context ? { context: this.context } : {}),
    });
    if (curve) {
      socket.curveServer = true;
      socket.curveSecretKey = curve.secretKey;
      socket.curvePublicKey = curve.publicKey;
    }
    try {
      await socket.bind(this.options.endpoint);
    } catch (err) {
      // A failed start must not leave a socket or the ZAP handler keeping the process alive.
      socket.close();
      await this.zap?.close();
      throw err;
    }
    this.socket = socket;
    this.sends = new SendQueue(socket, (err) => {
      this.options.logger.debug({ err }, 'reply dropped');
    });
    this.loop = this.serve(socket);
  }

  private get maxMessageBytes(): number {
    return this.options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
  }

  async close(): Promise<void> {
    this.socket?.close();
    await this.loop;
    await this.zap?.close();
  }

  private async serve(socket: Router): Promise<void> {
    try {
      for await (const frames of socket) {
        const split = frames.findIndex((f) => f.length === 0);
        // A peer that sent no delimiter gets its reply without one.
        const envelope = split >= 0 ? frames.slice(0, split + 1) : frames.slice(0, 1);
        const body = frames.slice(envelope.length);
        this.answer(envelope, body);
      }
    } catch (err) {
      if (!socket.closed) this.options.logger.error({ err }, 'server receive loop stopped');
    }
  }

  /**
   * Decodes, handles and replies. A handler that answers at once is answered within this call,
   * before the receive loop reads on, so a reply never waits behind the next poll.
   */
  private answer(envelope: Buffer[], frames: Buffer[]): void {
    const [first] = frames;
    const pipe =
      frames.length === 1 && first !== undefined && first.toString() !== PROTOCOL_VERSION;
    let requestId = '';
    const reply = (r: Reply): void => {
      try {
        const out = pipe ? [encodePipeReply(r)] : safeEncode(requestId, r);
        this.sends?.send([...envelope, ...out]);
      } catch (err) {
        // Never expected; the receive loop must go on either way.
        this.options.logger.error({ err }, 'reply could not be sent');
      }
    };
    const fail = (err: unknown): void => {
      if (err instanceof ProtocolError) requestId = err.requestId;
      reply(toErrorReply(err, this.options.logger));
    };
    let outcome: Reply | Promise<Reply>;
    try {
      tooLarge(frames, this.maxMessageBytes, pipe ? '' : (frames[2]?.toString('utf8') ?? ''));
      let body: Request;
      if (pipe) {
        body = decodePipeRequest(first);
      } else {
        const decoded = decodeRequest(frames);
        requestId = decoded.requestId;
        body = decoded.body;
      }
      outcome = this.options.handler({ body, pipe });
    } catch (err) {
      fail(err);
      return;
    }
    if (outcome instanceof Promise) outcome.then(reply, fail);
    else reply(outcome);
  }
}

/** Throws BAD_FRAME, with the request id frame so the sender can match it, past the limit. */
function tooLarge(frames: readonly Buffer[], limit: number, requestId: string): void {
  if (limit < 0) return;
  const total = frames.reduce((n, f) => n + f.length, 0);
  if (total > limit) {
    throw new ProtocolError(
      ErrorCode.BadFrame,
      `message of ${total} bytes is larger than the ${limit} bytes allowed`,
      -1,
      requestId,
    );
  }
}

function toErrorReply(err: unknown, logger: Logger): Reply {
  if (err instanceof ProtocolError)
    return { kind: 'ERROR', code: err.code, message: err.message, detail: '' };
  logger.error({ err }, 'request handler failed');
  const message = err instanceof Error ? err.message : String(err);
  return { kind: 'ERROR', code: ErrorCode.Internal, message, detail: '' };
}

function safeEncode(requestId: string, reply: Reply): Buffer[] {
  try {
    return encodeReply(requestId, reply);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    return encodeReply(requestId, { kind: 'ERROR', code: ErrorCode.Internal, message, detail: '' });
  }
}
