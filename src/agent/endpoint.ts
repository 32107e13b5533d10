/** How an endpoint option may read. */
export interface EndpointRule {
  /** Accept port 0 or `*` (pick a free one) and host `*` (every interface); for binding only. */
  readonly bind: boolean;
}

// A bracketed IPv6 address, or a name or IPv4 address without ':' or '/'.
const TCP_ENDPOINT = /^tcp:\/\/(\[[0-9A-Fa-f:.]+\]|[^\s:/[\]]+):([0-9]+|\*)$/;

/**
 * Checks a ZeroMQ endpoint option such as `--principal tcp://controller:5700`. Returns an error
 * text naming the option, what was expected and what came, or undefined when it is good.
 * ZeroMQ itself answers a malformed endpoint with a bare "Invalid argument", and takes a port
 * above 65535 modulo 2^16, binding a port nobody asked for.
 */
export function endpointProblem(
  option: string,
  raw: string,
  rule: EndpointRule,
): string | undefined {
  const ports = rule.bind ? '0-65535, or * to pick one' : '1-65535';
  const expected = `expected tcp://HOST:PORT with PORT ${ports}`;
  const match = TCP_ENDPOINT.exec(raw);
  if (match === null) return `${option}: ${expected}, got ${JSON.stringify(raw)}`;
  const [, host = '', portText = ''] = match;
  if (host === '*' && !rule.bind) {
    return `${option}: expected a host to connect to, got * in ${JSON.stringify(raw)}`;
  }
  if (portText === '*') {
    return rule.bind ? undefined : `${option}: ${expected}, got ${JSON.stringify(raw)}`;
  }
  const port = Number(portText);
  const min = rule.bind ? 0 : 1;
  if (port < min || port > 65535) {
    return `${option}: ${expected}, got port ${portText} in ${JSON.stringify(raw)}`;
  }
  return undefined;
}
