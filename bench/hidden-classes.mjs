// Hidden classes (V8 maps) built per request in steady state: why every read of an Express request or
// response is slow, and a middleware's work on them with it (issue 3, the Express throughput ratio).
// Each variant is a server in a child process under `node --log-maps`, answering `n` sequential
// keep-alive requests from a client in the same process; the maps V8 logs in a run of `many` requests
// minus those of a run of `few`, divided by the difference, is what one request builds once the code is
// warm. With `--log-ic` the same runs count the property accesses that missed V8's inline caches and
// went to its runtime (each a lookup along the prototype chain): what a map of its own per request costs
// every read and write of the object. Variants:
//   node             a bare Node http server;
//   node-prototype   the same, after doing to each request and response what Express does: set their
//                    prototype (Object.setPrototypeOf) and add a few properties;
//   express          a bare Express 5 hello world;
//   express-honey    the same with app.use(lobsterHoney());
//   express-listener the same app wrapped with withLobsterHoney() instead.
// Run: npm run build -w @lobster/honey-middleware && node bench/hidden-classes.mjs [few] [many]
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { Agent, createServer, get, IncomingMessage, ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const VARIANTS = ['node', 'node-prototype', 'express', 'express-honey', 'express-listener'];
const OPTIONS = { secret: 'hidden-classes-benchmark-secret', syncTraps: false };

async function app(variant) {
  if (variant.startsWith('express')) {
    const { default: express } = await import('express');
    const a = express();
    if (variant === 'express-honey') {
      const { lobsterHoney } = await import('@lobster/honey-middleware/express');
      a.use(lobsterHoney(OPTIONS));
    }
    a.get('/', (_req, res) => res.type('text').send('hello world'));
    if (variant !== 'express-listener') return a;
    const { withLobsterHoney } = await import('@lobster/honey-middleware/node');
    return withLobsterHoney(a, OPTIONS);
  }
  const requestProto = Object.create(IncomingMessage.prototype);
  const responseProto = Object.create(ServerResponse.prototype);
  return (req, res) => {
    if (variant === 'node-prototype') {
      Object.setPrototypeOf(req, requestProto);
      Object.setPrototypeOf(res, responseProto);
      req.res = res;
      req.next = null;
      req.baseUrl = '';
      res.locals = Object.create(null);
    }
    res.setHeader('content-type', 'text/plain');
    res.end('hello world');
  };
}

/** Child: serves `n` requests of its own client, then exits (V8 writes the log on exit). */
async function child(variant, n) {
  const server = createServer(await app(variant));
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  for (let i = 0; i < n; i++) {
    await new Promise((resolve, reject) =>
      get({ host: '127.0.0.1', port, path: '/', agent }, (res) => {
        res.resume();
        res.on('end', resolve);
      }).on('error', reject),
    );
  }
  process.exit(0);
}

const IC_MISS = /^(Keyed)?(Load|Store)IC,/;

/** Maps built and inline-cache misses V8 logged while a child of `variant` served `n` requests. */
function logged(dir, variant, n) {
  const log = join(dir, `${variant}-${n}.log`);
  execFileSync(
    process.execPath,
    [
      '--log-maps',
      '--log-ic',
      `--logfile=${log}`,
      '--no-logfile-per-isolate',
      fileURLToPath(import.meta.url),
      'child',
      variant,
      String(n),
    ],
    { stdio: ['ignore', 'ignore', 'inherit'] },
  );
  const lines = readFileSync(log, 'utf8').split('\n');
  return {
    maps: lines.filter((line) => line.startsWith('map,')).length,
    misses: lines.filter((line) => IC_MISS.test(line)).length,
  };
}

if (process.argv[2] === 'child') {
  await child(process.argv[3], Number(process.argv[4]));
} else {
  const few = Number(process.argv[2] ?? 1000);
  const many = Number(process.argv[3] ?? 3000);
  const dir = mkdtempSync(join(tmpdir(), 'lobster-maps-'));
  console.log(`Node ${process.version}; maps logged by --log-maps, runs of ${few} and ${many} requests\n`);
  console.log('| server | maps built per request | inline-cache misses per request |\n|---|---:|---:|');
  try {
    for (const v of VARIANTS) {
      const [a, b] = [logged(dir, v, few), logged(dir, v, many)];
      const per = (key) => ((b[key] - a[key]) / (many - few)).toFixed(1);
      console.log(`| ${v} | ${per('maps')} | ${per('misses')} |`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
