// A worker thread for the local-cluster group: serves either the local control plane or, as the
// baseline, a bare HTTPS server that answers every request at once with a small JSON body. It
// runs apart from the load generator so the two do not share an event loop.
import { createServer } from 'node:https';
import { parentPort, workerData } from 'node:worker_threads';
import { startLocalCluster } from '../../dist/localcluster/index.js';
import { selfSignedCert } from '../../dist/localcluster/tls-cert.js';

if (workerData.kind === 'cluster') {
  const c = await startLocalCluster({ port: 0 });
  parentPort.postMessage({ url: c.url, token: c.token, caPem: c.caPem });
  parentPort.once('message', async () => {
    await c.close();
    process.exit(0);
  });
} else {
  const cert = selfSignedCert();
  const body = JSON.stringify({ kind: 'Status', status: 'Success' });
  const server = createServer({ key: cert.keyPem, cert: cert.certPem }, (req, res) => {
    req.resume();
    req.on('end', () => {
      if (req.url?.includes('watch=true')) {
        res.writeHead(200, { 'Content-Type': 'application/json' });
        return;
      }
      res.writeHead(req.method === 'POST' ? 201 : 200, { 'Content-Type': 'application/json' });
      res.end(body);
    });
  });
  server.keepAliveTimeout = 30_000;
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `https://127.0.0.1:${server.address().port}`;
  parentPort.postMessage({ url, token: 'none', caPem: cert.certPem });
  parentPort.once('message', () => {
    server.closeAllConnections();
    server.close(() => process.exit(0));
  });
}
