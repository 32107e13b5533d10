import { Dealer } from 'zeromq';
import {
  DEFAULT_MAX_MESSAGE_BYTES,
  RequestClient,
  RequestTimeoutError,
  RouterServer,
  type Agent,
} from '../../src/agent/index.js';
import { decodePipeReply, decodeReply } from '../../src/protocol/index.js';
import { client, silent, startAgent } from './helpers.js';

/** Resolves with the first event: a reply to the dealer, or the server dropping its connection. */
function replyOrDisconnect(dealer: Dealer): Promise<'disconnect' | Buffer[]> {
  // Read events by iteration: the observer's emitter mode needs a CommonJS require that the
  // test runner's ESM sandbox does not always give it.
  const disconnected = (async (): Promise<'disconnect'> => {
    for await (const event of dealer.events) if (event.type === 'disconnect') break;
    return 'disconnect';
  })();
  return Promise.race([disconnected, dealer.receive()]);
}

describe('message size limits', () => {
  const cleanup: (() => Promise<void> | void)[] = [];

  afterEach(async () => {
    for (const f of cleanup.splice(0).reverse()) await f();
  });

  async function agentUp(): Promise<Agent> {
    const agent = await startAgent(undefined);
    cleanup.push(() => agent.stop(1000, 200));
    return agent;
  }

  function dealerTo(endpoint: string): Dealer {
    const dealer = new Dealer({ linger: 0 });
    dealer.connect(endpoint);
    cleanup.push(() => {
      dealer.close();
    });
    return dealer;
  }

  it('has the agent drop a peer that sends a frame over 8 MiB, and keep serving others', async () => {
    const agent = await agentUp();
    const dealer = dealerTo(agent.endpoint);
    const outcome = replyOrDisconnect(dealer);
    const big = Buffer.alloc(DEFAULT_MAX_MESSAGE_BYTES + 1, 'a');
    await dealer.send([Buffer.alloc(0), big]);
    expect(await outcome).toBe('disconnect');

    const rc = client(agent.endpoint);
    cleanup.push(() => {
      rc.close();
    });
    expect(await rc.request({ verb: 'PING' })).toMatchObject({ kind: 'OK' });
  });

  it('has the agent answer a frame just under the limit', async () => {
    const agent = await agentUp();
    const dealer = dealerTo(agent.endpoint);
    const frame = Buffer.alloc(DEFAULT_MAX_MESSAGE_BYTES, 'a');
    await dealer.send([Buffer.alloc(0), frame]);
    const outcome = await replyOrDisconnect(dealer);
    expect(outcome).not.toBe('disconnect');
    const [, reply] = outcome as Buffer[];
    expect(decodePipeReply(reply!)).toMatchObject({ kind: 'ERROR', code: 'UNKNOWN_VERB' });
  });

  it('takes its limit from the options and refuses a request whose frames add up to more', async () => {
    const server = new RouterServer({
      endpoint: 'tcp://127.0.0.1:*',
      logger: silent,
      maxMessageBytes: 1024,
      handler: () => ({ kind: 'OK', fields: [] }),
    });
    await server.start();
    cleanup.push(() => server.close());
    const dealer = dealerTo(server.endpoint);
    const head = ['TR1', 'PING', '7'].map((s) => Buffer.from(s));
    const part = Buffer.alloc(600, 'b');
    await dealer.send([Buffer.alloc(0), ...head, part, part]);
    const [, ...frames] = await dealer.receive();
    expect(decodeReply(frames)).toMatchObject({
      requestId: '7',
      body: {
        kind: 'ERROR',
        code: 'BAD_FRAME',
        message: 'message of 1208 bytes is larger than the 1024 bytes allowed',
      },
    });

    const one = dealerTo(server.endpoint);
    const dropped = replyOrDisconnect(one);
    await one.send([Buffer.alloc(0), Buffer.alloc(2048, 'c')]);
    expect(await dropped).toBe('disconnect');
  });

  it('has the request client drop a reply over its limit, so the request times out', async () => {
    const server = new RouterServer({
      endpoint: 'tcp://127.0.0.1:*',
      logger: silent,
      handler: () => ({ kind: 'OK', fields: ['z'.repeat(4096)] }),
    });
    await server.start();
    cleanup.push(() => server.close());
    const small = new RequestClient({
      endpoint: server.endpoint,
      deadlineMs: 500,
      maxMessageBytes: 1024,
      logger: silent,
    });
    const roomy = client(server.endpoint);
    cleanup.push(() => {
      small.close();
      roomy.close();
    });
    await expect(small.request({ verb: 'PING' })).rejects.toBeInstanceOf(RequestTimeoutError);
    expect(await roomy.request({ verb: 'PING' })).toMatchObject({ kind: 'OK' });
  });
});
