// A relay in front of the mock vendor that picks each call's scenario from a schedule: exact fault rates and flapping.
import { Agent, createServer, type IncomingMessage, request, type ServerResponse } from 'node:http';
import { listenOnLoopback } from '../support/loopback.ts';

/**
 * A cycle of `[calls, scenario]` segments, played in order and then again from the start:
 * `[[1, 'status=503'], [2, '']]` fails calls 1, 4, 7 ... of the route. Call numbers count the
 * calls the route received, so a rate is exact whatever the concurrency.
 */
export type Cycle = readonly (readonly [number, string])[];

/** The scenario of the route's `n`-th call (1-based). Pure. */
export function scenarioAt(cycle: Cycle, n: number): string {
  const length = cycle.reduce((sum, [calls]) => sum + calls, 0);
  let at = (n - 1) % length;
  for (const [calls, scenario] of cycle) {
    if (at < calls) return scenario;
    at -= calls;
  }
  throw new Error('unreachable: an empty cycle');
}

/** The share of a cycle's calls whose scenario is not healthy (''). */
export function faultShare(cycle: Cycle): number {
  const length = cycle.reduce((sum, [calls]) => sum + calls, 0);
  return cycle.reduce((sum, [calls, scenario]) => sum + (scenario === '' ? 0 : calls), 0) / length;
}

export interface FaultRelay {
  /** Origin; a provider's base URL is `<url>/<route>/v1`. */
  url: string;
  close(): Promise<void>;
}

/**
 * Starts the relay. A call to `/<route>/v1/...` is sent on to `<mockUrl>/<scenario>,id=<route>/v1/...`
 * where the scenario is the route's cycle at that call; the mock's answer comes back byte for
 * byte, and a connection the mock cuts or resets is cut here too. A route without a cycle is a 404.
 */
export async function startFaultRelay(mockUrl: string, routes: Record<string, Cycle>): Promise<FaultRelay> {
  const counts = new Map<string, number>();
  const agent = new Agent({ keepAlive: true, maxSockets: 256 });
  const server = createServer({ keepAlive: true, noDelay: true }, (req, res) => {
    const [, route = '', ...rest] = (req.url ?? '/').split('/');
    const cycle = routes[route];
    if (cycle === undefined) {
      res.writeHead(404).end(`fault relay: no route '${route}'`);
      return;
    }
    const n = (counts.get(route) ?? 0) + 1;
    counts.set(route, n);
    const scenario = [scenarioAt(cycle, n), `id=${route}`].filter((item) => item !== '').join(',');
    forward(new URL(`/${scenario}/${rest.join('/')}`, mockUrl), req, res, agent);
  });
  server.keepAliveTimeout = 30_000;
  return listenOnLoopback(server, 0, () => agent.destroy());
}

/** Pipes one exchange through; any break on either side breaks the other. */
function forward(target: URL, req: IncomingMessage, res: ServerResponse, agent: Agent): void {
  const upstream = request(target, { method: req.method, headers: { ...req.headers, host: target.host }, agent });
  const cut = (): void => {
    if (!req.socket.destroyed) req.socket.resetAndDestroy();
  };
  upstream.on('error', cut);
  upstream.on('response', (answer) => {
    res.writeHead(answer.statusCode ?? 502, answer.headers);
    res.flushHeaders();
    answer.on('aborted', cut);
    answer.on('error', cut);
    answer.pipe(res);
  });
  res.on('close', () => {
    if (!res.writableFinished) upstream.destroy();
  });
  req.pipe(upstream);
}
