// Test servers on loopback: listen on a free port of 127.0.0.1, and a close that also drops kept-alive connections.
import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A listening test server: its origin, and how to stop it. */
export interface Listening {
  url: string;
  port: number;
  close: () => Promise<void>;
}

/** Starts `server` on 127.0.0.1 (`port` 0: a free one); `close` also ends kept-alive connections, then runs `also`. */
export async function listenOnLoopback(server: Server, port = 0, also?: () => void): Promise<Listening> {
  server.listen(port, '127.0.0.1');
  await once(server, 'listening');
  const bound = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${bound}`,
    port: bound,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
        also?.();
      }),
  };
}
