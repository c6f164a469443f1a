import { HoneyConfigError } from './errors.js';
import type { HitRecord } from './hits.js';
import type { TrustProxy } from './request.js';
import {
  INJECTION_FORMATS,
  type InjectionFormat,
  TRAP_TYPES,
  type TrapRenderer,
  type TrapType,
} from './traps/types.js';

/** A trap to add (or to replace the default at the same path). Field names follow the control plane's. */
export interface HoneyTrapConfig {
  path: string;
  type: TrapType;
  id?: string;
  name?: string;
  description?: string;
  active?: boolean | 0 | 1;
  /** Channels to plant tokens in: an array or the control plane's comma-separated string. */
  injection_formats?: string | readonly InjectionFormat[];
  /** Methods answered with content (default GET; GET implies HEAD). */
  methods?: readonly string[];
  /** Custom content; default: a realistic body for the trap's type. */
  render?: TrapRenderer;
}

/** Add, replace or disable traps. An array is shorthand for `{ add: [...] }`. */
export interface HoneyTrapsOption {
  /** Keep the default set (default true). */
  defaults?: boolean;
  /** Paths or ids (`default:dotenv`, or a synced trap's id) of traps to turn off. */
  disable?: readonly string[];
  /** Extra traps; one whose path is a default's replaces that default. */
  add?: readonly HoneyTrapConfig[];
}

export interface HoneyReporterOptions {
  /** Hits per request, 1–1000 (default 100). */
  batchSize?: number;
  /** Longest wait before a partial batch is sent, ms (default 1000). */
  flushIntervalMs?: number;
  /** Hits kept while the control plane is unreachable; beyond it the oldest are dropped (default 10000). */
  maxQueue?: number;
  /** Per-request timeout, ms (default 10000). */
  timeoutMs?: number;
  /** First retry delay, doubled per failure, with jitter (default 500). */
  retryBaseMs?: number;
  /** Longest retry delay, also the cap on a 429's `Retry-After` (default 60000). */
  maxRetryDelayMs?: number;
  /** How long `close()` keeps trying to deliver what is queued (default 5000). */
  closeTimeoutMs?: number;
  /** A `fetch` to send batches with (default: Node's own HTTP client on one kept-alive connection). */
  fetch?: typeof fetch;
}

/** A path pattern: an exact path, a glob (`*` within one segment, `**` across segments) or a RegExp. */
export type PathPattern = string | RegExp;

/** Page tripwires in the app's own HTML pages (DESIGN §3). */
export interface HoneyTripwiresOptions {
  /** Default true. */
  enabled?: boolean;
  /** Only pages whose path matches one of these get a tripwire (default: every path). */
  include?: readonly PathPattern[];
  /** Pages whose path matches one of these never get one (default: none). */
  exclude?: readonly PathPattern[];
  /** Share of eligible pages that get one, 0–1 (default 1). */
  sampleRate?: number;
  /** Bodies larger than this many bytes pass through untouched (default 2 MiB). */
  maxBytes?: number;
}

/** Enforce mode with a custom answer for sessions that fired a tripwire. */
export interface EnforceResponse {
  type: 'enforce';
  status?: number;
  contentType?: string;
  body?: string;
}

export interface HoneyOptions {
  /** Org API key (`lh_…`, `ingest` scope). Without it nothing is reported. */
  apiKey?: string;
  /** Control plane base URL (default `http://127.0.0.1:4000`). */
  endpoint?: string;
  /** Site name reported with hits (default: the request's Host). */
  site?: string;
  /** Token signing key, ≥ 16 characters (default: derived from `apiKey`, else random per process). */
  secret?: string;
  traps?: HoneyTrapsOption | readonly HoneyTrapConfig[];
  /** Pull the org's trap list from the control plane (default: on when `apiKey` is set). */
  syncTraps?: boolean | { intervalMs?: number };
  /** Path under which tokens are answered (default: derived from the secret). */
  callbackPrefix?: string;
  /** Prefix for trap paths, e.g. `/s/acme` in beacon mode (default ''). */
  basePath?: string;
  /** Use `X-Forwarded-For`: `true` = left-most entry, a number = that many proxy hops (default false). */
  trustProxy?: TrustProxy;
  /** `monitor` (default) observes; `enforce` answers sessions that fired a tripwire with 403. */
  mode?: 'monitor' | 'enforce' | EnforceResponse;
  /** Who answers a trap path the app also routes: the trap (default) or the app. */
  precedence?: 'trap' | 'app';
  /** Called synchronously with every hit record. */
  onHit?: (hit: HitRecord) => void;
  /** Called with reporter and sync failures; never with anything thrown into a request. */
  onError?: (error: Error) => void;
  reporter?: HoneyReporterOptions;
  /** Hidden tripwires in the app's own `text/html` pages (default on); `false` turns them off. */
  tripwires?: boolean | HoneyTripwiresOptions;
}

