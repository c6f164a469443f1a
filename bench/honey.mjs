// honey-middleware benchmarks (issues 3 and 4). Every server runs in its own child process
// (bench/honey-server.mjs); autocannon runs here. Variants of one framework alternate round by round, so
// drift hits all alike; medians are reported.
//   request path: GET / (hello world) bare vs with lobsterHoney(), throughput ratio and added p99;
//                 trap responses per second (GET /.env, reporter on); the reporter's enqueue cost per hit.
//   page tripwires: GET /page (20 KB HTML) with tripwires vs lobsterHoney({ tripwires: false }), plus
//                 10 % sampling; time to first byte of GET /stream with and without tripwires.
// Run: npm run build -w @lobster/honey-middleware && node bench/honey.mjs [seconds-per-run] [rounds] [frameworks]
// BENCH_VARIANT picks the request path's "with" server among bench/honey-server.mjs's variants (default
// `on`; `listener` for Express behind withLobsterHoney).
// The engine's own share of a trap answer, without HTTP or a framework: bench/honey-engine.mjs (CPU time on
// one core) and bench/honey-engine-instructions.mjs (callgrind).
// The non-trap ratio with all variants loaded at the same time, which a drifting VM cannot skew:
// bench/honey-concurrent.mjs.
// BENCH_PIN=1 pins every server (all its threads) to CPU 0 and autocannon to CPU 1 with taskset, so the
// scheduler never puts the load generator on the server's core; the ratios then move less from run to run.
// Ratios are the median of the per-round ratios (each round runs the variants back to back), with their
// range.
import os from 'node:os';
import { enqueueCost } from './honey-enqueue.mjs';
import { firstByte, fmt, load, median, pinToCpu, startHoneyServer } from './lib.mjs';

const seconds = Number(process.argv[2] ?? 5);
const rounds = Number(process.argv[3] ?? 3);
const frameworks = (process.argv[4] ?? 'express,koa,fastify').split(',');
const part = process.env.BENCH_PART ?? 'all';
const variant = process.env.BENCH_VARIANT ?? 'on';

const pin = process.env.BENCH_PIN === '1';
if (pin) pinToCpu(1);
const start = (framework, honey) => startHoneyServer(framework, honey, pin ? 0 : undefined);

/** The median of the per-round ratios `a[i] / b[i]`, and their range, for a table cell. */
function pairedRatio(a, b) {
  const ratios = a.map((x, i) => x / b[i]);
  return `${fmt(median(ratios), 3)} (${fmt(Math.min(...ratios), 3)}–${fmt(Math.max(...ratios), 3)})`;
}

/**
 * Alternating rounds over `variants` (name → server) on `path`; returns name → median summary. Besides
 * requests/s, each run records the server's CPU time per request (user + system, from /proc): on this
 * shared 2-vCPU machine throughput swings with whatever else runs, while CPU per request barely moves, so
 * the CPU ratio is the steadier estimate of the throughput ratio a CPU-bound server would show.
 */
async function alternate(servers, path) {
  const runs = Object.fromEntries(Object.keys(servers).map((k) => [k, []]));
  for (const s of Object.values(servers)) await load({ url: s.url + path, seconds: 2 }); // warm-up
  for (let i = 0; i < rounds; i++) {
    for (const [name, s] of Object.entries(servers)) {
      const cpu = s.cpu();
      const r = await load({ url: s.url + path, seconds });
      runs[name].push({ ...r, cpuUs: ((s.cpu() - cpu) * 1e6) / r.total });
    }
  }
  return Object.fromEntries(
    Object.entries(runs).map(([k, rs]) => [
      k,
      {
        rps: median(rs.map((r) => r.rps)),
        p50: median(rs.map((r) => r.p50)),
        p99: median(rs.map((r) => r.p99)),
        cpuUs: median(rs.map((r) => r.cpuUs)),
        rounds: rs,
      },
    ]),
  );
}

