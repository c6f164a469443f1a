import { fork } from 'node:child_process';
import autocannon from 'autocannon';

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
    child.once('message', (info) => resolve({ ...info, stop: () => child.disconnect() }));
    child.once('exit', (code) => reject(new Error(`${script} exited with ${code}`)));
  });
}

/** Forks bench/control-plane-server.mjs and resolves with what it reports. */
export function startControlPlane(env = {}) {
  return startServer('./control-plane-server.mjs', env);
}

/** One autocannon run; returns requests/s and latency percentiles in ms. */
export async function load({ url, headers = {}, seconds = 10, connections = 20 }) {
  const result = await autocannon({ url, headers, duration: seconds, connections, pipelining: 1 });
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
