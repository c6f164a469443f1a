// honey-middleware non-trap path, bare vs with lobsterHoney(), measured side by side (issue 3).
// bench/honey.mjs runs the variants one after the other; on a shared VM whose speed drifts from second to
// second, single rounds of the same variant then differ by more than the 3 % the target allows. Here the
// servers run at the same time, all pinned to CPU 0 with taskset, each loaded by its own autocannon
// instance (10 connections each) in this process on CPU 1. The kernel's scheduler gives saturated
// servers equal shares of CPU 0, so whatever slows that CPU down slows all alike, and the ratio of their
// requests/s is the ratio of their costs per request: the throughput ratio a CPU-bound server shows.
// The load generator must keep every server busy, or the ratio says nothing about cost: the table prints
// how busy CPU 0 was (the servers' requests/s times their CPU time per request, summed; it must be near
// 100 %) and autocannon's own CPU use. Koa and Fastify answer a hello world about as fast as autocannon
// sends one, so on a slow machine they need BENCH_PIPELINING=4 (four requests in flight per connection)
// to fill CPU 0.
// Each framework runs `sets` sets of fresh server processes (V8 compiles each process a little
// differently), `rounds` rounds each, and the servers' order (fork order, load order) rotates from set to
// set, so neither a process nor a slot favours a variant. Ratios: the median of all per-round ratios to
// bare in that round, their range, and each set's median. `BENCH_WITH=off` (bare against bare) shows the
// method's own error.
// Run: npm run build -w @lobster/honey-middleware && node bench/honey-concurrent.mjs [seconds-per-round] [rounds-per-set] [frameworks] [sets]
// (defaults 5 s, 2, all three, 8: fresh processes differ more than rounds do). BENCH_WITH lists the
// bench/honey-server.mjs variants run against bare at once (default `on,empty,off`: the middleware; a
// middleware that only calls next, i.e. what the framework charges for any; and a second bare server,
// the method's own error). `BENCH_WITH=on,no-tripwires` tells the page tripwires' share. `BENCH_BASE`
// sets the variant the others are told against (default `off`): `BENCH_BASE=locals-first` for
// withLobsterHoney on Express, whose head start on `res.locals` makes Express itself faster (RESULTS).
import os from 'node:os';
import { fmt, load, median, pinToCpu, startHoneyServer } from './lib.mjs';

const seconds = Number(process.argv[2] ?? 5);
const rounds = Number(process.argv[3] ?? 2);
const frameworks = (process.argv[4] ?? 'express,koa,fastify').split(',');
const sets = Number(process.argv[5] ?? 8);
// The first variant is the one every other is told against: bare, unless BENCH_BASE names another.
const variants = [process.env.BENCH_BASE ?? 'off', ...(process.env.BENCH_WITH ?? 'on,empty,off').split(',')];
const pipelining = Number(process.env.BENCH_PIPELINING ?? 1);

pinToCpu(1);

/** Loads every server at once for `secs`; returns per server its requests/s, p99 and CPU µs per request. */
async function together(servers, secs) {
  const cpu = servers.map((s) => s.cpu());
  const results = await Promise.all(
    servers.map((s) => load({ url: `${s.url}/`, seconds: secs, connections: 10, pipelining })),
  );
  return results.map((r, i) => ({ ...r, cpuUs: ((servers[i].cpu() - cpu[i]) * 1e6) / r.total }));
}

/** `sets` × `rounds` rounds of all variants at once; returns per round a map from index in `variants` to result. */
async function measure(framework) {
  const rows = [];
  let busyUs = 0;
  let wallUs = 0;
  for (let set = 0; set < sets; set++) {
    // Slots by index into `variants` (bare may be listed twice, for the method's own error).
    const order = variants.map((_, i) => (i + set) % variants.length);
    const servers = [];
    for (const i of order) servers.push(await startHoneyServer(framework, variants[i], 0));
    await together(servers, 3); // warm-up: JIT and connection pools
    const own = process.cpuUsage();
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < rounds; i++) {
      const results = await together(servers, seconds);
      const busy = results.reduce((sum, r) => sum + (r.rps * r.cpuUs) / 1e6, 0);
      rows.push({ set, busy, by: new Map(order.map((variant, slot) => [variant, results[slot]])) });
    }
    wallUs += Number(process.hrtime.bigint() - t0) / 1e3;
    const used = process.cpuUsage(own);
    busyUs += used.user + used.system;
    for (const s of servers) s.stop();
  }
  return { rows, loadCpu: busyUs / wallUs };
}

const range = (xs, digits = 3) =>
  `${fmt(median(xs), digits)} (${fmt(Math.min(...xs), digits)}–${fmt(Math.max(...xs), digits)})`;

console.log(
  `Node ${process.version}, ${os.cpus().length} × ${os.cpus()[0]?.model}; ${variants.join(', ')} at once on CPU 0, autocannon on CPU 1 (10 connections per server, ${pipelining} request(s) in flight on each); ${sets} sets of fresh processes × ${rounds} rounds × ${seconds} s.\n`,
);
console.log(
  `| framework | variant | ${variants[0]} req/s | variant req/s | throughput ratio (≥ 0.97), range | per set | server CPU µs/req ${variants[0]} / variant | CPU ratio, range | p99 ms ${variants[0]} / variant | added p99 (< 1 ms) | CPU 0 busy | autocannon CPU |`,
);
console.log('|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
for (const f of frameworks) {
  const { rows, loadCpu } = await measure(f);
  const col = (v, key) => rows.map((r) => r.by.get(v)[key]);
  for (let v = 1; v < variants.length; v++) {
    const ratio = (r) => r.by.get(v).rps / r.by.get(0).rps;
    const perSet = [...new Set(rows.map((r) => r.set))].map((s) =>
      fmt(median(rows.filter((r) => r.set === s).map(ratio)), 3),
    );
    const cpuRatios = rows.map((r) => r.by.get(0).cpuUs / r.by.get(v).cpuUs);
    const addedP99 = median(rows.map((r) => r.by.get(v).p99 - r.by.get(0).p99));
    console.log(
      `| ${f} | ${variants[v]} | ${fmt(median(col(0, 'rps')))} | ${fmt(median(col(v, 'rps')))} | ${range(rows.map(ratio))} | ${perSet.join(', ')} | ${fmt(median(col(0, 'cpuUs')), 1)} / ${fmt(median(col(v, 'cpuUs')), 1)} | ${range(cpuRatios)} | ${median(col(0, 'p99'))} / ${median(col(v, 'p99'))} | ${addedP99} | ${fmt(100 * median(rows.map((r) => r.busy)))} % | ${fmt(100 * loadCpu)} % |`,
    );
  }
}
