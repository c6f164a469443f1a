// Child process for bench/events-sse.mjs: a control plane that accepts a thousand streams on one key,
// ingests a hit when the parent asks and reports when the ingest transaction had committed (its 202),
// and reports its RSS after a full GC.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp, createOrgWithAdminKey } from '@lobster/control-plane';
import { pino } from 'pino';

const dir = mkdtempSync(join(tmpdir(), 'lobster-bench-'));
const app = await createApp({
  databaseUrl: process.env.DATABASE_URL ?? `sqlite:${join(dir, 'bench.sqlite')}`,
  logger: pino({ level: 'silent' }),
  rateLimit: { limit: 1_000_000_000, windowMs: 60_000 },
  eventStreams: { maxStreamsPerKey: 10_000 },
});
const { org, apiKey } = await createOrgWithAdminKey(app.db, { name: 'bench' }, Date.now());
const { url } = await app.listen(0);
const now = () => performance.timeOrigin + performance.now();

process.on('message', async (m) => {
  if (m.type === 'ingest') {
    const res = await fetch(`${url}/api/v1/ingest`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${apiKey}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ site: m.hit.site, hits: [m.hit] }),
    });
    const at = now();
    if (res.status !== 202) throw new Error(`ingest answered ${res.status}: ${await res.text()}`);
    process.send({ type: 'committed', id: m.hit.id, at });
  } else if (m.type === 'rss') {
    for (let i = 0; i < 3; i++) {
      globalThis.gc?.();
      await new Promise((r) => setTimeout(r, 100));
    }
    process.send({ type: 'rss', rss: process.memoryUsage().rss });
  }
});
process.send({ type: 'ready', url, apiKey, orgId: org.id });
process.on('disconnect', () => app.close(1_000).then(() => process.exit(0)));
