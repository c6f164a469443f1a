import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ApiError,
  AuthenticationError,
  BadRequestError,
  ConnectionError,
  InvalidOptionsError,
  LobsterClient,
  LobsterError,
  NotFoundError,
  PermissionDeniedError,
  UnprocessableEntityError,
} from '../src/index.js';
import { removeTestDatabases, startServer, type TestServer } from './server.js';

/** Resolves with what the promise rejected with (fails the test if it resolved). */
async function rejection(promise: Promise<unknown>): Promise<LobsterError> {
  try {
    await promise;
  } catch (err) {
    return err as LobsterError;
  }
  throw new Error('expected a rejection');
}

describe('errors map to their classes with the server request id', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer();
  });
  afterAll(async () => {
    await server.close();
    removeTestDatabases();
  });

  it('401 from a bad key (LobsterCage envelope)', async () => {
    const err = await rejection(server.client({ apiKey: `lh_${'x'.repeat(32)}` }).whoami());
    expect(AuthenticationError.is(err)).toBe(true);
    expect(ApiError.is(err)).toBe(true);
    expect(LobsterError.is(err)).toBe(true);
    expect(NotFoundError.is(err)).toBe(false);
    expect(err).toMatchObject({ status: 401, code: 'UNAUTHORIZED', name: 'AuthenticationError' });
    expect(err.requestId).toMatch(/^req_/);
  });

  it('404 on both surfaces, with the request id of the response', async () => {
    // The injectable fetch lets the test see the response headers the client saw.
    const seen: (string | null)[] = [];
    const lobster = server.client({
      fetch: async (input, init) => {
        const res = await fetch(input, init);
        seen.push(res.headers.get('x-request-id'));
        return res;
      },
    });
    const missingKey = await rejection(lobster.apiKeys.get('nope'));
    expect(NotFoundError.is(missingKey)).toBe(true);
    expect(missingKey).toMatchObject({ status: 404, code: 'APIKEY_NOT_FOUND' });
    expect(missingKey.requestId).toBe(seen.at(-1));
    const missingTrap = await rejection(lobster.traps.get('nope'));
    expect(missingTrap).toMatchObject({ status: 404, code: 'TRAP_NOT_FOUND' });
    expect(missingTrap.message).toBe("Trap with id 'nope' not found");
    expect(missingTrap.requestId).toBe(seen.at(-1));
    expect(missingTrap.requestId).toMatch(/^req_/);
    expect(missingTrap.requestId).not.toBe(missingKey.requestId);
  });

  it('400 names the field; 403 names the scope; 422 for a reused Idempotency-Key', async () => {
    const lobster = server.client();
    const bad = await rejection(lobster.traps.create({ name: 'x', path: 'no-slash', type: 'api' }));
    expect(BadRequestError.is(bad)).toBe(true);
    expect(bad).toMatchObject({ status: 400, code: 'VALIDATION_ERROR' });
    expect(bad.message).toContain('path');

    const readOnly = (await lobster.apiKeys.create({ name: 'ro', scope: 'read-only' })).key;
    const denied = await rejection(server.client({ apiKey: readOnly }).apiKeys.list());
    expect(PermissionDeniedError.is(denied)).toBe(true);
    expect(denied).toMatchObject({ status: 403, code: 'FORBIDDEN' });

    await lobster.traps.create({ name: 'a', path: '/a', type: 'page' }, { idempotencyKey: 'same-key-1' });
    const reused = await rejection(
      lobster.traps.create({ name: 'b', path: '/b', type: 'page' }, { idempotencyKey: 'same-key-1' }),
    );
    expect(UnprocessableEntityError.is(reused)).toBe(true);
    expect(reused.code).toBe('IDEMPOTENCY_KEY_REUSED');
  });

  it('no server: a ConnectionError with status 0', async () => {
    const closed = await startServer();
    await closed.close();
    const err = await rejection(closed.client({ maxRetries: 0 }).whoami());
    expect(ConnectionError.is(err)).toBe(true);
    expect(ApiError.is(err)).toBe(false);
    expect(err).toMatchObject({ status: 0, code: 'CONNECTION_ERROR', requestId: null });
  });

  it('a brand, not instanceof: an error from another copy of the package is recognised', () => {
    const foreign = Object.create(null) as Record<symbol, unknown>;
    foreign[Symbol.for('lobster.client.error')] = ['NotFoundError', 'ApiError', 'LobsterError'];
    expect(NotFoundError.is(foreign)).toBe(true);
    expect(AuthenticationError.is(foreign)).toBe(false);
    expect(LobsterError.is(new Error('plain'))).toBe(false);
    expect(LobsterError.is(null)).toBe(false);
  });

  it('options are checked once, naming the option', () => {
    const base = { apiKey: 'lh_x', baseUrl: 'http://localhost:4000' };
    expect(() => new LobsterClient({ ...base, apiKey: '' })).toThrow(/apiKey/);
    expect(() => new LobsterClient({ ...base, baseUrl: 'localhost' })).toThrow(/baseUrl/);
    expect(() => new LobsterClient({ ...base, maxRetries: -1 })).toThrow(/maxRetries/);
    expect(() => new LobsterClient({ ...base, timeoutMs: 0 })).toThrow(/timeoutMs/);
    const unknown = () => new LobsterClient({ ...base, retries: 3 } as never);
    expect(unknown).toThrow(/unknown option "retries"/);
    try {
      unknown();
    } catch (err) {
      expect(InvalidOptionsError.is(err)).toBe(true);
    }
  });
});
