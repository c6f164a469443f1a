// The reporter's enqueue cost per hit, measured in-process. The Reporter class is internal to the package,
// so it is bundled from source with esbuild (already installed for tsup) into a temporary module.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { median } from './lib.mjs';

const hit = (i) => ({
  id: `0190a0c0-0000-7000-8000-${String(i).padStart(12, '0')}`,
  type: 'trap_hit',
  ts: new Date().toISOString(),
  site: 'shop.example',
  method: 'GET',
  path: '/.env',
  query: null,
  status: 200,
  ip: '203.0.113.7',
  user_agent: 'python-requests/2.32.3',
  accept: '*/*',
  referer: null,
  fingerprint: '0123456789ab',
  trap: { id: 'default:dotenv', name: '.env Trap', path: '/.env', type: 'file' },
  token: null,
  extraction: null,
  canary: null,
  canaries_planted: [],
  robots_disallow: [],
  login: null,
  agent: null,
  is_bot: true,
  probe: null,
});

export async function enqueueCost(n = 200_000) {
  const dir = mkdtempSync(join(tmpdir(), 'lobster-bench-'));
  const out = join(dir, 'reporter.mjs');
  await build({
    entryPoints: [new URL('../packages/honey-middleware/src/reporter.ts', import.meta.url).pathname],
    bundle: true,
    format: 'esm',
    platform: 'node',
    outfile: out,
    logLevel: 'silent',
  });
  const { Reporter } = await import(pathToFileURL(out).href);
  rmSync(dir, { recursive: true, force: true });
  const hits = Array.from({ length: n }, (_, i) => hit(i));
  // The receiver answers 202 at once; batches go out between runs, never during the timed loop.
  const fetch = async () => new Response('{"accepted":0,"duplicates":0}', { status: 202 });
  const run = (maxQueue) => {
    const r = new Reporter({
      url: 'http://127.0.0.1:9/api/v1/ingest',
      apiKey: 'lh_bench',
      userAgent: 'bench',
      onError: () => {},
      options: {
        batchSize: 100,
        flushIntervalMs: 1000,
        maxQueue,
        timeoutMs: 1000,
        retryBaseMs: 500,
        maxRetryDelayMs: 1000,
        closeTimeoutMs: 0,
        fetch,
      },
    });
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < n; i++) r.enqueue(hits[i]);
    const us = Number(process.hrtime.bigint() - t0) / 1e3 / n;
    void r.close();
    return us;
  };
  const below = [];
  const at = [];
  for (let i = 0; i < 5; i++) {
    below.push(run(n + 1));
    at.push(run(10_000));
    await new Promise((r) => setTimeout(r, 50));
  }
  return { n, belowBound: median(below), atBound: median(at) };
}
