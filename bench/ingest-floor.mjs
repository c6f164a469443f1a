// The floor under SQLite ingest: only the writes every batch of the ingest benchmark must make, with
// nothing else. Each batch, in one transaction with `synchronous = FULL` as the control plane runs it: the
// hits' rows into `honey_hits`, and each touched session inserted (first hit) or updated in the columns a
// hit changes, with the rows and statements ingest uses (`@lobster/control-plane/storage`: one JSON
// parameter per statement). Rows are built before the clock starts, so the only JavaScript timed is their
// serialisation to that parameter: no HTTP, body parsing, validation, duplicate check, session
// resolution, scoring, roll-ups, events or alerts. Same workload as
// bench/ingest.mjs (20,000 hits, 2,000 visitors taking turns, so a batch of 1,000 touches 1,000 sessions).
// Two variants show what the floor would be with either of the choices it rests on changed: commits not
// waiting for the disk (`synchronous = NORMAL`: survives a crash of the process, not of the machine), and
// `honey_sessions` without its four indexes ending in `last_seen`, which the sessions list and filters
// read (a session's every hit moves its entry in each).
// Run: npm run build && node bench/ingest-floor.mjs [hits]
import { createApp, createOrgWithAdminKey } from '@lobster/control-plane';
import {
  HIT_COLUMNS,
  hitRow,
  insertRows,
  newSessionRow,
  SESSION_COLUMN_TYPES,
  SESSION_UPDATE_COLUMN_TYPES,
  sessionToUpdate,
  sessionToValues,
  updateRows,
} from '@lobster/control-plane/storage';
import { pino } from 'pino';
import { fmt, freshDatabase, makeHits } from './lib.mjs';

const TOTAL = Number(process.argv[2] ?? 20_000);
const SITE = 'bench.example.com';
const VISITORS = 2_000;
const SIGNALS = ['CALLBACK_HIT', 'HIDDEN_CONTENT_ACTED_ON', 'TIMING_PATTERN'];

/** A visitor's session after its `n`-th hit, the size and shape ingest writes. */
function sessionAfter(hit, n, id, orgId, firstSeen) {
  const fired = SIGNALS.slice(0, Math.min(n, 3));
  return newSessionRow({
    id,
    orgId,
    site: SITE,
    fingerprint: hit.fingerprint,
    sourceIp: hit.ip,
    sourceIps: [hit.ip.replace(/\d+$/, '0')],
    userAgent: hit.user_agent,
    userAgents: [hit.user_agent],
    classification: n > 1 ? 'BOT' : 'HUMAN',
    score: Math.min(100, 20 * n),
    confidence: Math.min(95, 40 + 5 * n),
    severity: n > 2 ? 'medium' : 'low',
    signalsFired: fired,
    facts: {
      fired,
      first: { at: Date.parse(firstSeen), path: '/content/p/abc/tok' },
      recentTraps: [],
      apiTraps: [],
      disallowed: [],
      lastTimes: Array.from({ length: Math.min(n, 6) }, (_, i) => Date.parse(hit.ts) - i * 360_000),
    },
    hitCount: n,
    trapsTriggered: ['default:dotenv'],
    detectedAt: n > 2 ? firstSeen : null,
    firstSeen,
    lastSeen: hit.ts,
  });
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

async function floor(batchSize, hits, variant) {
  const db = freshDatabase('sqlite');
  const app = await createApp({ databaseUrl: db.url, logger: pino({ level: 'silent' }) });
  for (const sql of VARIANTS[variant]) await app.db.dataSource.query(sql);
  const { org } = await createOrgWithAdminKey(app.db, { name: 'bench' }, Date.now());
  const seen = new Map(); // fingerprint → [session id, hits so far, first seen]
  const batches = [];
  const receivedAt = new Date().toISOString();
  for (let i = 0; i < hits.length; i += batchSize) {
    const batch = { hits: [], created: [], changed: [] };
    for (const h of hits.slice(i, i + batchSize)) {
      let s = seen.get(h.fingerprint);
      const isNew = !s;
      if (!s) {
        s = [`s-${h.fingerprint}`, 0, h.ts];
        seen.set(h.fingerprint, s);
      }
      s[1]++;
      const session = sessionAfter(h, s[1], s[0], org.id, s[2]);
      if (isNew) batch.created.push(sessionToValues(session));
      else batch.changed.push(sessionToUpdate(session));
      batch.hits.push(
        hitRow(h, {
          orgId: org.id,
          sessionId: s[0],
          site: SITE,
          ts: h.ts,
          receivedAt,
          tripwire: h.type === 'callback',
          prompt: false,
        }),
      );
    }
    batches.push(batch);
  }
  const started = performance.now();
  for (const batch of batches) {
    await app.db.transaction(async (m) => {
      await insertRows(m, 'honey_hits', HIT_COLUMNS, batch.hits);
      await insertRows(m, 'honey_sessions', SESSION_COLUMN_TYPES, batch.created);
      await updateRows(m, 'honey_sessions', 'id', SESSION_UPDATE_COLUMN_TYPES, batch.changed);
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