export interface ResolvedReporterOptions {
  batchSize: number;
  flushIntervalMs: number;
  maxQueue: number;
  timeoutMs: number;
  retryBaseMs: number;
  maxRetryDelayMs: number;
  closeTimeoutMs: number;
  fetch: typeof fetch | undefined;
}

export interface ResolvedTrapConfig {
  path: string;
  type: TrapType;
  id: string | undefined;
  name: string | undefined;
  description: string | undefined;
  active: boolean;
  injectionFormats: InjectionFormat[] | undefined;
  methods: string[] | undefined;
  render: TrapRenderer | undefined;
}

export interface ResolvedOptions {
  apiKey: string | undefined;
  endpoint: string;
  site: string | undefined;
  secret: string | undefined;
  traps: { defaults: boolean; disable: string[]; add: ResolvedTrapConfig[] };
  syncTraps: { enabled: boolean; intervalMs: number };
  callbackPrefix: string | undefined;
  basePath: string;
  trustProxy: TrustProxy;
  mode: 'monitor' | 'enforce';
  enforce: { status: number; contentType: string; body: string };
  precedence: 'trap' | 'app';
  onHit: ((hit: HitRecord) => void) | undefined;
  onError: ((error: Error) => void) | undefined;
  reporter: ResolvedReporterOptions;
  tripwires: ResolvedTripwires;
}

export interface ResolvedTripwires {
  enabled: boolean;
  /** null = every path. */
  include: ((path: string) => boolean) | null;
  exclude: ((path: string) => boolean) | null;
  sampleRate: number;
  maxBytes: number;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

function known(obj: Obj, keys: readonly string[], where: string): void {
  for (const k of Object.keys(obj)) {
    if (!keys.includes(k)) throw new HoneyConfigError(where ? `${where}.${k}` : k, 'is not a known option');
  }
}

function str(v: unknown, name: string, max = 2048): string | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'string' || v.length === 0 || v.length > max) {
    throw new HoneyConfigError(name, `must be a non-empty string of at most ${max} characters`);
  }
  return v;
}

function int(v: unknown, name: string, min: number, max: number, fallback: number): number {
  if (v === undefined) return fallback;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    throw new HoneyConfigError(name, `must be an integer from ${min} to ${max}`);
  }
  return v;
}

function fn<T>(v: unknown, name: string): T | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'function') throw new HoneyConfigError(name, 'must be a function');
  return v as T;
}

/** A URL path that is safe to match and to print: no traversal, no query, no control characters. */
export function checkPath(v: unknown, name: string, allowEmpty = false): string {
  if (allowEmpty && v === '') return '';
  if (typeof v !== 'string' || !v.startsWith('/')) throw new HoneyConfigError(name, 'must start with "/"');
  if (v.length > 512) throw new HoneyConfigError(name, 'must be at most 512 characters');
  if (!/^\/[A-Za-z0-9._~!$&'()*+,;=:@%/-]*$/.test(v)) {
    throw new HoneyConfigError(name, 'may contain only URL path characters (no query, fragment or spaces)');
  }
  if (v.split('/').some((seg) => seg === '..' || seg === '.'))
    throw new HoneyConfigError(name, 'must not contain "." or ".." segments');
  return v;
}

/** Parses `injection_formats` from an array or the control plane's comma-separated string. */
export function parseFormats(v: unknown, name: string): InjectionFormat[] {
  const list =
    typeof v === 'string'
      ? v
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean)
      : v;
  if (!Array.isArray(list)) throw new HoneyConfigError(name, 'must be an array or a comma-separated string');
  return list.map((f, i) => {
    if (!INJECTION_FORMATS.includes(f as InjectionFormat)) {
      throw new HoneyConfigError(`${name}[${i}]`, `must be one of ${INJECTION_FORMATS.join(', ')}`);
    }
    return f as InjectionFormat;
  });
}

