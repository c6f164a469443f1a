// CPU instructions per trap answer of the engine alone (`engine.handle`, no HTTP, no framework, reporter
// off), counted by valgrind's callgrind: on a shared machine whose timings move by a fifth from round to
// round, the count moves by about 1 %. Each path: a child process under callgrind answers `warm` requests
// (V8 optimises), callgrind's counters are zeroed, `n` answers are counted.
// Run: npm run build -w @lobster/honey-middleware && node bench/honey-engine-instructions.mjs [paths] [module]
// `module` (default: the built package) is the file `createHoneyEngine` is imported from, so two builds
// can be compared: copy one build's `dist/` under node_modules/ (where it resolves its dependencies) and
// pass its index.js. BENCH_UA sets the User-Agent (default: GPTBot's).
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { countWhile } from './callgrind-jit.mjs';
import { USER_AGENT } from './honey-engine.mjs';
import { fmt } from './lib.mjs';

const paths = (process.argv[2] ?? '/.env,/robots.txt,/api/v1/config').split(',');
const module = process.argv[3] ?? fileURLToPath(import.meta.resolve('@lobster/honey-middleware'));
const userAgent = process.env.BENCH_UA ?? USER_AGENT;
const warm = 6000;
const n = 3000;
const dir = mkdtempSync(join(tmpdir(), 'lobster-engine-callgrind-'));

const child = join(dir, 'answer.mjs');
writeFileSync(
  child,
  `const { createHoneyEngine } = await import(${JSON.stringify(module)});
const { trapRequest } = await import(${JSON.stringify(import.meta.resolve('./honey-engine.mjs'))});
const engine = createHoneyEngine({ secret: 'bench-secret-0123456789abcdef0123' });
const request = trapRequest(process.argv[2], ${JSON.stringify(userAgent)});
const answer = async (count) => {
  for (let i = 0; i < count; i++) if ((await engine.handle(request)).action !== 'respond') throw new Error('not a trap');
};
const step = () => new Promise((r) => process.stdin.once('data', r));
await answer(${warm});
process.stdout.write('warm\\n');
await step();
await answer(${n});
process.stdout.write('counted\\n');
await step();
process.exit(0);
`,
);

/** Resolves once the child has printed `word`. */
function printed(proc, word) {
  return new Promise((resolve, reject) => {
    let seen = '';
    const onData = (d) => {
      seen += d;
      if (seen.includes(word)) {
        proc.stdout.off('data', onData);
        resolve();
      }
    };
    proc.stdout.on('data', onData);
    proc.once('exit', (code) => reject(new Error(`callgrind child exited with ${code}`)));
  });
}

async function instructions(path) {
  const out = join(dir, `${path.replace(/\W/g, '_')}.out`);
  const proc = spawn(
    'valgrind',
    [
      '--tool=callgrind',
      '-q',
      '--smc-check=all-non-file',
      `--callgrind-out-file=${out}`,
      'node',
      child,
      path,
    ],
    { stdio: ['pipe', 'pipe', 'inherit'] },
  );
  await printed(proc, 'warm');
  const counted = await countWhile(proc.pid, out, async () => {
    proc.stdin.write('go\n');
    await printed(proc, 'counted');
  });
  proc.stdin.write('exit\n');
  await new Promise((r) => proc.once('exit', r));
  return counted.total / n;
}

console.log(
  `engine only, callgrind, ${fmt(warm)} warm-up answers then ${fmt(n)} counted; User-Agent ${userAgent}; module ${module}\n`,
);
console.log('| trap (GET, reporter off) | instructions per answer |');
console.log('|---|---:|');
for (const path of paths) console.log(`| \`${path}\` | ${fmt(await instructions(path))} |`);
rmSync(dir, { recursive: true, force: true });
