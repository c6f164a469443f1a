// What authentication plus rate limiting cost, on SQLite, against the unauthenticated /healthz baseline:
// GET /v1/whoami is authentication + rate limiting and nothing else; GET /v1/apikeys adds one SQLite
// query. The three alternate, round by round, so drift affects all alike.
// Run: npm run build && node bench/auth-overhead.mjs [seconds-per-run] [rounds]
import os from 'node:os';
import { fmt, load, startControlPlane } from './lib.mjs';

const seconds = Number(process.argv[2] ?? 10);
const rounds = Number(process.argv[3] ?? 3);
const server = await startControlPlane();
const auth = { Authorization: `Bearer ${server.apiKey}` };

await load({ url: `${server.url}/healthz`, seconds: 2 }); // warm-up
await load({ url: `${server.url}/v1/apikeys`, headers: auth, seconds: 2 });

const runs = { baseline: [], whoami: [], list: [] };
for (let i = 0; i < rounds; i++) {
  runs.baseline.push(await load({ url: `${server.url}/healthz`, seconds }));
  runs.whoami.push(await load({ url: `${server.url}/v1/whoami`, headers: auth, seconds }));
  runs.list.push(await load({ url: `${server.url}/v1/apikeys`, headers: auth, seconds }));
}
server.stop();

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const summary = (rs) => ({
  rps: median(rs.map((r) => r.rps)),
  p50: median(rs.map((r) => r.p50)),
  p99: median(rs.map((r) => r.p99)),
});
const base = summary(runs.baseline);
const whoami = summary(runs.whoami);
const list = summary(runs.list);
const ratio = whoami.rps / base.rps;

console.log(
  `Node ${process.version}, ${os.cpus().length} × ${os.cpus()[0]?.model}, ${rounds} rounds × ${seconds} s, 20 connections, SQLite`,
);
console.log('');
console.log('| endpoint | requests/s (median) | p50 ms | p99 ms |');
console.log('|---|---:|---:|---:|');
console.log(`| \`GET /healthz\` (no auth, baseline) | ${fmt(base.rps)} | ${base.p50} | ${base.p99} |`);
console.log(
  `| \`GET /v1/whoami\` (API key + rate limit) | ${fmt(whoami.rps)} | ${whoami.p50} | ${whoami.p99} |`,
);
console.log(
  `| \`GET /v1/apikeys\` (API key + rate limit + one SQLite query) | ${fmt(list.rps)} | ${list.p50} | ${list.p99} |`,
);
console.log('');
console.log(`auth + rate limit: ${fmt(ratio * 100, 1)} % of baseline throughput (target ≥ 85 %)`);
console.log(`apikeys list: ${fmt((list.rps / base.rps) * 100, 1)} % of baseline throughput`);
