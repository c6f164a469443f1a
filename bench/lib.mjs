import { fork } from 'node:child_process';
import autocannon from 'autocannon';

/** Forks bench/control-plane-server.mjs and resolves with what it reports. */
export function startControlPlane(env = {}) {
  return new Promise((resolve, reject) => {
    const child = fork(new URL('./control-plane-server.mjs', import.meta.url), {
      env: { ...process.env, ...env },
      execArgv: process.env.BENCH_SERVER_ARGS ? process.env.BENCH_SERVER_ARGS.split(' ') : [],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    child.once('message', (info) => resolve({ ...info, stop: () => child.disconnect() }));
    child.once('exit', (code) => reject(new Error(`control plane exited with ${code}`)));
  });
}

/** One autocannon run; returns requests/s and latency percentiles in ms. */
export async function load({ url, headers = {}, seconds = 10, connections = 20 }) {
  const result = await autocannon({ url, headers, duration: seconds, connections, pipelining: 1 });
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
