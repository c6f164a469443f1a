// Ingest throughput: hits/s through POST /api/v1/ingest (validation, dedupe, sessions, scoring, events,
// one transaction per batch) with batches of 100 and 1,000, on SQLite and on PostgreSQL, next to a raw
// multi-row INSERT of the same rows into the same table, measured in the same run.
// Run: npm run build && node bench/ingest.mjs [hits] [pg-url]
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp } from '@lobster/control-plane';
import pg from 'pg';
import { pino } from 'pino';
import { fmt, startControlPlane } from './lib.mjs';

const TOTAL = Number(process.argv[2] ?? 20_000);
const PG_URL =
  process.argv[3] ?? process.env.LOBSTER_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const SITE = 'bench.example.com';
const VISITORS = 2_000;

function makeHits(count) {
  const now = Date.now();
  return Array.from({ length: count }, (_, i) => {
    const visitor = i % VISITORS;
    const callback = i % 10 === 0;
    return {
      id: randomUUID(),
      type: callback ? 'callback' : 'trap_hit',
      ts: new Date(now - 3_600_000 + i * (3_600_000 / count)).toISOString(),
      site: SITE,
      method: 'GET',
      path: callback ? '/content/p/abc/tok' : '/.env',
      query: null,
      status: 200,
      ip: `198.51.${(visitor >> 8) & 255}.${visitor & 255}`,
      user_agent: `bench-agent/${visitor}`,
      accept: '*/*',
      referer: null,
      fingerprint: `fp${visitor.toString(16).padStart(10, '0')}`,
      trap: callback ? null : { id: 'default:dotenv', name: '.env Trap', path: '/.env', type: 'file' },
      token: callback
        ? {
            id: 'a1b2c3d4e5f60718',
            kind: 'callback',
            channel: 'html-comment',
            reach: 'text',
            session: `fp${visitor.toString(16).padStart(10, '0')}`,
            trap: 'default:dotenv',
            trap_ref: 'abc123',
            issued_at: new Date(now - 3_700_000).toISOString(),
          }
        : null,
      extraction: null,
      canary: null,
      canaries_planted: callback ? [] : ['openai_key'],
      robots_disallow: [],
      login: null,
      agent: null,
      is_bot: false,
      probe: null,
    };
  });
}

async function freshDatabase(dialect) {
  if (dialect === 'sqlite')
    return {
      url: `sqlite:${join(mkdtempSync(join(tmpdir(), 'lobster-bench-')), 'b.sqlite')}`,
      drop: async () => {},
    };
  const schema = `bench_${Math.random().toString(36).slice(2, 10)}`;
  const url = new URL(PG_URL);
  url.searchParams.set('schema', schema);
  return {
    url: url.toString(),
    drop: async () => {
      const c = new pg.Client({ connectionString: PG_URL });
      await c.connect();
      await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await c.end();
    },
  };
}

/** Through the API: the server in a child process, two clients posting batches. */
async function viaApi(dialect, batchSize, hits) {
  const db = await freshDatabase(dialect);
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
  const started = performance.now();
  let next = 0;
  await Promise.all(
    [0, 1].map(async () => {
      while (next < batches.length) await post(batches[next++]);
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  server.stop();
  await new Promise((r) => setTimeout(r, 300));
  await db.drop();
  return hits.length / seconds;
}

/** The floor: the same rows written with multi-row INSERTs, no validation, sessions or scoring. */
async function rawInsert(dialect, hits) {
  const db = await freshDatabase(dialect);
  const app = await createApp({ databaseUrl: db.url, logger: pino({ level: 'silent' }) });
  const columns = [
    'org_id',
    'id',
    'session_id',
    'site',
    'type',
    'ts',
    'received_at',
    'trap_id',
    'trap_type',
    'path',
    'ip',
    'token_reach',
    'tripwire',
    'prompt',
    'record',
  ];
  const rows = hits.map((h) => [
    'org',
    h.id,
    h.fingerprint,
    SITE,
    h.type,
    h.ts,
    h.ts,
    h.trap?.id ?? null,
    h.trap?.type ?? null,
    h.path,
    h.ip,
    h.token?.reach ?? null,
    h.type === 'callback' ? 1 : 0,
    0,
    JSON.stringify(h),
  ]);
  const started = performance.now();
  for (let i = 0; i < rows.length; i += 1000) {
    await app.db.transaction(async (m) => {
      for (let j = i; j < Math.min(i + 1000, rows.length); j += 100) {
        const chunk = rows.slice(j, j + 100);
        const values = chunk.map(
          (_, r) => `(${columns.map((_, c) => `$${r * columns.length + c + 1}`).join(', ')})`,
        );
        await m.query(
          `INSERT INTO honey_hits (${columns.join(', ')}) VALUES ${values.join(', ')}`,
          chunk.flat(),
        );
      }
    });
  }
  const seconds = (performance.now() - started) / 1000;
  await app.close();
  await db.drop();
  return rows.length / seconds;
}

const hits = makeHits(TOTAL);
const dialects = ['sqlite'];
try {
  const c = new pg.Client({ connectionString: PG_URL });
  await c.connect();
  await c.end();
  dialects.push('postgres');
} catch {
  console.error(`PostgreSQL at ${PG_URL} is not reachable: measuring SQLite only`);
}

console.log(
  `${TOTAL.toLocaleString('en-US')} hits from ${VISITORS.toLocaleString('en-US')} visitors (10 % token callbacks), 2 concurrent clients`,
);
console.log('');
console.log(
  '| database | raw INSERT (hits/s) | ingest, batches of 100 (hits/s) | ingest, batches of 1,000 (hits/s) |',
);
console.log('|---|---:|---:|---:|');
for (const dialect of dialects) {
  const raw = await rawInsert(dialect, hits);
  const b100 = await viaApi(dialect, 100, hits);
  const b1000 = await viaApi(dialect, 1000, hits);
  console.log(`| ${dialect} | ${fmt(raw)} | ${fmt(b100)} | ${fmt(b1000)} |`);
}
