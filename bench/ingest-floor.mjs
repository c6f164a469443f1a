// The floor under SQLite ingest: only the writes every batch of the ingest benchmark must make, with
// nothing else. Each batch, in one transaction with `synchronous = FULL` as the control plane runs it: the
// hits' rows into `honey_hits`, and each touched session inserted (first hit) or updated in the columns a
// hit changes, through the same kind of statement ingest uses (one JSON parameter per statement). Rows are
// serialised before the clock starts, so no JavaScript work is timed: no HTTP, body parsing, validation,
// duplicate check, session resolution, scoring, roll-ups, events or alerts. Same workload as
// bench/ingest.mjs (20,000 hits, 2,000 visitors taking turns, so a batch of 1,000 touches 1,000 sessions).
// Two variants show what the floor would be with either of the choices it rests on changed: commits not
// waiting for the disk (`synchronous = NORMAL`: survives a crash of the process, not of the machine), and
// `honey_sessions` without its four indexes ending in `last_seen`, which the sessions list and filters
// read (a session's every hit moves its entry in each).
// Run: npm run build && node bench/ingest-floor.mjs [hits]
import { createApp, createOrgWithAdminKey } from '@lobster/control-plane';
import { pino } from 'pino';
import { fmt, freshDatabase, HIT_COLUMNS, hitRow, makeHits, SESSION_COLUMNS } from './lib.mjs';

const TOTAL = Number(process.argv[2] ?? 20_000);
const SITE = 'bench.example.com';
const VISITORS = 2_000;

const FIXED = ['id', 'org_id', 'site', 'fingerprint', 'source_ip', 'user_agent'];
/** The columns a hit can change, as ingest updates them. */
const MUTABLE = SESSION_COLUMNS.filter((c) => !FIXED.includes(c));
const ROWS = 'WITH rows AS MATERIALIZED (SELECT key AS k, value AS r FROM json_each($1))';
const insertSql = (table, columns) =>
  `${ROWS} INSERT INTO ${table} (${columns.join(', ')}) SELECT ${columns.map((_, c) => `r->>${c}`).join(', ')} FROM rows WHERE true ORDER BY k`;
const UPDATE_SESSIONS = `${ROWS} UPDATE honey_sessions SET ${MUTABLE.map((c, i) => `${c} = rows.r->>${i + 1}`).join(', ')} FROM rows WHERE honey_sessions.id = rows.r->>0`;

/** A session's mutable columns after its `n`-th hit, the size and shape ingest writes. */
function mutable(hit, n, firstSeen) {
  const times = Array.from({ length: Math.min(n, 6) }, (_, i) => Date.parse(hit.ts) - i * 360_000);
  return [
    JSON.stringify([hit.ip.replace(/\d+$/, '0')]),
    JSON.stringify([hit.user_agent]),
    n > 1 ? 'BOT' : 'HUMAN',
    Math.min(100, 20 * n),
    Math.min(95, 40 + 5 * n),
    n > 2 ? 'medium' : 'low',
    JSON.stringify(['CALLBACK_HIT', 'HIDDEN_CONTENT_ACTED_ON', 'TIMING_PATTERN'].slice(0, Math.min(n, 3))),
    JSON.stringify({
      fired: ['CALLBACK_HIT', 'HIDDEN_CONTENT_ACTED_ON', 'TIMING_PATTERN'].slice(0, Math.min(n, 3)),
      first: { at: Date.parse(firstSeen), path: '/content/p/abc/tok' },
      recentTraps: [],
      apiTraps: [],
      disallowed: [],
      lastTimes: times,
    }),
    0,
    n,
    JSON.stringify(['default:dotenv']),
    null,
    null,
    null,
    null,
    null,
    null,
    n > 2 ? firstSeen : null,
    firstSeen,
    hit.ts,
  ];
}

const VARIANTS = {
  'as shipped': [],
  'synchronous = NORMAL': ['PRAGMA synchronous = NORMAL'],
  'without the last_seen session indexes': [
    'DROP INDEX honey_sessions_org_last',
    'DROP INDEX honey_sessions_org_class',
    'DROP INDEX honey_sessions_org_sev',
    'DROP INDEX honey_sessions_org_site',
  ],
};

/** The hit as ingest stores it in `record`: without null, false and empty-list fields, nested ones too. */
function compact(object) {
  const out = {};
  for (const [key, value] of Object.entries(object)) {
    if (value === null || value === false || value === undefined) continue;
    if (Array.isArray(value)) {
      if (value.length > 0) out[key] = value;
    } else out[key] = typeof value === 'object' ? compact(value) : value;
  }
  return out;
}

async function floor(batchSize, hits, variant) {
  const db = freshDatabase('sqlite');
  const app = await createApp({ databaseUrl: db.url, logger: pino({ level: 'silent' }) });
  for (const sql of VARIANTS[variant]) await app.db.dataSource.query(sql);
  const { org } = await createOrgWithAdminKey(app.db, { name: 'bench' }, Date.now());
  const seen = new Map(); // fingerprint → [session id, hits so far, first seen]
  const batches = [];
  const receivedAt = new Date().toISOString();
  for (let i = 0; i < hits.length; i += batchSize) {
    const hitRows = [];
    const created = [];
    const changed = [];
    for (const h of hits.slice(i, i + batchSize)) {
      let s = seen.get(h.fingerprint);
      const isNew = !s;
      if (!s) {
        s = [`s-${h.fingerprint}`, 0, h.ts];
        seen.set(h.fingerprint, s);
      }
      s[1]++;
      const values = mutable(h, s[1], s[2]);
      if (isNew) created.push([s[0], org.id, SITE, h.fingerprint, h.ip, h.user_agent, ...values]);
      else changed.push([s[0], ...values]);
      hitRows.push(
        hitRow(h, {
          orgId: org.id,
          sessionId: s[0],
          site: SITE,
          receivedAt,
          record: JSON.stringify(compact(h)),
        }),
      );
    }
    batches.push([JSON.stringify(hitRows), JSON.stringify(created), JSON.stringify(changed)]);
  }
  const started = performance.now();
  for (const [hitRows, created, changed] of batches) {
    await app.db.transaction(async (m) => {
      await m.query(insertSql('honey_hits', HIT_COLUMNS), [hitRows]);
      if (created !== '[]') await m.query(insertSql('honey_sessions', [...FIXED, ...MUTABLE]), [created]);
      if (changed !== '[]') await m.query(UPDATE_SESSIONS, [changed]);
    });
  }
  const seconds = (performance.now() - started) / 1000;
  await app.close();
  await db.drop();
  return hits.length / seconds;
}

const hits = makeHits(TOTAL, SITE, VISITORS);
console.log(
  `SQLite floor: ${fmt(TOTAL)} hits from ${fmt(VISITORS)} visitors, hits and sessions written only, one writer`,
);
console.log('\n| variant | batches of 100 (hits/s) | batches of 1,000 (hits/s) |\n|---|---:|---:|');
for (const variant of Object.keys(VARIANTS)) {
  const rates = [];
  for (const size of [100, 1000]) rates.push(fmt(await floor(size, hits, variant)));
  console.log(`| ${variant} | ${rates.join(' | ')} |`);
}
