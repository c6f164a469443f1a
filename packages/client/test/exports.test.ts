import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import pkg from '../package.json' with { type: 'json' };

/** The built package as a user gets it: both module formats, and the bin. */
describe('@lobster/client entry points', () => {
  it('exports the same surface from ESM and CJS', async () => {
    const esm = await import('@lobster/client');
    const cjs = createRequire(import.meta.url)('@lobster/client');
    expect(Object.keys(esm).sort()).toEqual(['VERSION']);
    expect(Object.keys(cjs).sort()).toEqual(Object.keys(esm).sort());
    expect(esm.VERSION).toBe(pkg.version);
    expect(cjs.VERSION).toBe(pkg.version);
  });

  it('ships the lobster bin', () => {
    const bin = new URL('../dist/cli/main.js', import.meta.url).pathname;
    expect(execFileSync(process.execPath, [bin], { encoding: 'utf8' })).toBe(`lobster ${pkg.version}\n`);
  });
});
