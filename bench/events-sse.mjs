// Events over SSE: latency from an ingest's commit (the server's 202, taken in the server process) to
// the event's arrival on each SSE client, p50 and p99, with 1 and with 1,000 concurrent clients on one
// instance, and the server's memory per idle client (RSS after GC with the clients connected, minus
// before, divided by the clients). SQLite, and PostgreSQL when reachable.
// Run: npm run build && node bench/events-sse.mjs [samples] [pg-url]
import { fork } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { Agent, request } from 'node:http';
import pg from 'pg';
import { fmt, percentile } from './lib.mjs';

const SAMPLES = Number(process.argv[2] ?? 200);
const PG_URL =
  process.argv[3] ?? process.env.LOBSTER_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const SITE = 'bench.example.com';
const now = () => performance.timeOrigin + performance.now();

function startServer(env) {
  return new Promise((resolve, reject) => {
    const child = fork(new URL('./events-sse-server.mjs', import.meta.url), {
      env: { ...process.env, ...env },
      execArgv: ['--expose-gc'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const waiting = new Map();
    child.on('message', (m) => {
      if (m.type === 'ready') resolve({ ...m, ask, stop: () => child.disconnect() });
      else waiting.get(m.type === 'committed' ? m.id : m.type)?.(m);
    });
    child.once('exit', (code) => reject(new Error(`server exited with ${code}`)));
    function ask(message, key) {
      return new Promise((r) => {
        waiting.set(key, (m) => {
          waiting.delete(key);
          r(m);
        });
        child.send(message);
      });
    }
  });
}

/** One SSE client: records when each event naming a hit id first arrives. */
function connect(url, key, agent, received) {
  return new Promise((resolve, reject) => {
    const req = request(
      `${url}/api/v1/events/stream?type=signal.fired`,
      { agent, headers: { Authorization: `Bearer ${key}`, Accept: 'text/event-stream' } },
      (res) => {
        if (res.statusCode !== 200) return reject(new Error(`stream answered ${res.statusCode}`));
        res.setEncoding('utf8');
        let buffer = '';
        res.on('data', (chunk) => {
          const at = now();
          buffer += chunk;
          const frames = buffer.split('\n\n');
          buffer = frames.pop();
          for (const frame of frames) {
            const data = frame.split('\n').find((l) => l.startsWith('data: '));
            if (!data) continue;
            const hit = JSON.parse(data.slice(6)).data.hit_id;
            received.push({ hit, at });
          }
        });
        resolve(() => req.destroy());
      },
    );
    req.on('error', reject);
    req.end();
  });
}

function hit(n) {
  return {
    id: randomUUID(),
    type: 'trap_hit',
    ts: new Date().toISOString(),
    site: SITE,
    method: 'GET',
    path: '/.env',
    query: null,
    status: 200,
    ip: `198.51.${(n >> 8) & 255}.${n & 255}`,
    user_agent: `bench-agent/${n}`,
    accept: '*/*',
    referer: null,
    fingerprint: `fp${n.toString(16).padStart(10, '0')}`,
    trap: { id: 'default:dotenv', name: '.env Trap', path: '/.env', type: 'file' },
    token: null,
    extraction: null,
    canary: null,
    canaries_planted: ['openai_key'],
    robots_disallow: [],
    login: null,
    agent: null,
    is_bot: false,
    probe: null,
  };
}

async function run(databaseUrl, clients) {
  const server = await startServer(databaseUrl ? { DATABASE_URL: databaseUrl } : {});
  const agent = new Agent({ keepAlive: true, maxSockets: Number.POSITIVE_INFINITY });
  const base = (await server.ask({ type: 'rss' }, 'rss')).rss;
  const logs = [];
  const closers = [];
  for (let i = 0; i < clients; i += 100) {
    await Promise.all(
      Array.from({ length: Math.min(100, clients - i) }, async () => {
        const log = [];
        logs.push(log);
        closers.push(await connect(server.url, server.apiKey, agent, log));
      }),
    );
  }
  const idle = (await server.ask({ type: 'rss' }, 'rss')).rss;
  const latencies = [];
  for (let n = 0; n < SAMPLES; n++) {
    const h = hit(n);
    const { at: committed } = await server.ask({ type: 'ingest', hit: h }, h.id);
    // Every client has it before the next sample, so samples never queue behind each other.
    while (logs.some((log) => !log.some((r) => r.hit === h.id))) await new Promise((r) => setImmediate(r));
    for (const log of logs) {
      const first = log.find((r) => r.hit === h.id);
      latencies.push(first.at - committed);
      log.length = 0;
    }
  }
  for (const close of closers) close();
  agent.destroy();
  server.stop();
  await new Promise((r) => setTimeout(r, 300));
  return {
    p50: percentile(latencies, 0.5),
    p99: percentile(latencies, 0.99),
    perClient: (idle - base) / clients,
  };
}

async function freshSchema() {
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

const databases = [{ name: 'sqlite', fresh: async () => ({ url: null, drop: async () => {} }) }];
try {
  const c = new pg.Client({ connectionString: PG_URL });
  await c.connect();
  await c.end();
  databases.push({ name: 'postgres', fresh: freshSchema });
} catch {
  console.error(`PostgreSQL at ${PG_URL} is not reachable: measuring SQLite only`);
}

console.log(
  `${SAMPLES} ingests of one hit, one at a time; latency = SSE receipt − the ingest's 202 in the server`,
);
console.log('');
console.log('| database | SSE clients | p50 (ms) | p99 (ms) | server RSS per idle client |');
console.log('|---|---:|---:|---:|---:|');
for (const db of databases) {
  for (const clients of [1, 1000]) {
    const target = await db.fresh();
    const r = await run(target.url, clients);
    await target.drop();
    const memory = clients > 1 ? `${fmt(r.perClient / 1024, 1)} KB` : '–';
    console.log(`| ${db.name} | ${fmt(clients)} | ${fmt(r.p50, 2)} | ${fmt(r.p99, 2)} | ${memory} |`);
  }
}
