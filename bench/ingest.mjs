// Ingest throughput: hits/s through POST /api/v1/ingest (validation, dedupe, sessions, scoring, events,
// one transaction per batch) with batches of 100 and 1,000, on SQLite and on PostgreSQL, next to a raw
// multi-row INSERT of the same rows into the same table, measured in the same run.
// Run: npm run build && node bench/ingest.mjs [hits] [pg-url]
import { createApp } from '@lobster/control-plane';
import { HIT_COLUMNS, hitRow } from '@lobster/control-plane/storage';
import { pino } from 'pino';
import {
  DEFAULT_PG_URL,
  fmt,
  freshDatabase,
  makeHits,
  postgresReachable,
  startControlPlane,
} from './lib.mjs';

const HIT_NAMES = HIT_COLUMNS.map(([name]) => name);

const TOTAL = Number(process.argv[2] ?? 20_000);
const PG_URL = process.argv[3] ?? DEFAULT_PG_URL;
const SITE = 'bench.example.com';
const VISITORS = 2_000;

/** Through the API: the server in a child process, `clients` clients posting batches, each one at a time. */
async function viaApi(dialect, batchSize, hits, clients) {
  const db = freshDatabase(dialect, PG_URL);
  const server = await startControlPlane({ DATABASE_URL: db.url });
  const batches = [];
  for (let i = 0; i < hits.length; i += batchSize) batches.push(hits.slice(i, i + batchSize));
  const post = (batch) =>
    fetch(`${server.url}/api/v1/ingest`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${server.apiKey}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ site: SITE, hits: batch }),
    }).then(async (r) => {
      if (r.status !== 202) throw new Error(`ingest answered ${r.status}: ${await r.text()}`);
    });
  const cpuBefore = server.cpu();
  const started = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (next < batches.length) await post(batches[next++]);
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const cpuMsPer1000 = ((server.cpu() - cpuBefore) * 1000 * 1000) / hits.length;
  server.stop();
  await new Promise((r) => setTimeout(r, 300));
  await db.drop();
  return { rate: hits.length / seconds, cpuMsPer1000 };
}

/** The floor: the same rows written with multi-row INSERTs, no validation, sessions or scoring. */
async function rawInsert(dialect, hits) {
  const db = freshDatabase(dialect, PG_URL);
  const app = await createApp({ databaseUrl: db.url, logger: pino({ level: 'silent' }) });
  const rows = hits.map((h) =>
    hitRow(h, {
      orgId: 'org',
      sessionId: h.fingerprint,
      site: SITE,
      ts: h.ts,
      receivedAt: h.ts,
      tripwire: h.type === 'callback',
      prompt: false,
    }),
  );
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  for (let i = 0; i < rows.length; i += 1000) {
    await app.db.transaction(async (m) => {
      for (let j = i; j < Math.min(i + 1000, rows.length); j += 100) {
        const chunk = rows.slice(j, j + 100);
        const values = chunk.map(
          (_, r) => `(${HIT_NAMES.map((_, c) => `$${r * HIT_NAMES.length + c + 1}`).join(', ')})`,
        );
        await m.query(
          `INSERT INTO honey_hits (${HIT_NAMES.join(', ')}) VALUES ${values.join(', ')}`,
          chunk.flat(),
        );
      }
    });
  }
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  await app.close();
  await db.drop();
  return { rate: rows.length / seconds, cpuMsPer1000: (cpu.user + cpu.system) / rows.length };
}

const hits = makeHits(TOTAL, SITE, VISITORS);
// BENCH_DIALECTS=sqlite,postgres and BENCH_ONLY=raw,100,1000 narrow a run (e.g. to profile one variant).
// BENCH_CLIENTS=2,4,8 measures each batch size with that many clients posting at once (default 2): a
// client waits for each answer, as the middleware's reporter does, so a few of them leave the server idle
// between round trips, and the rate they reach is the latency's, not yet the server's throughput.
const clientCounts = (process.env.BENCH_CLIENTS ?? '2').split(',').map(Number);
const only = process.env.BENCH_ONLY ? process.env.BENCH_ONLY.split(',') : ['raw', '100', '1000'];
const wanted = process.env.BENCH_DIALECTS ? process.env.BENCH_DIALECTS.split(',') : ['sqlite', 'postgres'];
const dialects = wanted.includes('sqlite') ? ['sqlite'] : [];
if (wanted.includes('postgres')) {
  if (await postgresReachable(PG_URL)) dialects.push('postgres');
  else console.error(`PostgreSQL at ${PG_URL} is not reachable: measuring SQLite only`);
}

console.log(
  `${TOTAL.toLocaleString('en-US')} hits from ${VISITORS.toLocaleString('en-US')} visitors (10 % token callbacks)`,
);
console.log(
  'hits/s, and in brackets the CPU time the control plane used per 1,000 hits (its process, every thread; not the PostgreSQL server)',
);
console.log('');
console.log(
  '| database | raw INSERT (hits/s) | clients | ingest, batches of 100 (hits/s) | ingest, batches of 1,000 (hits/s) |',
);
console.log('|---|---:|---:|---:|---:|');
for (const dialect of dialects) {
  const run = async (name, measure) => {
    if (!only.includes(name)) return '–';
    const { rate, cpuMsPer1000 } = await measure();
    return `${fmt(rate)} (${fmt(cpuMsPer1000)} ms)`;
  };
  const raw = await run('raw', () => rawInsert(dialect, hits));
  for (const [i, clients] of clientCounts.entries()) {
    const b100 = await run('100', () => viaApi(dialect, 100, hits, clients));
    const b1000 = await run('1000', () => viaApi(dialect, 1000, hits, clients));
    console.log(`| ${dialect} | ${i === 0 ? raw : ''} | ${clients} | ${b100} | ${b1000} |`);
  }
}
