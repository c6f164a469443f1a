import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import pkg from '../package.json' with { type: 'json' };

/** The public surface, pinned: adding or removing an export is a deliberate change to this list. */
const EXPORTS = [
  'ApiError',
  'AuthenticationError',
  'BadRequestError',
  'ConflictError',
  'ConnectionError',
  'InternalServerError',
  'InvalidOptionsError',
  'LobsterClient',
  'LobsterError',
  'NotFoundError',
  'PermissionDeniedError',
  'RateLimitError',
  'TimeoutError',
  'UnprocessableEntityError',
  'VERSION',
];

/** The CLI's commands, as `lobster --help` lists them. */
const CLI_COMMANDS = [
  'login',
  'whoami',
  'analytics',
  'apikeys list',
  'apikeys create',
  'apikeys revoke',
  'traps list',
  'traps create',
  'traps show',
  'traps enable',
  'traps disable',
  'traps delete',
  'sessions list',
  'sessions show',
  'events list',
  'events tail',
  'alerts list',
  'alerts create',
  'alerts show',
  'alerts enable',
  'alerts disable',
  'alerts delete',
  'alerts test',
];

/** The built package as a user gets it: both module formats, and the bin. */
describe('@lobster/client entry points', () => {
  it('exports the same surface from ESM and CJS', async () => {
    const esm = await import('@lobster/client');
    const cjs = createRequire(import.meta.url)('@lobster/client');
    expect(Object.keys(esm).sort()).toEqual(EXPORTS);
    expect(Object.keys(cjs).sort()).toEqual(EXPORTS);
    expect(esm.VERSION).toBe(pkg.version);
    expect(cjs.VERSION).toBe(pkg.version);
  });

  it('errors from the ESM and the CJS build recognise each other by brand', async () => {
    const esm = await import('@lobster/client');
    const cjs = createRequire(import.meta.url)('@lobster/client');
    const fromCjs = new cjs.NotFoundError({ status: 404, code: 'TRAP_NOT_FOUND', message: 'gone' });
    expect(fromCjs instanceof esm.NotFoundError).toBe(false);
    expect(esm.NotFoundError.is(fromCjs)).toBe(true);
    expect(esm.ApiError.is(fromCjs)).toBe(true);
    expect(esm.AuthenticationError.is(fromCjs)).toBe(false);
  });

  it('ships the lobster bin with its commands', () => {
    const bin = new URL(`../${pkg.bin.lobster}`, import.meta.url).pathname;
    const version = execFileSync(process.execPath, [bin, '--version'], { encoding: 'utf8' });
    expect(version).toBe(`lobster ${pkg.version}\n`);
    const help = execFileSync(process.execPath, [bin, '--help'], { encoding: 'utf8' });
    const commands = [...help.matchAll(/^ {2}(\S+(?: [a-z]+)?) {2,}/gm)].map((m) => m[1]);
    expect(commands).toEqual(CLI_COMMANDS);
  });
});
