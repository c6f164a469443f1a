// Read latency of the LobsterHoney API with a large history: sessions list (plain and filtered), session
// detail, and the analytics endpoints, p50/p95 over sequential requests, on SQLite and PostgreSQL.
// The history (default 1,000,000 hits in 100,000 sessions over 30 days) is written straight into the
// tables with the rows and statements ingest uses (`@lobster/control-plane/storage`), because ingesting
// it through the API would take longer than the measurement.
// Run: npm run build && node bench/honey-reads.mjs [hits] [sessions] [pg-url]
import { randomUUID } from 'node:crypto';
import { createApp, createOrgWithAdminKey } from '@lobster/control-plane';
import {
  HIT_COLUMNS,
  hitRow,
  insertRows,
  newSessionRow,
  SESSION_COLUMN_TYPES,
  sessionToValues,
} from '@lobster/control-plane/storage';
import { pino } from 'pino';
import { DEFAULT_PG_URL, freshDatabase } from './lib.mjs';

const HITS = Number(process.argv[2] ?? 1_000_000);
const SESSIONS = Number(process.argv[3] ?? 100_000);
const PG_URL = process.argv[4] ?? DEFAULT_PG_URL;
const REQUESTS = 200;
const DAY = 86_400_000;
const CLASSES = [
  ['HUMAN', 'medium', ['ROBOTS_FIRST']],
  ['BOT', 'high', ['CALLBACK_HIT', 'SYSTEMATIC_CRAWL']],
  ['AI_AGENT', 'high', ['CALLBACK_HIT', 'INJECTION_FOLLOWED', 'IDENTITY_EXTRACTED']],
  [
    'AI_AGENT_MALICIOUS',
    'critical',
    ['CALLBACK_HIT', 'INJECTION_FOLLOWED', 'SYSTEM_PROMPT_LEAKED', 'CREDENTIAL_USED'],
  ],
];
const SITES = ['shop.example.com', 'blog.example.com'];
const TRAPS = [
  ['t-env', '/.env', 'file'],
  ['t-robots', '/robots.txt', 'page'],
  ['t-users', '/api/v1/users', 'api'],
  ['t-config', '/api/v1/config', 'config'],
];

/** Writes `rows` 10,000 to a transaction. */
async function insertAll(db, table, columns, rows) {
  for (let i = 0; i < rows.length; i += 10_000)
    await db.transaction((m) => insertRows(m, table, columns, rows.slice(i, i + 10_000)));
}

async function seed(db, orgId, now) {
  const sessionIds = [];
  const sessionRows = [];
  for (let s = 0; s < SESSIONS; s++) {
    const id = randomUUID();
    sessionIds.push(id);
    const [cls, sev, signals] = CLASSES[s % 4];
    const last = now - Math.floor((s / SESSIONS) * 30 * DAY);
    const first = last - 600_000;
    sessionRows.push(
      sessionToValues(
        newSessionRow({
          id,
          orgId,
          site: SITES[s % 2],
          fingerprint: `fp${s}`,
          sourceIp: `198.51.100.${s % 250}`,
          userAgent: 'agent/1.0',
          classification: cls,
          score: 50,
          confidence: 80,
          severity: sev,
          signalsFired: signals,
          tripwiresFired: 1,
          hitCount: HITS / SESSIONS,
          firstSeen: new Date(first).toISOString(),
          lastSeen: new Date(last).toISOString(),
        }),
      ),
    );
  }
  await insertAll(db, 'honey_sessions', SESSION_COLUMN_TYPES, sessionRows);
  const perSession = HITS / SESSIONS;
  for (let start = 0; start < HITS; start += 100_000) {
    const rows = [];
    for (let h = start; h < Math.min(start + 100_000, HITS); h++) {
      const s = Math.floor(h / perSession);
      const last = now - Math.floor((s / SESSIONS) * 30 * DAY);
      const ts = new Date(last - (perSession - (h % perSession)) * 60_000).toISOString();
      const [trapId, path, type] = TRAPS[h % TRAPS.length];
      const hit = {
        id: randomUUID(),
        type: 'trap_hit',
        ts,
        site: SITES[s % 2],
        method: 'GET',
        path,
        status: 200,
        ip: '198.51.100.1',
        fingerprint: `fp${s}`,
        trap: { id: trapId, name: path, path, type },
      };
      rows.push(
        hitRow(hit, {
          orgId,
          sessionId: sessionIds[s],
          site: SITES[s % 2],
          ts,
          receivedAt: ts,
          tripwire: h % 7 === 0,
          prompt: h % 97 === 0,
        }),
      );
    }
    await insertAll(db, 'honey_hits', HIT_COLUMNS, rows);
  }
  // The hourly roll-up ingest keeps, built the way the migration builds it from existing hits.
  await db.transaction((m) =>
    m.query(`INSERT INTO honey_hit_hours (org_id, site, hour, trap_id, trap_type, path, hits, tripwires, prompts)
      SELECT org_id, site, substr(ts, 1, 13), COALESCE(trap_id, ''), max(trap_type), max(path), count(*), sum(tripwire), sum(prompt)
      FROM honey_hits GROUP BY org_id, site, substr(ts, 1, 13), COALESCE(trap_id, '')`),
  );
  // The sessions per hour of last activity and severity that ingest keeps, built as their migration does.
  await db.transaction((m) =>
    m.query(`INSERT INTO honey_session_hours (org_id, hour, site, severity, sessions)
      SELECT org_id, substr(last_seen, 1, 13), site, severity, count(*) FROM honey_sessions
      GROUP BY org_id, substr(last_seen, 1, 13), site, severity`),
  );
  return sessionIds;
}

