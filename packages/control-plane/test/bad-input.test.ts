import { request as httpRequest } from 'node:http';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { call, dropTestDatabases, startServer, type TestServer, targets } from './helpers.js';

afterAll(dropTestDatabases);

describe.each(targets)('bad input on $name', (target) => {
  let server: TestServer;
  beforeEach(async () => {
    server = await startServer({ databaseUrl: target.freshUrl() });
  });
  afterEach(() => server.close());

  const post = (body: unknown, headers: Record<string, string> = {}) =>
    call(`${server.url}/v1/apikeys`, { method: 'POST', key: server.adminKey, body, headers });
  const keyCount = async () => (await server.app.db.manager.query('SELECT count(*) AS n FROM api_keys'))[0].n;
  const eventCount = async () => (await server.app.db.manager.query('SELECT count(*) AS n FROM events'))[0].n;

  it.each([
    ['malformed JSON', '{"name": "x",', 'INVALID_JSON', /^Request body is not valid JSON: /],
    ['a JSON array', '[1,2]', 'VALIDATION_ERROR', /^body: Invalid input: expected object, received array$/],
    [
      'wrong types',
      { name: 42, scope: true },
      'VALIDATION_ERROR',
      /^name: .*expected string.*; scope: Invalid option/,
    ],
    [
      'an unknown field',
      { name: 'x', scope: 'admin', role: 'owner' },
      'VALIDATION_ERROR',
      /^role: unknown field$/,
    ],
    ['missing fields', {}, 'VALIDATION_ERROR', /^name: .*; scope: /],
    ['an empty body', '', 'VALIDATION_ERROR', /^name: .*; scope: /],
    ['a blank name', { name: '   ', scope: 'admin' }, 'VALIDATION_ERROR', /^name: Too small/],
    [
      'a bad expiresAt',
      { name: 'x', scope: 'admin', expiresAt: 'tomorrow' },
      'VALIDATION_ERROR',
      /^expiresAt: Invalid ISO datetime$/,
    ],
  ])('rejects %s with 400 naming the problem and writes nothing', async (_label, body, code, message) => {
    const [keys, events] = [await keyCount(), await eventCount()];
    const res = await post(body);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe(code);
    expect(res.body.error.message).toMatch(message);
    expect([await keyCount(), await eventCount()]).toEqual([keys, events]);
  });

  it('rejects a non-JSON content type with 415', async () => {
    const res = await post('name=x&scope=admin', { 'Content-Type': 'application/x-www-form-urlencoded' });
    expect(res.status).toBe(415);
    expect(res.body.error).toEqual({
      code: 'UNSUPPORTED_MEDIA_TYPE',
      message: 'Content-Type must be application/json, got "application/x-www-form-urlencoded"',
    });
  });

  it('rejects a 2 MiB body with 413 before storing anything', async () => {
    const keys = await keyCount();
    const res = await post({ name: 'x'.repeat(2 * 1024 * 1024), scope: 'admin' });
    expect(res.status).toBe(413);
    expect(res.body.error).toEqual({
      code: 'PAYLOAD_TOO_LARGE',
      message: 'Request body exceeds the limit of 1048576 bytes',
    });
    expect(await keyCount()).toBe(keys);
  });

  it('cuts off a chunked body without Content-Length as soon as it passes the cap', async () => {
    const { status, body } = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = httpRequest(
        `${server.url}/v1/apikeys`,
        {
          method: 'POST',
          headers: { Authorization: `Bearer ${server.adminKey}`, 'Content-Type': 'application/json' },
        },
        (res) => {
          let text = '';
          res.on('data', (c) => {
            text += c;
          });
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
        },
      );
      req.on('error', reject);
      const chunk = 'x'.repeat(64 * 1024);
      req.write('{"name":"');
      for (let i = 0; i < 32; i++) req.write(chunk);
      req.end('","scope":"admin"}');
    });
    expect(status).toBe(413);
    expect(JSON.parse(body).error.code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('rejects bad query parameters by name', async () => {
    const res = await call(`${server.url}/v1/apikeys?limit=1000&color=red`, { key: server.adminKey });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toMatch(
      /limit: Too big.*; color: unknown field|color: unknown field.*limit: Too big/,
    );
  });

  it('answers unknown routes with 404 and wrong methods with 405, in the surface envelope', async () => {
    const missing = await call(`${server.url}/v1/nothing`, { key: server.adminKey });
    expect(missing.status).toBe(404);
    expect(missing.body).toEqual({ error: { code: 'NOT_FOUND', message: 'No route for GET /v1/nothing' } });
    const honey = await call(`${server.url}/dashboard/api/nothing`, { key: server.adminKey });
    expect(honey.status).toBe(404);
    expect(honey.body).toEqual({
      success: false,
      error: 'No route for GET /dashboard/api/nothing',
      code: 'NOT_FOUND',
    });
    const wrong = await call(`${server.url}/v1/apikeys`, { method: 'PUT', key: server.adminKey });
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get('allow')).toBe('HEAD, GET, POST');
    expect(wrong.body.error.code).toBe('METHOD_NOT_ALLOWED');
    const top = await call(`${server.url}/nowhere`);
    expect(top.status).toBe(404);
    expect(top.body.error.code).toBe('NOT_FOUND');
    for (const res of [missing, honey, wrong, top]) expect(res.headers.get('x-request-id')).toMatch(/^req_/);
  });
});
