import {
  CANARY_KINDS,
  LIMITS,
  TOKEN_CHANNELS,
  TOKEN_KINDS,
  TOKEN_REACHES,
  TRAP_TYPES,
} from '@lobster/honey-middleware';
import { z } from 'zod';

/**
 * The ingest wire contract (`POST /api/v1/ingest`), as the honey middleware's README defines it. Field
 * limits are the middleware's own LIMITS, so anything it sends fits and anything larger is refused.
 */
export const MAX_HITS_PER_BATCH = 1_000;
export const MAX_BATCH_BYTES = 2 * 1024 * 1024;
/** Hits stamped more than this far from the server's clock are refused as absurd. */
export const MAX_CLOCK_SKEW_MS = 24 * 60 * 60 * 1000;

const text = (max: number) => z.string().max(max);
const optText = (max: number) => text(max).nullable().default(null);
const enumOf = <T extends string>(values: readonly T[]) => z.enum(values as unknown as [T, ...T[]]);
const isoTime = z.iso.datetime({ offset: true });
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const token = z
  .object({
    id: text(64),
    kind: enumOf(TOKEN_KINDS),
    channel: enumOf(TOKEN_CHANNELS),
    reach: enumOf(TOKEN_REACHES),
    session: text(128),
    trap: optText(128),
    trap_ref: text(128),
    issued_at: isoTime.nullable().default(null),
  })
  .strict();

export const wireHit = z
  .object({
    id: z.string().regex(UUID, 'must be a UUID'),
    type: z.enum(['trap_hit', 'callback', 'extraction', 'credential_use', 'probe']),
    ts: isoTime,
    site: text(LIMITS.site),
    method: text(16),
    path: text(LIMITS.path),
    query: optText(LIMITS.query),
    status: z.number().int().min(100).max(599),
    ip: text(64),
    user_agent: optText(LIMITS.userAgent),
    accept: optText(LIMITS.header),
    referer: optText(LIMITS.header),
    fingerprint: text(128),
    trap: z
      .object({ id: text(128), name: text(256), path: text(LIMITS.path), type: enumOf(TRAP_TYPES) })
      .strict()
      .nullable()
      .default(null),
    token: token.nullable().default(null),
    extraction: z
      .object({
        model: optText(LIMITS.model),
        operator: optText(LIMITS.operator),
        task: optText(LIMITS.task),
        system_prompt: optText(LIMITS.systemPrompt),
        truncated: z.boolean().default(false),
      })
      .strict()
      .nullable()
      .default(null),
    canary: z
      .object({ kind: enumOf(CANARY_KINDS), carrier: text(32) })
      .strict()
      .nullable()
      .default(null),
    canaries_planted: z.array(enumOf(CANARY_KINDS)).max(16).default([]),
    robots_disallow: z.array(text(LIMITS.path)).max(LIMITS.disallow).default([]),
    login: z
      .object({ username: optText(LIMITS.username) })
      .strict()
      .nullable()
      .default(null),
    agent: z
      .object({ name: text(128), operator: optText(256), purpose: text(32), function: text(512) })
      .strict()
      .nullable()
      .default(null),
    is_bot: z.boolean().default(false),
    probe: z
      .object({ reason: text(32) })
      .strict()
      .nullable()
      .default(null),
  })
  .strict();

export type WireHit = z.output<typeof wireHit>;

export const ingestBatch = z
  .object({
    site: text(LIMITS.site).min(1),
    hits: z.array(z.unknown()).min(1).max(MAX_HITS_PER_BATCH),
  })
  .strict();

/*
 * The same contract checked by hand, for the ingest path: zod's object parsing (an issue list, a context
 * and a new object per field, per hit) was a tenth of ingest's CPU time and much of its garbage. It only
 * says yes (with exactly the output `wireHit` gives, fields in the same order, defaults filled in) or
 * "ask zod": every hit it does not accept is parsed by `wireHit` again, so the error messages and paths
 * stay zod's. It must never accept what `wireHit` refuses; the ingest tests run both on the same
 * corpus of good and broken hits to prove it.
 */

type Obj = Record<string, unknown>;

/** zod's own pattern for `isoTime`, so both accept the same timestamps. */
const ISO_PATTERN: RegExp | undefined = (isoTime as unknown as { _zod: { pattern?: unknown } })._zod
  .pattern as RegExp | undefined;
