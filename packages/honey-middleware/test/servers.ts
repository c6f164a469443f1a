import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';

/** The streaming body every app serves at /stream: five chunks with pauses, never buffered by the middleware. */
export function chunks(): Readable {
  return Readable.from(
    (async function* () {
      for (let i = 0; i < 5; i++) {
        await new Promise((r) => setTimeout(r, 2));
        yield `chunk-${i}`;
      }
    })(),
  );
}

export async function listen(server: Server): Promise<{ base: string; close: () => Promise<void> }> {
  if (!server.listening) await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    base: `http://127.0.0.1:${port}`,
    close: async () => {
      server.closeAllConnections();
      server.close();
    },
  };
}
