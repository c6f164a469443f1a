// honey-middleware cost in CPU instructions per request, counted by valgrind's callgrind: unlike req/s and
// CPU time on this shared 2-core machine, the count hardly depends on what else runs (`/` within 1 % from
// run to run; a 20 KB page within a few %, as garbage collection falls differently).
// It counts the server process's own instructions (JavaScript, V8, libuv, every thread), not the kernel's
// work in system calls, so it is the part of a request's cost the middleware can change.
// Each variant: the bench server (bench/honey-server.mjs) under callgrind, `warm` sequential keep-alive
// requests (V8 optimises), counters zeroed with callgrind_control, `n` requests counted. The warm-up must
// be long: after 1,000 requests much of the request path still ran in V8's baseline tiers (Koa's hello
// world counted 500k instructions a request, against 80k from 8,000 requests on); 12,000 is where the
// counts stop falling.
// Needs valgrind (apt-get install valgrind). About four minutes per row.
// Run: npm run build -w @lobster/honey-middleware && node bench/honey-instructions.mjs [warm] [n] [frameworks]
// BENCH_BY_FUNCTION=1 also prints, per framework, the functions whose own instructions on `/` grow most
// with the middleware: the server runs with --perf-basic-prof so that JIT code can be named
// (bench/callgrind-jit.mjs).
import { fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { costDifferences, countWhile, selfCostByFunction } from './callgrind-jit.mjs';
import { fmt } from './lib.mjs';

const warm = Number(process.argv[2] ?? 12_000);
const n = Number(process.argv[3] ?? 4000);
const frameworks = (process.argv[4] ?? 'express,koa,fastify').split(',');
const dir = mkdtempSync(join(tmpdir(), 'lobster-callgrind-'));
const byFunction = process.env.BENCH_BY_FUNCTION === '1';
/** Self instructions per function of the `/` runs, by framework and variant, when `byFunction`. */
const profiles = new Map();

/** Instructions per request of `path` on one server variant, in steady state. */
async function instructions(framework, honey, path) {
  const out = join(dir, `${framework}-${honey}-${path.replace(/\W/g, '_')}.out`);
  const child = fork(new URL('./honey-server.mjs', import.meta.url), [], {
    execPath: 'valgrind',
    execArgv: [
      '--tool=callgrind',
      '-q',
      '--smc-check=all-non-file',
      `--callgrind-out-file=${out}`,
      process.execPath,
      ...(byFunction ? ['--perf-basic-prof'] : []),
    ],
    env: { ...process.env, BENCH_FRAMEWORK: framework, BENCH_HONEY: honey },
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  const { url } = await new Promise((resolve) => child.once('message', resolve));
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const run = async (count) => {
    for (let i = 0; i < count; i++) {
      await new Promise((resolve, reject) => {
        http
          .get(url + path, { agent }, (res) => {
            if (res.statusCode !== 200) reject(new Error(`${path}: ${res.statusCode}`));
            res.resume();
            res.on('end', resolve);
          })
          .on('error', reject);
      });
    }
  };
  await run(warm);
  const counted = await countWhile(child.pid, out, () => run(n));
  agent.destroy();
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.disconnect();
  await exited;
  if (byFunction && path === '/') {
    const map = `/tmp/perf-${child.pid}.map`;
    profiles.set(`${framework} ${honey}`, selfCostByFunction(counted.file, map, n));
    rmSync(map, { force: true });
  }
  return counted.total / n;
}

/** Runs jobs two at a time (one per core); each is single-threaded under valgrind. */
async function pooled(jobs) {
  const results = new Array(jobs.length);
  let next = 0;
  const worker = async () => {
    while (next < jobs.length) {
      const i = next++;
      results[i] = await jobs[i]();
    }
  };
  await Promise.all([worker(), worker()]);
  return results;
}

console.log(
  `Node ${process.version}; callgrind; ${fmt(warm)} warm-up requests, then ${fmt(n)} counted, sequential on one keep-alive connection`,
);
console.log(
  '\n| framework | bare `/` | with lobsterHoney() `/` | ratio | `/page` tripwires off | `/page` tripwires on | ratio | trap `/.env` |',
);
console.log('|---|---:|---:|---:|---:|---:|---:|---:|');
for (const f of frameworks) {
  const [bare, honey, pageOff, pageOn, trap] = await pooled([
    () => instructions(f, 'off', '/'),
    () => instructions(f, 'on', '/'),
    () => instructions(f, 'no-tripwires', '/page'),
    () => instructions(f, 'on', '/page'),
    () => instructions(f, 'on', '/.env'),
  ]);
  const k = (x) => `${fmt(x / 1000)}k`;
  console.log(
    `| ${f} | ${k(bare)} | ${k(honey)} | ${fmt(bare / honey, 3)} | ${k(pageOff)} | ${k(pageOn)} | ${fmt(pageOff / pageOn, 3)} | ${k(trap)} |`,
  );
}
for (const f of byFunction ? frameworks : []) {
  console.log(`\n${f}, \`/\`: own instructions per request, with lobsterHoney() minus bare (top 25)\n`);
  console.log('| function | added |\n|---|---:|');
  for (const row of costDifferences(profiles.get(`${f} off`), profiles.get(`${f} on`))) console.log(row);
}
