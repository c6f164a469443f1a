// Helpers for benchmarks under valgrind's callgrind: counting the instructions of one stretch of a running
// process (`countWhile`), and self instructions per function from a callgrind output file, with V8's JIT
// code named through the perf map that `node --perf-basic-prof` writes (/tmp/perf-<pid>.map): callgrind
// alone knows compiled JavaScript only by address. Inlined functions count towards the compiled function
// they were inlined into.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/**
 * The instructions callgrind counts in process `pid` (started with `--callgrind-out-file=<out>`) while
 * `work()` runs: counters zeroed before it, dumped after it. Returns their total and the dump's file.
 */
export async function countWhile(pid, out, work) {
  execFileSync('callgrind_control', ['--zero', String(pid)], { stdio: 'ignore' });
  await work();
  execFileSync('callgrind_control', ['--dump', String(pid)], { stdio: 'ignore' });
  const file = join(
    dirname(out),
    readdirSync(dirname(out)).find((f) => f.startsWith(`${basename(out)}.`)),
  );
  return { total: Number(/^(?:summary|totals): (\d+)/m.exec(readFileSync(file, 'utf8'))[1]), file };
}

/** Code ranges of the perf map, later entries winning (V8 reuses addresses after code is collected). */
function readPerfMap(path) {
  const byStart = new Map();
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    const [start, size, ...name] = line.split(' ');
    if (name.length > 0) byStart.set(Number.parseInt(start, 16), [Number.parseInt(size, 16), name.join(' ')]);
  }
  const starts = [...byStart.keys()].sort((a, b) => a - b);
  return (address) => {
    let lo = 0;
    let hi = starts.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (starts[mid] <= address) lo = mid + 1;
      else hi = mid - 1;
    }
    for (let i = hi; i >= 0 && address - starts[i] < 1 << 20; i--) {
      const [size, name] = byStart.get(starts[i]);
      if (address < starts[i] + size) return name;
    }
    return 'unknown JIT code';
  };
}

/** Map of function name → self instructions, divided by `requests`. */
export function selfCostByFunction(callgrindFile, perfMapFile, requests) {
  const nameOf = readPerfMap(perfMapFile);
  const names = new Map();
  const cost = new Map();
  let current = null;
  let skipNext = false;
  for (const line of readFileSync(callgrindFile, 'utf8').split('\n')) {
    const fn = /^(c?fn)=\((\d+)\)(?: (.*))?$/.exec(line);
    if (fn) {
      if (fn[3]) names.set(fn[2], fn[3]);
      if (fn[1] === 'fn') current = fn[2];
      continue;
    }
    if (line.startsWith('calls=')) {
      skipNext = true; // the next cost line is the callee's inclusive cost, not this function's own
      continue;
    }
    if (!/^[\d+\-*]/.test(line)) continue;
    if (skipNext) {
      skipNext = false;
      continue;
    }
    const [, ir] = line.split(' ');
    if (current !== null && ir) cost.set(current, (cost.get(current) ?? 0) + Number(ir));
  }
  const out = new Map();
  for (const [id, ir] of cost) {
    let name = names.get(id) ?? '?';
    if (name.startsWith('0x')) name = nameOf(Number.parseInt(name.split("'")[0], 16));
    out.set(name, (out.get(name) ?? 0) + ir / requests);
  }
  return out;
}

/** The functions whose self cost differs most between two runs, as markdown table rows. */
export function costDifferences(before, after, rows = 25) {
  const names = new Set([...before.keys(), ...after.keys()]);
  return [...names]
    .map((name) => [name, (after.get(name) ?? 0) - (before.get(name) ?? 0)])
    .sort((a, b) => b[1] - a[1])
    .slice(0, rows)
    .map(([name, d]) => `| ${shortName(name)} | ${Math.round(d)} |`);
}

/** A function name without the checkout's absolute path, fit for a table cell. */
function shortName(name) {
  return name
    .replace(/(file:\/\/)?\/\S*?\/(node_modules|packages)\//, '$2/')
    .replace(/\|/g, '\\|')
    .slice(0, 110);
}