function trapConfig(v: unknown, name: string): ResolvedTrapConfig {
  if (!isObj(v)) throw new HoneyConfigError(name, 'must be an object');
  known(
    v,
    ['path', 'type', 'id', 'name', 'description', 'active', 'injection_formats', 'methods', 'render'],
    name,
  );
  if (!TRAP_TYPES.includes(v.type as TrapType))
    throw new HoneyConfigError(`${name}.type`, `must be one of ${TRAP_TYPES.join(', ')}`);
  const active = v.active ?? true;
  if (![true, false, 0, 1].includes(active as boolean))
    throw new HoneyConfigError(`${name}.active`, 'must be a boolean, 0 or 1');
  let methods: string[] | undefined;
  if (v.methods !== undefined) {
    if (!Array.isArray(v.methods) || v.methods.some((m) => typeof m !== 'string' || !/^[A-Za-z]+$/.test(m))) {
      throw new HoneyConfigError(`${name}.methods`, 'must be an array of HTTP method names');
    }
    methods = v.methods.map((m: string) => m.toUpperCase());
  }
  return {
    path: checkPath(v.path, `${name}.path`),
    type: v.type as TrapType,
    id: str(v.id, `${name}.id`, 128),
    name: str(v.name, `${name}.name`, 256),
    description: str(v.description, `${name}.description`, 1024),
    active: active === true || active === 1,
    injectionFormats:
      v.injection_formats === undefined
        ? undefined
        : parseFormats(v.injection_formats, `${name}.injection_formats`),
    methods,
    render: fn<TrapRenderer>(v.render, `${name}.render`),
  };
}

function traps(v: unknown): ResolvedOptions['traps'] {
  if (v === undefined) return { defaults: true, disable: [], add: [] };
  const o: Obj = Array.isArray(v) ? { add: v } : isObj(v) ? v : {};
  if (!Array.isArray(v) && !isObj(v))
    throw new HoneyConfigError('traps', 'must be an array of traps or { defaults, disable, add }');
  known(o, ['defaults', 'disable', 'add'], 'traps');
  if (o.defaults !== undefined && typeof o.defaults !== 'boolean')
    throw new HoneyConfigError('traps.defaults', 'must be a boolean');
  const disable = o.disable ?? [];
  if (!Array.isArray(disable) || disable.some((d) => typeof d !== 'string')) {
    throw new HoneyConfigError('traps.disable', 'must be an array of trap paths or ids');
  }
  const addRaw = o.add ?? [];
  if (!Array.isArray(addRaw)) throw new HoneyConfigError('traps.add', 'must be an array');
  const add = addRaw.map((t, i) => trapConfig(t, `traps.add[${i}]`));
  const seen = new Set<string>();
  add.forEach((t, i) => {
    if (seen.has(t.path))
      throw new HoneyConfigError(`traps.add[${i}].path`, `duplicates another trap's path ${t.path}`);
    seen.add(t.path);
  });
  return { defaults: o.defaults !== false, disable: disable as string[], add };
}

