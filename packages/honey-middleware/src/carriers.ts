import { type CanaryMatch, matchAnyCanary, matchPrefixedCanary } from './canaries.js';
import type { CanaryCarrier } from './hits.js';
import { firstValue, type HoneyRequest } from './request.js';
import type { TokenCodec } from './tokens.js';

/** A canary found in a request, with the place it was carried in. */
export interface FoundCanary {
  match: CanaryMatch;
  carrier: CanaryCarrier;
}

function basic(codec: TokenCodec, encoded: string): CanaryMatch | null {
  if (encoded.length > 1024) return null;
  const plain = Buffer.from(encoded, 'base64').toString('utf8');
  const colon = plain.indexOf(':');
  if (colon < 0) return null;
  return matchAnyCanary(codec, plain.slice(colon + 1)) ?? matchPrefixedCanary(codec, plain.slice(0, colon));
}

/**
 * Looks for a returning canary where credentials travel: `Authorization` (Bearer, token, Basic, AWS
 * SigV4), `X-Api-Key`, and `api_key`/`key` query parameters. On an ordinary request this is a few
 * `startsWith` checks: a JWT or session token of the app's real users never reaches an HMAC.
 */
export function scanCarriers(codec: TokenCodec, req: HoneyRequest, query: string): FoundCanary | null {
  // Named reads (`headers.authorization`), not `header(headers, name)`: every request runs them, and a
  // keyed read of a header object (each request's has a shape of its own) costs V8's slowest lookup.
  const headers = req.headers;
  const auth = firstValue(headers.authorization);
  if (auth) {
    const space = auth.indexOf(' ');
    const scheme = space > 0 ? auth.slice(0, space).toLowerCase() : '';
    const value = auth.slice(space + 1).trim();
    if (scheme === 'bearer' || scheme === 'token') {
      const m = matchPrefixedCanary(codec, value);
      if (m) return { match: m, carrier: 'authorization-bearer' };
    } else if (scheme === 'basic') {
      const m = basic(codec, value);
      if (m) return { match: m, carrier: 'authorization-basic' };
    } else if (scheme === 'aws4-hmac-sha256') {
      const at = value.indexOf('Credential=');
      const m = at < 0 ? null : matchPrefixedCanary(codec, value.slice(at + 11, at + 31));
      if (m) return { match: m, carrier: 'authorization-aws' };
    }
  }
  const apiKey = firstValue(headers['x-api-key']);
  if (apiKey && apiKey.length <= 1024) {
    const m = matchAnyCanary(codec, apiKey.trim());
    if (m) return { match: m, carrier: 'x-api-key' };
  }
  // Only parse the query when a key parameter can be in it.
  if (query.length > 0 && query.length <= 8192 && query.includes('key=')) {
    const params = new URLSearchParams(query);
    for (const name of ['api_key', 'key']) {
      const v = params.get(name);
      const m = v ? matchAnyCanary(codec, v) : null;
      if (m) return { match: m, carrier: 'query' };
    }
  }
  return null;
}

/** Looks for a canary among the string fields of a login body (username, password, or any other). */
export function scanFields(codec: TokenCodec, fields: Record<string, unknown>): FoundCanary | null {
  let n = 0;
  for (const value of Object.values(fields)) {
    if (++n > 32) break;
    if (typeof value !== 'string' || value.length > 1024) continue;
    const m = matchAnyCanary(codec, value.trim());
    if (m) return { match: m, carrier: 'login-body' };
  }
  return null;
}
