import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import type { HoneyEngine } from '../src/index.js';
import type { Harness } from './conformance.js';

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

/** Serves `server` on loopback as a test harness whose `close()` also closes the middleware's engine. */
export async function serveHarness(
  server: Server,
  honey: { engine: HoneyEngine; close(): Promise<void> },
): Promise<Harness> {
  const { base, close } = await listen(server.listen(0, '127.0.0.1'));
  return {
    base,
    engine: honey.engine,
    close: async () => {
      await close();
      await honey.close();
    },
  };
}