const isIso = (v: unknown): v is string =>
  typeof v === 'string' && (ISO_PATTERN ? ISO_PATTERN.test(v) : isoTime.safeParse(v).success);

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const isText = (v: unknown, max: number): v is string => typeof v === 'string' && v.length <= max;
const setOf = (values: readonly string[]) => new Set<unknown>(values);

const HIT_TYPES = setOf(['trap_hit', 'callback', 'extraction', 'credential_use', 'probe']);
const TRAP_TYPE_SET = setOf(TRAP_TYPES);
const TOKEN_KIND_SET = setOf(TOKEN_KINDS);
const TOKEN_CHANNEL_SET = setOf(TOKEN_CHANNELS);
const TOKEN_REACH_SET = setOf(TOKEN_REACHES);
const CANARY_KIND_SET = setOf(CANARY_KINDS);

/** True when `o` has no key outside `allowed` (a `.strict()` object). */
function onlyKeys(o: Obj, allowed: ReadonlySet<string>): boolean {
  for (const key in o) if (!allowed.has(key)) return false;
  return Object.getPrototypeOf(o) === Object.prototype || Object.getPrototypeOf(o) === null;
}

const keysOf = (schema: { shape: Record<string, unknown> }) => new Set(Object.keys(schema.shape));
const HIT_KEYS = keysOf(wireHit);
const TOKEN_KEYS = keysOf(token);
const TRAP_KEYS = new Set(['id', 'name', 'path', 'type']);
const EXTRACTION_KEYS = new Set(['model', 'operator', 'task', 'system_prompt', 'truncated']);
const CANARY_KEYS = new Set(['kind', 'carrier']);
const LOGIN_KEYS = new Set(['username']);
const AGENT_KEYS = new Set(['name', 'operator', 'purpose', 'function']);
const PROBE_KEYS = new Set(['reason']);

/** Marks "not accepted here": the caller asks zod. */
const NO = Symbol('no');
type Maybe<T> = T | typeof NO;

/** `optText(max)`: absent or null is null, else a string of at most `max`. */
function opt(v: unknown, max: number): Maybe<string | null> {
  if (v === undefined || v === null) return null;
  return isText(v, max) ? v : NO;
}

/** A `.nullable().default(null)` object field, read by `read` when present. */
function optObj<T>(v: unknown, keys: ReadonlySet<string>, read: (o: Obj) => Maybe<T>): Maybe<T | null> {
  if (v === undefined || v === null) return null;
  return isObj(v) && onlyKeys(v, keys) ? read(v) : NO;
}

function readTrap(o: Obj): Maybe<WireHit['trap']> {
  const { id, name, path, type } = o;
  if (!isText(id, 128) || !isText(name, 256) || !isText(path, LIMITS.path) || !TRAP_TYPE_SET.has(type))
    return NO;
  return { id, name, path, type: type as NonNullable<WireHit['trap']>['type'] };
}

function readToken(o: Obj): Maybe<WireHit['token']> {
  const { id, kind, channel, reach, session, trap_ref } = o;
  if (!isText(id, 64) || !TOKEN_KIND_SET.has(kind) || !TOKEN_CHANNEL_SET.has(channel)) return NO;
  if (!TOKEN_REACH_SET.has(reach) || !isText(session, 128) || !isText(trap_ref, 128)) return NO;
  const trap = opt(o.trap, 128);
  const issued = o.issued_at;
  if (trap === NO || (issued !== undefined && issued !== null && !isIso(issued))) return NO;
  return {
    id,
    kind,
    channel,
    reach,
    session,
    trap,
    trap_ref,
    issued_at: (issued as string | null | undefined) ?? null,
  } as WireHit['token'];
}

function readExtraction(o: Obj): Maybe<WireHit['extraction']> {
  const model = opt(o.model, LIMITS.model);
  const operator = opt(o.operator, LIMITS.operator);
  const task = opt(o.task, LIMITS.task);
  const systemPrompt = opt(o.system_prompt, LIMITS.systemPrompt);
  const truncated = o.truncated === undefined ? false : o.truncated;
  if (
    model === NO ||
    operator === NO ||
    task === NO ||
    systemPrompt === NO ||
    typeof truncated !== 'boolean'
  ) {
    return NO;
  }
  return { model, operator, task, system_prompt: systemPrompt, truncated };
}

