// Trap answers per second of the engine alone, on one core: `engine.handle` of each default GET trap in
// a loop, in this process pinned (every thread) to one CPU with taskset. The reporter is on and sends its
// batches to a receiver in this process that answers 202, so each answer pays for its hit being recorded,
// serialised and sent. The loop waits for each batch to go out, so the figure is CPU time (user + system,
// all threads) per answer rather than wall-clock time. No HTTP server and no framework: this is the part
// of a trap's cost the middleware owns; bench/honey.mjs measures whole HTTP trap responses through each
// framework.
// Run: npm run build -w @lobster/honey-middleware && node bench/honey-engine.mjs [answers-per-round] [rounds]
import { createServer } from 'node:http';
import { fmt, median, pinToCpu } from './lib.mjs';

const PATHS = ['/.env', '/robots.txt', '/api/v1/config', '/wp-config.php', '/.git/config', '/admin/login'];
export const USER_AGENT = 'Mozilla/5.0 (compatible; GPTBot/1.2; +https://openai.com/gptbot)';

/** The engine's view of a visitor's GET of `path`, as an adapter builds it. */
export const trapRequest = (path, userAgent = USER_AGENT) => ({
  method: 'GET',
  url: path,
  headers: { host: 'shop.example', 'user-agent': userAgent, accept: '*/*' },
  remoteAddress: '203.0.113.7',
});

/** Median µs per trap answer for each path, and the answers per second that makes. */
export async function engineTrapCost(n = 20_000, rounds = 7) {
  pinToCpu(0);
  const { createHoneyEngine } = await import('@lobster/honey-middleware');
  const receiver = createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(202, { 'content-type': 'application/json' }).end('{"accepted":0}'));
  });
  await new Promise((r) => receiver.listen(0, '127.0.0.1', r));
  const engine = createHoneyEngine({
    apiKey: 'lh_bench_0123456789abcdef',
    endpoint: `http://127.0.0.1:${receiver.address().port}`,
    syncTraps: false,
  });
  const rows = [];
  for (const path of PATHS) {
    const request = trapRequest(path);
    const times = [];
    for (let round = -1; round < rounds; round++) {
      const cpu0 = process.cpuUsage();
      for (let i = 0; i < n; i++) {
        const v = await engine.handle(request);
        if (v.action !== 'respond' || v.status !== 200) throw new Error(`${path} answered ${v.status}`);
        // After each batch's worth of answers, let the event loop run until the reporter has sent it.
        if (i % 100 === 99)
          while (engine.stats().reporter.queued > 0) await new Promise((r) => setTimeout(r, 1));
      }
      const cpu = process.cpuUsage(cpu0);
      if (round >= 0) times.push((cpu.user + cpu.system) / n); // round -1 warms up
    }
    rows.push({ path, us: median(times), min: Math.min(...times), max: Math.max(...times) });
  }
  const stats = engine.stats().reporter;
  await engine.close();
  receiver.close();
  if (stats && stats.dropped + stats.failures > 0)
    throw new Error(`reporter dropped or failed: ${JSON.stringify(stats)}`);
  return rows;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const rows = await engineTrapCost(Number(process.argv[2] ?? 20_000), Number(process.argv[3] ?? 7));
  console.log('| trap (GET, reporter on) | CPU µs per answer, median (range) | answers/s on one core |');
  console.log('|---|---:|---:|');
  for (const r of rows)
    console.log(
      `| \`${r.path}\` | ${fmt(r.us, 1)} (${fmt(r.min, 1)}–${fmt(r.max, 1)}) | ${fmt(1e6 / r.us)} |`,
    );
}