function reporter(v: unknown): ResolvedReporterOptions {
  if (v !== undefined && !isObj(v)) throw new HoneyConfigError('reporter', 'must be an object');
  const o = v ?? {};
  known(
    o,
    [
      'batchSize',
      'flushIntervalMs',
      'maxQueue',
      'timeoutMs',
      'retryBaseMs',
      'maxRetryDelayMs',
      'closeTimeoutMs',
      'fetch',
    ],
    'reporter',
  );
  const batchSize = int(o.batchSize, 'reporter.batchSize', 1, 1000, 100);
  return {
    batchSize,
    flushIntervalMs: int(o.flushIntervalMs, 'reporter.flushIntervalMs', 0, 600_000, 1000),
    // Room for one batch in flight plus at least one waiting hit, so "drop the oldest" always has a victim.
    maxQueue: int(
      o.maxQueue,
      'reporter.maxQueue',
      batchSize + 1,
      10_000_000,
      Math.max(10_000, batchSize + 1),
    ),
    timeoutMs: int(o.timeoutMs, 'reporter.timeoutMs', 1, 600_000, 10_000),
    retryBaseMs: int(o.retryBaseMs, 'reporter.retryBaseMs', 1, 600_000, 500),
    maxRetryDelayMs: int(o.maxRetryDelayMs, 'reporter.maxRetryDelayMs', 1, 3_600_000, 60_000),
    closeTimeoutMs: int(o.closeTimeoutMs, 'reporter.closeTimeoutMs', 0, 600_000, 5000),
    fetch: fn<typeof fetch>(o.fetch, 'reporter.fetch'),
  };
}

function mode(v: unknown): Pick<ResolvedOptions, 'mode' | 'enforce'> {
  const enforce = { status: 403, contentType: 'text/plain; charset=utf-8', body: 'Forbidden\n' };
  if (v === undefined || v === 'monitor') return { mode: 'monitor', enforce };
  if (v === 'enforce') return { mode: 'enforce', enforce };
  if (!isObj(v) || v.type !== 'enforce')
    throw new HoneyConfigError(
      'mode',
      'must be "monitor", "enforce" or { type: "enforce", status, contentType, body }',
    );
  known(v, ['type', 'status', 'contentType', 'body'], 'mode');
  return {
    mode: 'enforce',
    enforce: {
      status: int(v.status, 'mode.status', 200, 599, 403),
      contentType: str(v.contentType, 'mode.contentType', 256) ?? enforce.contentType,
      body: v.body === undefined ? enforce.body : (str(v.body, 'mode.body', 65_536) ?? ''),
    },
  };
}

const GLOB_SPECIAL = /[.+?^${}()|[\]\\]/g;

/** Compiles path patterns into one test; strings are exact paths or globs. */
function patterns(v: unknown, name: string): ((path: string) => boolean) | null {
  if (v === undefined) return null;
  if (!Array.isArray(v)) throw new HoneyConfigError(name, 'must be an array of paths, globs or RegExps');
  const tests = v.map((p: unknown, i) => {
    if (p instanceof RegExp) {
      // A global or sticky RegExp keeps state between test() calls; a copy without those flags does not.
      const re = new RegExp(p.source, p.flags.replace(/[gy]/g, ''));
      return (path: string) => re.test(path);
    }
    if (typeof p !== 'string' || !p.startsWith('/') || p.length > 512)
      throw new HoneyConfigError(`${name}[${i}]`, 'must be a RegExp or a path or glob starting with "/"');
    if (!p.includes('*')) return (path: string) => path === p;
    const source = p
      .replace(GLOB_SPECIAL, '\\$&')
      .replace(/\*\*/g, '\u0000')
      .replace(/\*/g, '[^/]*')
      .replaceAll('\u0000', '.*');
    const re = new RegExp(`^${source}$`);
    return (path: string) => re.test(path);
  });
  return (path) => tests.some((t) => t(path));
}

function tripwires(v: unknown): ResolvedTripwires {
  const base: ResolvedTripwires = {
    enabled: true,
    include: null,
    exclude: null,
    sampleRate: 1,
    maxBytes: 2 * 1024 * 1024,
  };
  if (v === undefined || v === true) return base;
  if (v === false) return { ...base, enabled: false };
  if (!isObj(v))
    throw new HoneyConfigError(
      'tripwires',
      'must be a boolean or { enabled, include, exclude, sampleRate, maxBytes }',
    );
  known(v, ['enabled', 'include', 'exclude', 'sampleRate', 'maxBytes'], 'tripwires');
  if (v.enabled !== undefined && typeof v.enabled !== 'boolean')
    throw new HoneyConfigError('tripwires.enabled', 'must be a boolean');
  const rate = v.sampleRate ?? 1;
  if (typeof rate !== 'number' || !(rate >= 0 && rate <= 1))
    throw new HoneyConfigError('tripwires.sampleRate', 'must be a number from 0 to 1');
  return {
    enabled: v.enabled !== false,
    include: patterns(v.include, 'tripwires.include'),
    exclude: patterns(v.exclude, 'tripwires.exclude'),
    sampleRate: rate,
    maxBytes: int(v.maxBytes, 'tripwires.maxBytes', 0, 1024 * 1024 * 1024, base.maxBytes),
  };
}