function readCanary(o: Obj): Maybe<WireHit['canary']> {
  if (!CANARY_KIND_SET.has(o.kind) || !isText(o.carrier, 32)) return NO;
  return { kind: o.kind as NonNullable<WireHit['canary']>['kind'], carrier: o.carrier };
}

function readLogin(o: Obj): Maybe<WireHit['login']> {
  const username = opt(o.username, LIMITS.username);
  return username === NO ? NO : { username };
}

function readAgent(o: Obj): Maybe<WireHit['agent']> {
  const { name, purpose } = o;
  const operator = opt(o.operator, 256);
  if (!isText(name, 128) || operator === NO || !isText(purpose, 32) || !isText(o.function, 512)) return NO;
  return { name, operator, purpose, function: o.function };
}

function readProbe(o: Obj): Maybe<WireHit['probe']> {
  return isText(o.reason, 32) ? { reason: o.reason } : NO;
}

/** A `.max(max).default([])` array whose items all pass `ok`, copied. */
function list<T>(v: unknown, max: number, ok: (item: unknown) => item is T): Maybe<T[]> {
  if (v === undefined) return [];
  if (!Array.isArray(v) || v.length > max) return NO;
  for (const item of v) if (!ok(item)) return NO;
  return v.slice() as T[];
}

const isCanaryKind = (v: unknown): v is WireHit['canaries_planted'][number] => CANARY_KIND_SET.has(v);
const isDisallowPath = (v: unknown): v is string => isText(v, LIMITS.path);

/** `wireHit.parse(value)` when it is a valid hit, or null when only zod can say (it may still be valid). */
export function readWireHit(value: unknown): WireHit | null {
  if (!isObj(value) || !onlyKeys(value, HIT_KEYS)) return null;
  const v = value;
  const { id, type, ts, site, method, path, status, ip, fingerprint } = v;
  if (typeof id !== 'string' || !UUID.test(id) || !HIT_TYPES.has(type) || !isIso(ts)) return null;
  if (!isText(site, LIMITS.site) || !isText(method, 16) || !isText(path, LIMITS.path)) return null;
  if (typeof status !== 'number' || !Number.isInteger(status) || status < 100 || status > 599) return null;
  if (!isText(ip, 64) || !isText(fingerprint, 128)) return null;
  const query = opt(v.query, LIMITS.query);
  const userAgent = opt(v.user_agent, LIMITS.userAgent);
  const accept = opt(v.accept, LIMITS.header);
  const referer = opt(v.referer, LIMITS.header);
  const trap = optObj(v.trap, TRAP_KEYS, readTrap);
  const tok = optObj(v.token, TOKEN_KEYS, readToken);
  const extraction = optObj(v.extraction, EXTRACTION_KEYS, readExtraction);
  const canary = optObj(v.canary, CANARY_KEYS, readCanary);
  const planted = list(v.canaries_planted, 16, isCanaryKind);
  const disallow = list(v.robots_disallow, LIMITS.disallow, isDisallowPath);
  const login = optObj(v.login, LOGIN_KEYS, readLogin);
  const agent = optObj(v.agent, AGENT_KEYS, readAgent);
  const isBot = v.is_bot === undefined ? false : v.is_bot;
  const probe = optObj(v.probe, PROBE_KEYS, readProbe);
  if (
    query === NO ||
    userAgent === NO ||
    accept === NO ||
    referer === NO ||
    trap === NO ||
    tok === NO ||
    extraction === NO ||
    canary === NO ||
    planted === NO ||
    disallow === NO ||
    login === NO ||
    agent === NO ||
    typeof isBot !== 'boolean' ||
    probe === NO
  ) {
    return null;
  }
  return {
    id,
    type: type as WireHit['type'],
    ts,
    site,
    method,
    path,
    query,
    status,
    ip,
    user_agent: userAgent,
    accept,
    referer,
    fingerprint,
    trap,
    token: tok,
    extraction,
    canary,
    canaries_planted: planted,
    robots_disallow: disallow,
    login,
    agent,
    is_bot: isBot,
    probe,
  };
}
