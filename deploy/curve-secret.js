#!/usr/bin/env node
// Prints a Secret manifest with fresh CURVE key pairs for task-router: one for the controller's
// principal (principal.key, principal.pub) and one shared by all agents (agent.key, agent.pub).
// Usage: node deploy/curve-secret.js [--name task-router-curve] [--namespace task-router]
//        | kubectl apply -f -
// The keys exist only in the printed manifest; nothing is written to disk.
import { parseArgs } from 'node:util';
import { Buffer } from 'node:buffer';
import { curveKeyPair } from 'zeromq';

const { values } = parseArgs({
  options: {
    name: { type: 'string', default: 'task-router-curve' },
    namespace: { type: 'string' },
  },
});
const principal = curveKeyPair();
const agent = curveKeyPair();
const data = {
  'principal.key': principal.secretKey,
  'principal.pub': principal.publicKey,
  'agent.key': agent.secretKey,
  'agent.pub': agent.publicKey,
};
const lines = [
  'apiVersion: v1',
  'kind: Secret',
  'metadata:',
  `  name: ${values.name}`,
  ...(values.namespace === undefined ? [] : [`  namespace: ${values.namespace}`]),
  '  labels:',
  '    app.kubernetes.io/part-of: task-router',
  'type: Opaque',
  'data:',
  ...Object.entries(data).map(([k, v]) => `  ${k}: ${Buffer.from(v).toString('base64')}`),
];
process.stdout.write(`${lines.join('\n')}\n`);