const TOP = [
  'apiKey',
  'endpoint',
  'site',
  'secret',
  'traps',
  'syncTraps',
  'callbackPrefix',
  'basePath',
  'trustProxy',
  'mode',
  'precedence',
  'onHit',
  'onError',
  'reporter',
  'tripwires',
];

/** Validates options once, in the factory. Defaults first, then the caller's values; the input is never mutated. */
export function resolveOptions(input: unknown = {}): ResolvedOptions {
  if (!isObj(input)) throw new HoneyConfigError('options', 'must be an object');
  known(input, TOP, '');
  const o = input as Obj;
  const apiKey = str(o.apiKey, 'apiKey', 512);
  let endpoint = str(o.endpoint, 'endpoint') ?? 'http://127.0.0.1:4000';
  try {
    const u = new URL(endpoint);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error('scheme');
  } catch {
    throw new HoneyConfigError('endpoint', 'must be an http(s) URL');
  }
  endpoint = endpoint.replace(/\/+$/, '');
  const secret = str(o.secret, 'secret', 4096);
  if (secret !== undefined && secret.length < 16)
    throw new HoneyConfigError('secret', 'must be at least 16 characters');
  const site = str(o.site, 'site', 253);
  let syncTraps = { enabled: apiKey !== undefined, intervalMs: 60_000 };
  if (typeof o.syncTraps === 'boolean') syncTraps = { ...syncTraps, enabled: o.syncTraps };
  else if (isObj(o.syncTraps)) {
    known(o.syncTraps, ['intervalMs'], 'syncTraps');
    syncTraps = {
      enabled: true,
      intervalMs: int(o.syncTraps.intervalMs, 'syncTraps.intervalMs', 1000, 86_400_000, 60_000),
    };
  } else if (o.syncTraps !== undefined)
    throw new HoneyConfigError('syncTraps', 'must be a boolean or { intervalMs }');
  if (syncTraps.enabled && !apiKey) throw new HoneyConfigError('syncTraps', 'needs apiKey');
  const callbackPrefix =
    o.callbackPrefix === undefined ? undefined : checkPath(o.callbackPrefix, 'callbackPrefix');
  if (callbackPrefix !== undefined && (callbackPrefix === '/' || callbackPrefix.endsWith('/'))) {
    throw new HoneyConfigError('callbackPrefix', 'must not be "/" or end with "/"');
  }
  const basePath = o.basePath === undefined ? '' : checkPath(o.basePath, 'basePath', true);
  if (basePath.endsWith('/')) throw new HoneyConfigError('basePath', 'must not end with "/"');
  const trustProxy = o.trustProxy ?? false;
  if (
    typeof trustProxy !== 'boolean' &&
    !(typeof trustProxy === 'number' && Number.isInteger(trustProxy) && trustProxy >= 1 && trustProxy <= 32)
  ) {
    throw new HoneyConfigError('trustProxy', 'must be a boolean or a number of proxy hops from 1 to 32');
  }
  const precedence = o.precedence ?? 'trap';
  if (precedence !== 'trap' && precedence !== 'app')
    throw new HoneyConfigError('precedence', 'must be "trap" or "app"');
  return {
    apiKey,
    endpoint,
    site: site?.toLowerCase(),
    secret,
    traps: traps(o.traps),
    syncTraps,
    callbackPrefix,
    basePath,
    trustProxy,
    ...mode(o.mode),
    precedence,
    onHit: fn(o.onHit, 'onHit'),
    onError: fn(o.onError, 'onError'),
    reporter: reporter(o.reporter),
    tripwires: tripwires(o.tripwires),
  };
}