console.log(
  `Node ${process.version}, ${os.cpus().length} × ${os.cpus()[0]?.model}, ${rounds} rounds × ${seconds} s per variant, 20 connections, autocannon in the parent, each server in its own process${pin ? ', servers on CPU 0 and autocannon on CPU 1' : ''}`,
);

if (part === 'all' || part === 'request') {
  console.log('\n### honey-middleware: request path\n');
  console.log(
    '| framework | bare req/s | with lobsterHoney() req/s | ratio (≥ 0.97) | server CPU µs/req bare / with | CPU ratio | bare p99 ms | with p99 ms | added p99 (< 1 ms) | trap `/.env` req/s (≥ 5,000) | trap CPU µs/req |',
  );
  console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const f of frameworks) {
    const servers = { bare: await start(f, 'off'), honey: await start(f, variant) };
    const r = await alternate(servers, '/');
    const trap = await alternate({ honey: servers.honey }, '/.env');
    for (const s of Object.values(servers)) s.stop();
    const each = (v, key) => r[v].rounds.map((x) => x[key]);
    console.log(
      `| ${f} | ${fmt(r.bare.rps)} | ${fmt(r.honey.rps)} | ${pairedRatio(each('honey', 'rps'), each('bare', 'rps'))} | ${fmt(r.bare.cpuUs)} / ${fmt(r.honey.cpuUs)} | ${pairedRatio(each('bare', 'cpuUs'), each('honey', 'cpuUs'))} | ${r.bare.p99} | ${r.honey.p99} | ${r.honey.p99 - r.bare.p99} | ${fmt(trap.honey.rps)} | ${fmt(trap.honey.cpuUs)} |`,
    );
  }
  const e = await enqueueCost();
  console.log(
    `\nReporter enqueue (in-process micro-benchmark, ${fmt(e.n)} hits per run, median of 5): ${fmt(e.belowBound, 3)} µs per hit below the queue bound, ${fmt(e.atBound, 3)} µs per hit at the bound (drop-oldest path).`,
  );
}

if (part === 'all' || part === 'tripwires') {
  console.log('\n### honey-middleware: page tripwires\n');
  console.log(
    '| framework | `tripwires: false` req/s | tripwires req/s | ratio (≥ 0.95) | server CPU µs/req off / on | CPU ratio | 10 % sampled req/s | ratio | CPU ratio | p99 ms off / on | TTFB p50 ms off / on | TTFB p99 ms off / on |',
  );
  console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const f of frameworks) {
    const servers = {
      off: await start(f, 'no-tripwires'),
      on: await start(f, 'on'),
      sampled: await start(f, 'sampled'),
    };
    const r = await alternate(servers, '/page');
    const t = { off: [], on: [] };
    for (let i = 0; i < rounds; i++) {
      t.off.push(await firstByte(`${servers.off.url}/stream`, 200));
      t.on.push(await firstByte(`${servers.on.url}/stream`, 200));
    }
    for (const s of Object.values(servers)) s.stop();
    const ttfb = (k, q) => fmt(median(t[k].map((x) => x[q])), 2);
    console.log(
      `| ${f} | ${fmt(r.off.rps)} | ${fmt(r.on.rps)} | ${fmt(r.on.rps / r.off.rps, 3)} | ${fmt(r.off.cpuUs)} / ${fmt(r.on.cpuUs)} | ${fmt(r.off.cpuUs / r.on.cpuUs, 3)} | ${fmt(r.sampled.rps)} | ${fmt(r.sampled.rps / r.off.rps, 3)} | ${fmt(r.off.cpuUs / r.sampled.cpuUs, 3)} | ${r.off.p99} / ${r.on.p99} | ${ttfb('off', 'p50')} / ${ttfb('on', 'p50')} | ${ttfb('off', 'p99')} / ${ttfb('on', 'p99')} |`,
    );
  }
}
