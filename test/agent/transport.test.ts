import { RequestClient, RouterServer } from '../../src/agent/index.js';
import { silent } from './helpers.js';

describe('request client and router server', () => {
  let server: RouterServer;
  let client: RequestClient;

  afterEach(async () => {
    client.close();
    await server.close();
  });

  async function start(handler: ConstructorParameters<typeof RouterServer>[0]['handler']) {
    server = new RouterServer({ endpoint: 'tcp://127.0.0.1:*', logger: silent, handler });
    await server.start();
    client = new RequestClient({ endpoint: server.endpoint, logger: silent, deadlineMs: 10_000 });
  }

  const ping = (i: number) => ({ verb: 'CANCEL' as const, uid: `u-${i}`, attempt: i });

  it('gives each of 500 requests in flight its own reply when the handler answers at once', async () => {
    await start(({ body }) => ({
      kind: 'OK',
      fields: body.verb === 'CANCEL' ? [body.uid, String(body.attempt)] : [],
    }));
    const replies = await Promise.all(
      Array.from({ length: 500 }, (_, i) => client.request(ping(i))),
    );
    replies.forEach((r, i) => {
      expect(r).toEqual({ kind: 'OK', fields: [`u-${i}`, String(i)] });
    });
  });

  it('gives each its own reply when the handler answers later, in another order', async () => {
    await start(async ({ body }) => {
      const n = body.verb === 'CANCEL' ? body.attempt : 0;
      // Later requests are answered first.
      await new Promise((r) => setTimeout(r, (500 - n) % 17));
      if (n % 7 === 0) throw new Error(`handler refused ${n}`);
      return { kind: 'OK', fields: [String(n)] };
    });
    const replies = await Promise.all(
      Array.from({ length: 500 }, (_, i) => client.request(ping(i))),
    );
    replies.forEach((r, i) => {
      if (i % 7 === 0) {
        expect(r).toEqual({
          kind: 'ERROR',
          code: 'INTERNAL',
          message: `handler refused ${i}`,
          detail: '',
        });
      } else {
        expect(r).toEqual({ kind: 'OK', fields: [String(i)] });
      }
    });
  });
});