async function measure(url, key, path) {
  const times = [];
  for (let i = 0; i < REQUESTS; i++) {
    const target = typeof path === 'function' ? path(i) : path;
    const started = performance.now();
    const res = await fetch(`${url}${target}`, { headers: { Authorization: `Bearer ${key}` } });
    await res.arrayBuffer();
    if (res.status !== 200) throw new Error(`${target} answered ${res.status}`);
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  return { p50: times[Math.floor(REQUESTS * 0.5)], p95: times[Math.floor(REQUESTS * 0.95)] };
}

async function run(dialect) {
  const db = freshDatabase(dialect, PG_URL);
  const now = Date.now();
  const app = await createApp({
    databaseUrl: db.url,
    logger: pino({ level: 'silent' }),
    rateLimit: { limit: 1e9, windowMs: 60_000 },
  });
  const { org, apiKey } = await createOrgWithAdminKey(app.db, { name: 'bench' }, now);
  const seeding = performance.now();
  const ids = await seed(app.db, org.id, now);
  // What autovacuum would have done by the time such a history exists: statistics and the visibility map
  // (without the latter PostgreSQL cannot answer counts from the index alone).
  await app.db.manager.query(dialect === 'postgres' ? 'VACUUM ANALYZE' : 'ANALYZE');
  const seededIn = (performance.now() - seeding) / 1000;
  const { url: base } = await app.listen(0);
  const endpoints = [
    ['sessions list', '/dashboard/api/sessions'],
    [
      'sessions list, filtered (classification + site)',
      '/dashboard/api/sessions?classification=AI_AGENT_MALICIOUS&site=shop.example.com&limit=50',
    ],
    ['sessions list, page 200', '/dashboard/api/sessions?offset=4000&limit=20'],
    ['session detail (10 hits)', (i) => `/dashboard/api/sessions/${ids[(i * 7919) % ids.length]}`],
    ['analytics overview', '/dashboard/api/analytics/overview'],
    ['analytics severity', '/dashboard/api/analytics/severity'],
    ['analytics severity, active in 30 days', '/dashboard/api/analytics/severity?period=30d'],
    ['analytics timeline', '/dashboard/api/analytics/timeline'],
    ['hits per trap, 30 days', '/dashboard/api/analytics/traps?period=30d'],
  ];
  const results = [];
  for (const [name, path] of endpoints) results.push([name, await measure(base, apiKey, path)]);
  await app.close();
  await db.drop();
  return { results, seededIn };
}

const dialects = process.env.BENCH_DIALECTS ? process.env.BENCH_DIALECTS.split(',') : ['sqlite', 'postgres'];
console.log(
  `${HITS.toLocaleString('en-US')} hits in ${SESSIONS.toLocaleString('en-US')} sessions over 30 days; ${REQUESTS} sequential requests per endpoint`,
);
for (const dialect of dialects) {
  const { results, seededIn } = await run(dialect);
  console.log('');
  console.log(`${dialect} (history written in ${seededIn.toFixed(0)} s)`);
  console.log('');
  console.log('| endpoint | p50 ms | p95 ms |');
  console.log('|---|---:|---:|');
  for (const [name, r] of results) console.log(`| ${name} | ${r.p50.toFixed(1)} | ${r.p95.toFixed(1)} |`);
}
