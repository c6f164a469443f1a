import { randomUUID } from 'node:crypto';
import {
  ConnectionError,
  errorFromResponse,
  InvalidOptionsError,
  type LobsterError,
  TimeoutError,
} from './errors.js';
import { VERSION } from './version.js';

export type FetchLike = (input: string | URL, init?: RequestInit) => Promise<Response>;

/** Per call: the caller's own abort signal, and overrides of the client's defaults. */
export interface RequestOptions {
  signal?: AbortSignal;
  timeoutMs?: number;
  maxRetries?: number;
  /** POSTs get a random key by default; give your own to make a retry across processes safe. */
  idempotencyKey?: string;
}

export type Query = Record<string, string | number | boolean | null | undefined>;

export interface ApiRequest {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  path: string;
  query?: Query;
  body?: unknown;
}

export interface HttpSettings {
  apiKey: string;
  baseUrl: string;
  fetch: FetchLike;
  timeoutMs: number;
  maxRetries: number;
}

/** The longest `Retry-After` we wait out; a server asking for more gets its error back instead. */
const MAX_RETRY_AFTER_MS = 60_000;
const BASE_DELAY_MS = 500;
const MAX_DELAY_MS = 8_000;

/** Seconds or an HTTP date, as RFC 9110 allows; null when absent or unreadable. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | null {
  if (!value) return null;
  if (/^\d+$/.test(value.trim())) return Number(value.trim());
  const at = Date.parse(value);
  return Number.isNaN(at) ? null : Math.max(0, Math.ceil((at - now) / 1000));
}

/** Exponential backoff with jitter, so many clients refused at once do not come back at once. */
function backoffMs(attempt: number): number {
  const ceiling = Math.min(MAX_DELAY_MS, BASE_DELAY_MS * 2 ** attempt);
  return ceiling / 2 + Math.random() * (ceiling / 2);
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** 429 and 5xx may succeed later; so may a request whose twin (same Idempotency-Key) is still running. */
function isRetryable(error: LobsterError): boolean {
  if (error.status === 0) return true; // connection failure or timeout
  return error.status === 429 || error.status >= 500 || error.code === 'IDEMPOTENCY_KEY_IN_USE';
}

export function buildUrl(baseUrl: string, path: string, query: Query | undefined): URL {
  const url = new URL(path.replace(/^\//, ''), baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`);
  for (const [name, value] of Object.entries(query ?? {})) {
    if (value !== undefined && value !== null) url.searchParams.set(name, String(value));
  }
  return url;
}

async function readBody(res: Response): Promise<unknown> {
  const text = await res.text();
  if (!text) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/**
 * One HTTP exchange with the control plane: auth, JSON, a timeout per attempt combined with the caller's
 * signal, retries with backoff on 429/5xx/connection failures (honouring `Retry-After`), and one
 * Idempotency-Key for every attempt of a POST so a retry can never create a second resource.
 */
export class HttpClient {
  constructor(readonly settings: HttpSettings) {}

  /** Headers every request carries (the stream adds its own to these). */
  authHeaders(): Record<string, string> {
    return {
      Authorization: `Bearer ${this.settings.apiKey}`,
      'User-Agent': `lobster-client/${VERSION} node/${process.versions.node}`,
    };
  }

  async request<T>(req: ApiRequest, options: RequestOptions = {}): Promise<T> {
    const maxRetries = options.maxRetries ?? this.settings.maxRetries;
    const timeoutMs = options.timeoutMs ?? this.settings.timeoutMs;
    if (!Number.isInteger(maxRetries) || maxRetries < 0)
      throw new InvalidOptionsError('maxRetries must be an integer ≥ 0');
    if (!(timeoutMs > 0)) throw new InvalidOptionsError('timeoutMs must be a number > 0');
    const url = buildUrl(this.settings.baseUrl, req.path, req.query);
    const headers: Record<string, string> = { ...this.authHeaders(), Accept: 'application/json' };
    if (req.body !== undefined) headers['Content-Type'] = 'application/json';
    if (req.method === 'POST') headers['Idempotency-Key'] = options.idempotencyKey ?? randomUUID();
    const body = req.body === undefined ? undefined : JSON.stringify(req.body);

    for (let attempt = 0; ; attempt++) {
      const outcome = await this.attempt(url, req.method, headers, body, timeoutMs, options.signal);
      if (!('error' in outcome)) return outcome.body as T;
      const { error, retryAfterMs } = outcome;
      if (attempt >= maxRetries || !isRetryable(error)) throw error;
      if (retryAfterMs !== null && retryAfterMs > MAX_RETRY_AFTER_MS) throw error;
      await sleep(retryAfterMs ?? backoffMs(attempt), options.signal);
    }
  }

  private async attempt(
    url: URL,
    method: string,
    headers: Record<string, string>,
    body: string | undefined,
    timeoutMs: number,
    callerSignal: AbortSignal | undefined,
  ): Promise<{ body: unknown } | { error: LobsterError; retryAfterMs: number | null }> {
    const timeout = AbortSignal.timeout(timeoutMs);
    const signal = callerSignal ? AbortSignal.any([callerSignal, timeout]) : timeout;
    try {
      const res = await this.settings.fetch(url, {
        method,
        headers,
        signal,
        ...(body === undefined ? {} : { body }),
      });
      const parsed = await readBody(res);
      if (res.ok) return { body: parsed };
      const retryAfter = parseRetryAfter(res.headers.get('retry-after'));
      return {
        error: errorFromResponse(res.status, parsed, res.headers, retryAfter),
        retryAfterMs: retryAfter === null ? null : retryAfter * 1000,
      };
    } catch (err) {
      // The caller's abort is theirs to handle: rethrow their reason, never retry it.
      if (callerSignal?.aborted) throw callerSignal.reason;
      if (timeout.aborted) {
        const message = `No response from ${url.origin} within ${timeoutMs} ms`;
        return {
          error: new TimeoutError({ status: 0, code: 'TIMEOUT', message, cause: err }),
          retryAfterMs: null,
        };
      }
      const detail =
        err instanceof Error ? ((err.cause as Error | undefined)?.message ?? err.message) : String(err);
      const message = `Could not reach ${url.origin}: ${detail}`;
      return {
        error: new ConnectionError({ status: 0, code: 'CONNECTION_ERROR', message, cause: err }),
        retryAfterMs: null,
      };
    }
  }
}
