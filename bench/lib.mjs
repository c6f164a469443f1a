import { execFileSync, fork } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import pg from 'pg';

/**
 * Forks a server script (a file next to this one) so the load generator never shares a thread with it,
 * and resolves with what the child reports over IPC once it listens, plus `stop()`.
 */
export function startServer(script, env = {}) {
  return new Promise((resolve, reject) => {
    const child = fork(new URL(script, import.meta.url), {
      env: { ...process.env, ...env },
      execArgv: process.env.BENCH_SERVER_ARGS ? process.env.BENCH_SERVER_ARGS.split(' ') : [],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    child.once('message', (info) =>
      resolve({ ...info, pid: child.pid, cpu: () => cpuSeconds(child.pid), stop: () => child.disconnect() }),
    );
    child.once('exit', (code) => reject(new Error(`${script} exited with ${code}`)));
  });
}

/** Pins a process, every thread of it, to one CPU (Linux `taskset`). */
export function pinToCpu(cpu, pid = process.pid) {
  execFileSync('taskset', ['-a', '-p', '-c', String(cpu), String(pid)], { stdio: 'ignore' });
}

/**
 * Forks bench/honey-server.mjs: `framework` bare or with a `honey` variant (see that file), pinned to
 * `cpu` when one is given.
 */
export async function startHoneyServer(framework, honey, cpu) {
  const server = await startServer('./honey-server.mjs', { BENCH_FRAMEWORK: framework, BENCH_HONEY: honey });
  if (cpu !== undefined) pinToCpu(cpu, server.pid);
  return server;
}

/**
 * CPU seconds (user + system, every thread) a process has used so far, from /proc (Linux): on a shared
 * machine this moves much less than wall-clock throughput does when other work competes for the cores.
 */
export function cpuSeconds(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** Forks bench/control-plane-server.mjs and resolves with what it reports. */
export function startControlPlane(env = {}) {
  return startServer('./control-plane-server.mjs', env);
}

/** One autocannon run; returns requests/s and latency percentiles in ms. */
export async function load({ url, headers = {}, seconds = 10, connections = 20, pipelining = 1 }) {
  const result = await autocannon({ url, headers, duration: seconds, connections, pipelining });
  return summarize(url, result);
}

function summarize(url, result) {
  const bad = result.non2xx + result.errors + result.timeouts;
  if (bad > 0)
    throw new Error(`${url}: ${bad} failed requests (non-2xx ${result.non2xx}, errors ${result.errors})`);
  return {
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    total: result.requests.total,
  };
}

export const fmt = (n, digits = 0) =>
  n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

/** Milliseconds from sending a request to its first body byte, and to its end, for `n` sequential requests. */
export async function firstByte(url, n = 200) {
  const { request } = await import('node:http');
  const agent = new (await import('node:http')).Agent({ keepAlive: true, maxSockets: 1 });
  const ttfb = [];
  const total = [];
  for (let i = 0; i < n; i++) {
    await new Promise((resolve, reject) => {
      const t0 = process.hrtime.bigint();
      let first = 0n;
      request(url, { agent }, (res) => {
        res.on('data', () => {
          if (!first) first = process.hrtime.bigint();
        });
        res.on('end', () => {
          ttfb.push(Number(first - t0) / 1e6);
          total.push(Number(process.hrtime.bigint() - t0) / 1e6);
          resolve();
        });
      })
        .on('error', reject)
        .end();
    });
  }
  agent.destroy();
  return { p50: percentile(ttfb, 0.5), p99: percentile(ttfb, 0.99), total50: percentile(total, 0.5) };
}

export function percentile(xs, q) {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

export const median = (xs) => percentile(xs, 0.5);

export const DEFAULT_PG_URL =
  process.env.LOBSTER_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/**
 * A database nobody else uses: a new SQLite file in a temporary directory, or a new schema (named by
 * `?schema=`, which the control plane creates) in the PostgreSQL database at `pgUrl`. `drop()` removes
 * the schema afterwards.
 */
export function freshDatabase(dialect, pgUrl = DEFAULT_PG_URL) {
  if (dialect === 'sqlite')
    return {
      url: `sqlite:${join(mkdtempSync(join(tmpdir(), 'lobster-bench-')), 'b.sqlite')}`,
      drop: async () => {},
    };
  const schema = `bench_${Math.random().toString(36).slice(2, 10)}`;
  const url = new URL(pgUrl);
  url.searchParams.set('schema', schema);
  return {
    url: url.toString(),
    drop: async () => {
      const c = new pg.Client({ connectionString: pgUrl });
      await c.connect();
      await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await c.end();
    },
  };
}

/** True when PostgreSQL answers at `pgUrl`. */
export async function postgresReachable(pgUrl = DEFAULT_PG_URL) {
  const c = new pg.Client({ connectionString: pgUrl });
  try {
    await c.connect();
    await c.end();
    return true;
  } catch {
    return false;
  }
}

/**
 * `count` trap hits and token callbacks (every tenth) from `visitors` visitors taking turns, over the last
 * hour, as the middleware reports them: the ingest benchmarks' workload.
 */
export function makeHits(count, site, visitors) {
  const now = Date.now();
  return Array.from({ length: count }, (_, i) => {
    const visitor = i % visitors;
    const callback = i % 10 === 0;
    return {
      id: randomUUID(),
      type: callback ? 'callback' : 'trap_hit',
      ts: new Date(now - 3_600_000 + i * (3_600_000 / count)).toISOString(),
      site,
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
