// Child process for benchmarks: a real control plane on a fresh SQLite file, reporting its URL and an
// admin key to the parent over IPC, so the load generator never shares a CPU thread with the server.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp, createOrgWithAdminKey } from '@lobster/control-plane';
import { pino } from 'pino';

const dir = mkdtempSync(join(tmpdir(), 'lobster-bench-'));
const app = await createApp({
  databaseUrl: process.env.DATABASE_URL ?? `sqlite:${join(dir, 'bench.sqlite')}`,
  logger: pino({ level: 'silent' }),
  // Rate limiting runs on every request, as in production, with a limit the benchmark never reaches.
  rateLimit: { limit: 1_000_000_000, windowMs: 60_000 },
});
const { org, apiKey } = await createOrgWithAdminKey(app.db, { name: 'bench' }, Date.now());
const { url } = await app.listen(0);
process.send({ url, apiKey, orgId: org.id });
process.on('disconnect', () => app.close(1_000).then(() => process.exit(0)));
