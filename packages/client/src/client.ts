import { InvalidOptionsError } from './errors.js';
import { type FetchLike, HttpClient, type RequestOptions } from './http.js';
import { Alerts } from './resources/alerts.js';
import { Analytics } from './resources/analytics.js';
import { ApiKeys } from './resources/api-keys.js';
import { Events } from './resources/events.js';
import { Sessions } from './resources/sessions.js';
import { Traps } from './resources/traps.js';
import type { Whoami } from './types.js';

export interface LobsterClientOptions {
  /** `lh_…`. The library never reads the environment: pass `process.env.LOBSTER_API_KEY` yourself. */
  apiKey: string;
  /** The control plane, e.g. `http://localhost:4000`. */
  baseUrl: string;
  /** Default: the global `fetch`. */
  fetch?: FetchLike;
  /** Per attempt, in ms (default 30000). */
  timeoutMs?: number;
  /** Retries after a 429, a 5xx or a connection failure (default 2). */
  maxRetries?: number;
}

const KNOWN_OPTIONS = new Set(['apiKey', 'baseUrl', 'fetch', 'timeoutMs', 'maxRetries']);

function validate(options: LobsterClientOptions): Required<LobsterClientOptions> {
  if (typeof options !== 'object' || options === null)
    throw new InvalidOptionsError('options must be an object');
  for (const name of Object.keys(options)) {
    if (!KNOWN_OPTIONS.has(name)) throw new InvalidOptionsError(`unknown option "${name}"`);
  }
  const resolved = { fetch: globalThis.fetch, timeoutMs: 30_000, maxRetries: 2, ...options };
  if (typeof resolved.apiKey !== 'string' || resolved.apiKey.trim() === '')
    throw new InvalidOptionsError('apiKey must be a non-empty string');
  let url: URL;
  try {
    url = new URL(resolved.baseUrl);
  } catch {
    throw new InvalidOptionsError(
      `baseUrl must be an absolute http(s) URL, got "${String(resolved.baseUrl)}"`,
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new InvalidOptionsError(`baseUrl must be an http(s) URL, got "${resolved.baseUrl}"`);
  if (typeof resolved.fetch !== 'function') throw new InvalidOptionsError('fetch must be a function');
  if (!(typeof resolved.timeoutMs === 'number' && resolved.timeoutMs > 0))
    throw new InvalidOptionsError('timeoutMs must be a number > 0');
  if (!Number.isInteger(resolved.maxRetries) || resolved.maxRetries < 0)
    throw new InvalidOptionsError('maxRetries must be an integer ≥ 0');
  return resolved;
}

/**
 * The typed client for the LobsterHoney API (traps, sessions, analytics, alerts, events) and API keys.
 * @example
 * const lobster = new LobsterClient({ apiKey: process.env.LOBSTER_API_KEY!, baseUrl: 'http://localhost:4000' });
 * for await (const trap of lobster.traps.list()) console.log(trap.path);
 */
export class LobsterClient {
  readonly apiKeys: ApiKeys;
  readonly traps: Traps;
  readonly sessions: Sessions;
  readonly analytics: Analytics;
  readonly alerts: Alerts;
  readonly events: Events;
  readonly baseUrl: string;
  private readonly http: HttpClient;

  constructor(options: LobsterClientOptions) {
    const resolved = validate(options);
    this.baseUrl = resolved.baseUrl;
    this.http = new HttpClient(resolved);
    this.apiKeys = new ApiKeys(this.http);
    this.traps = new Traps(this.http);
    this.sessions = new Sessions(this.http);
    this.analytics = new Analytics(this.http);
    this.alerts = new Alerts(this.http);
    this.events = new Events(this.http);
  }

  /** The org and scope of the key in use (`GET /v1/whoami`); any valid key may ask. */
  whoami(options?: RequestOptions): Promise<Whoami> {
    return this.http.request({ method: 'GET', path: '/v1/whoami' }, options);
  }
}
