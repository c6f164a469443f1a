import { createHmac, randomBytes } from 'node:crypto';
import { type AgentClaim, isBotUserAgent, matchAgent } from './agents.js';
import { handleCallback } from './callbacks.js';
import { CANARY_KINDS, type CanaryKind, type CanarySet, mintCanaries } from './canaries.js';
import { type FoundCanary, scanCarriers, scanFields } from './carriers.js';
import { Planter } from './embed/planter.js';
import { agentField, cut, type HitRecord, type HitToken, type HitType, isoNow, LIMITS } from './hits.js';
import {
  type HoneyOptions,
  type ResolvedOptions,
  type ResolvedTrapConfig,
  resolveOptions,
} from './options.js';
import { Reporter, type ReporterStats } from './reporter.js';
import {
  bodyFields,
  clientIp,
  type HoneyRequest,
  header,
  ipPrefix,
  parseQuery,
  splitUrl,
} from './request.js';
import { SessionStore } from './sessions.js';
import { SipHash24 } from './siphash.js';
import { type TokenCheck, type TokenClaims, TokenCodec, trapRef } from './tokens.js';
import { buildTrapTable, type TrapTable } from './traps/registry.js';
import { TrapSync } from './traps/sync.js';
import type { Trap, TrapContext } from './traps/types.js';
import { TRIPWIRE_TRAP_ID } from './tripwires/block.js';
import type { Insertion } from './tripwires/inserter.js';
import type { TripwirePlan } from './tripwires/response.js';
import { TripwireTemplates } from './tripwires/template.js';
import { uuidv7 } from './uuid.js';
import type { HoneySession, HoneyVerdict, RespondVerdict } from './verdict.js';
import { VERSION } from './version.js';

/** Bodies of trap POSTs and extraction calls are read up to this size; the rest is discarded. */
export const BODY_LIMIT = 16 * 1024;
const USER_AGENT = `lobster-honey-middleware/${VERSION}`;
const PREFIX_STEMS = ['/static/r', '/assets/v', '/cdn/t', '/media/i', '/content/p', '/res/c'];
let warnedEphemeral = false;

/** The framework-free engine: adapters translate requests into `handle()` and apply its verdict. */
export interface HoneyEngine {
  /** Decides one request. Synchronous (no allocation beyond the session view) unless it is a trap or a callback. */
  handle(req: HoneyRequest): HoneyVerdict | Promise<HoneyVerdict>;
  /** Answers a trap path the app left unanswered (`precedence: 'app'`); `continue` if it is no trap. */
  serveTrap(req: HoneyRequest): Promise<HoneyVerdict>;
  /** Path prefix under which callback and extraction tokens are answered. */
  readonly callbackPrefix: string;
  readonly precedence: 'trap' | 'app';
  /**
   * Plans a page tripwire for an app route's response, or null when none applies (option off, method,
   * path excluded, not sampled). Tokens are minted only when the response turns out to be HTML.
   */
  tripwires(req: HoneyRequest, session: HoneySession): TripwirePlan | null;
  /** Active traps. */
  traps(): readonly Trap[];
  /** Verifies a token string statelessly. */
  verifyToken(token: string): TokenCheck;
  /** Pulls the trap list from the control plane now (with an API key). */
  refreshTraps(): Promise<boolean>;
  /** Sends queued hits now. */
  flush(): Promise<void>;
  /** Stops background work and flushes the reporter; call it on shutdown. */
  close(): Promise<void>;
  stats(): { sessions: number; reporter: ReporterStats | null };
}

/** Internals shared with the callback handler and the session view. */
export interface EngineCore {
  opts: ResolvedOptions;
  codec: TokenCodec;
  sessions: SessionStore;
  callbackPrefix: string;
  site(req: HoneyRequest): string;
  origin(req: HoneyRequest): string;
  fingerprint(req: HoneyRequest, ip: string): string;
  emit(type: HitType, req: HoneyRequest, view: SessionView, fields: Partial<HitRecord>): HitRecord;
  hitToken(claims: TokenClaims): HitToken;
  respond(
    view: SessionView,
    status: number,
    contentType: string,
    body: string,
    method: string,
    extra?: Record<string, string>,
  ): RespondVerdict;
  /** Marks sessions after a tripwire: the requester and, via the token, the visitor it was planted for. */
  trip(view: SessionView, claims: TokenClaims | null, ai: boolean): void;
}

/** The session verdict handed to the app; every field is computed on first access only. */
export class SessionView implements HoneySession {
  readonly #core: EngineCore;
  readonly #req: HoneyRequest;
  #ip: string | undefined;
  #fp: string | undefined;
  #agent: AgentClaim | null | undefined;
  #bot: boolean | undefined;
  constructor(core: EngineCore, req: HoneyRequest) {
    this.#core = core;
    this.#req = req;
  }
  get ip(): string {
    this.#ip ??= clientIp(this.#req, this.#core.opts.trustProxy);
    return this.#ip;
  }
  get fingerprint(): string {
    this.#fp ??= this.#core.fingerprint(this.#req, this.ip);
    return this.#fp;
  }
  get userAgent(): string | undefined {
    return header(this.#req.headers, 'user-agent');
  }
  get agent(): AgentClaim | null {
    if (this.#agent === undefined) this.#agent = matchAgent(this.userAgent);
    return this.#agent;
  }
  get isBot(): boolean {
    this.#bot ??= isBotUserAgent(this.userAgent);
    return this.#bot;
  }
  get tripped(): boolean {
    return this.#core.sessions.get(this.fingerprint)?.tripped ?? false;
  }
  get classification(): 'HUMAN' | 'BOT' | 'AI_AGENT' {
    const s = this.#core.sessions.get(this.fingerprint);
    if (s?.ai) return 'AI_AGENT';
    return s?.tripped || (s?.trapHits ?? 0) > 0 || this.isBot || this.agent ? 'BOT' : 'HUMAN';
  }
  toJSON(): HoneySession {
    const { ip, fingerprint, agent, isBot, tripped, classification } = this;
    return { ip, fingerprint, agent, isBot, tripped, classification };
  }
}

function deriveSecret(o: ResolvedOptions): string {
  if (o.secret) return o.secret;
  if (o.apiKey) return createHmac('sha256', 'lobster-honey/secret/v1').update(o.apiKey).digest('hex');
  if (!warnedEphemeral) {
    warnedEphemeral = true;
    process.emitWarning(
      'lobsterHoney: no secret or apiKey; tokens are signed with a random per-process key and stop verifying after a restart',
      {
        code: 'LOBSTER_HONEY_EPHEMERAL_SECRET',
      },
    );
  }
  return randomBytes(32).toString('hex');
}

function derivePrefix(secret: string): string {
  const h = createHmac('sha256', secret).update('lobster-honey/callback-prefix/v1').digest();
  return `${PREFIX_STEMS[h[0]! % PREFIX_STEMS.length]}/${h.toString('hex', 1, 5)}`;
}

const HOST_RE = /^[a-z0-9.-]{1,253}(?::\d{1,5})?$|^\[[0-9a-f:.]{2,45}\](?::\d{1,5})?$/;

/**
 * Creates the framework-free engine. Options are validated here; a bad one throws `HoneyConfigError`.
 * No option is required: without `apiKey` traps are served and hits go to `onHit` only.
 * @example const engine = createHoneyEngine({ apiKey: process.env.LOBSTER_API_KEY, endpoint: 'http://localhost:4000' })
 */
export function createHoneyEngine(options: HoneyOptions = {}): HoneyEngine {
  const opts = resolveOptions(options);
  const secret = deriveSecret(opts);
  const codec = new TokenCodec(secret);
  // SipHash, not HMAC: the fingerprint is computed for every visitor the engine looks at (see tokens.ts).
  const fpHash = new SipHash24(
    createHmac('sha256', secret).update('lobster-honey/fingerprint/v2').digest().subarray(0, 16),
  );
  const callbackPrefix = opts.callbackPrefix ?? derivePrefix(secret);
  const prefixSlash = `${callbackPrefix}/`;
  const prefixSecond = prefixSlash.charCodeAt(1);
  const sessions = new SessionStore();
  const reportError = (e: Error): void => {
    try {
      opts.onError?.(e);
    } catch {
      // onError must never break the engine
    }
  };
  const reporter = opts.apiKey
    ? new Reporter({
        url: `${opts.endpoint}/api/v1/ingest`,
        apiKey: opts.apiKey,
        options: opts.reporter,
        userAgent: USER_AGENT,
        onError: reportError,
      })
    : null;

  let table: TrapTable = buildTrapTable(opts.traps, null, opts.basePath);
  // Every trap id ever served by this process, so tokens planted before a sync still name their trap.
  const refs = new Map<string, Trap>();
  const remember = (t: TrapTable): void => {
    for (const trap of t.list) refs.set(trapRef(trap.id), trap);
  };
  remember(table);
  const applyRemote = (list: ResolvedTrapConfig[]): void => {
    table = buildTrapTable(opts.traps, list, opts.basePath);
    remember(table);
  };
  const sync =
    opts.syncTraps.enabled && opts.apiKey
      ? new TrapSync({
          url: `${opts.endpoint}/api/v1/ingest/config`,
          apiKey: opts.apiKey,
          intervalMs: opts.syncTraps.intervalMs,
          timeoutMs: opts.reporter.timeoutMs,
          userAgent: USER_AGENT,
          fetch: opts.reporter.fetch,
          onTraps: applyRemote,
          onError: reportError,
        })
      : null;
  sync?.start();

  const core: EngineCore = {
    opts,
    codec,
    sessions,
    callbackPrefix,
    site(req) {
      if (opts.site) return opts.site;
      const host = (header(req.headers, 'host') ?? '').toLowerCase();
      if (!HOST_RE.test(host)) return 'unknown';
      return host.startsWith('[') ? host.slice(0, host.indexOf(']') + 1) : host.replace(/:\d+$/, '');
    },
    origin(req) {
      const host = (header(req.headers, 'host') ?? '').toLowerCase();
      const fwd = opts.trustProxy !== false ? header(req.headers, 'x-forwarded-proto') : undefined;
      const proto = fwd === 'https' || fwd === 'http' ? fwd : (req.protocol ?? 'http');
      return `${proto}://${HOST_RE.test(host) ? host : 'localhost'}`;
    },
    fingerprint(req, ip) {
      const ua = header(req.headers, 'user-agent') ?? '';
      const text = `${core.site(req)}\n${ipPrefix(ip)}\n${ua.slice(0, LIMITS.userAgent)}`;
      return fpHash.hash(Buffer.from(text)).toString('hex', 0, 6);
    },
    hitToken(c) {
      return {
        id: c.id,
        kind: c.kind,
        channel: c.channel,
        reach: c.reach,
        session: c.session,
        trap: refs.get(c.trapRef)?.id ?? (c.trapRef === TRIPWIRE_REF ? TRIPWIRE_TRAP_ID : null),
        trap_ref: c.trapRef,
        issued_at: c.issuedAt ? new Date(c.issuedAt * 1000).toISOString() : null,
      };
    },
    emit(type, req, view, fields) {
      const { path, query } = splitUrl(req.url);
      const hit: HitRecord = {
        id: '',
        type,
        ts: isoNow(),
        site: core.site(req),
        method: req.method.slice(0, 16),
        path: cut(path, LIMITS.path) ?? '/',
        query: query ? cut(query, LIMITS.query) : null,
        status: 0,
        ip: view.ip.slice(0, 45),
        user_agent: cut(view.userAgent, LIMITS.userAgent),
        accept: cut(header(req.headers, 'accept'), LIMITS.header),
        referer: cut(header(req.headers, 'referer'), LIMITS.header),
        fingerprint: view.fingerprint,
        trap: null,
        token: null,
        extraction: null,
        canary: null,
        canaries_planted: [],
        robots_disallow: [],
        login: null,
        agent: agentField(view.agent),
        is_bot: view.isBot,
        probe: null,
        ...fields,
      };
      hit.id = uuidv7();
      try {
        opts.onHit?.(hit);
      } catch (e) {
        reportError(e as Error);
      }
      reporter?.enqueue(hit);
      return hit;
    },
    respond(view, status, contentType, body, method, extra = {}) {
      return {
        action: 'respond',
        status,
        headers: {
          'content-type': contentType,
          'cache-control': 'no-store',
          'x-content-type-options': 'nosniff',
          ...extra,
        },
        body: method === 'HEAD' ? '' : body,
        session: view,
      };
    },
    trip(view, claims, ai) {
      sessions.touch(view.fingerprint, { tripwire: true, ai });
      if (claims && claims.session !== view.fingerprint)
        sessions.touch(claims.session, { tripwire: true, ai });
    },
  };

  function credentialHit(
    req: HoneyRequest,
    view: SessionView,
    found: FoundCanary,
    trap: Trap | null,
    status: number,
  ): void {
    core.emit('credential_use', req, view, {
      status,
      trap: trap ? trapField(trap) : null,
      token: core.hitToken(found.match.claims),
      canary: { kind: found.match.kind, carrier: found.carrier },
    });
    core.trip(view, found.match.claims, false);
  }

  async function serve(
    req: HoneyRequest,
    trap: Trap,
    query: string,
    view: SessionView,
  ): Promise<HoneyVerdict> {
    const method = req.method.toUpperCase();
    const allowed = trap.methods.includes('GET') ? [...trap.methods, 'HEAD'] : [...trap.methods];
    if (method === 'OPTIONS') {
      return {
        ...core.respond(view, 204, 'text/plain; charset=utf-8', '', method, {
          allow: [...allowed, 'OPTIONS'].join(', '),
        }),
      };
    }
    if (!allowed.includes(method)) {
      core.emit('trap_hit', req, view, { status: 405, trap: trapField(trap) });
      sessions.touch(view.fingerprint, { trap: true });
      return core.respond(view, 405, 'text/plain; charset=utf-8', 'Method Not Allowed\n', method, {
        allow: allowed.join(', '),
      });
    }
    let fields: Record<string, unknown> = {};
    if (method !== 'GET' && method !== 'HEAD' && req.readBody) {
      fields = bodyFields(await req.readBody(BODY_LIMIT), header(req.headers, 'content-type'));
    }
    const found = scanCarriers(codec, req, query) ?? (method === 'POST' ? scanFields(codec, fields) : null);
    const params = parseQuery(query);
    const refCheck = params.get('ref') ? codec.verify(params.get('ref') ?? '') : null;
    const ref = refCheck?.ok && refCheck.claims.kind === 'callback' ? refCheck.claims : null;
    let canaries: CanarySet | undefined;
    const ctx: TrapContext = {
      trap,
      method,
      query: params,
      fields,
      origin: core.origin(req),
      plant: new Planter({
        codec,
        session: view.fingerprint,
        trapRef: trapRef(trap.id),
        origin: core.origin(req),
        callbackPrefix,
        basePath: opts.basePath,
      }),
      canaries: () => {
        canaries ??= mintCanaries({ codec, session: view.fingerprint, trapRef: trapRef(trap.id) });
        return canaries;
      },
      credential: found?.match ?? null,
      others: table.list.filter((t) => t !== trap),
      disallowed: [],
    };
    const out = trap.render(ctx);
    const username =
      method === 'POST' ? (fields.username ?? fields.email ?? fields.user ?? fields.login) : undefined;
    core.emit('trap_hit', req, view, {
      status: out.status,
      trap: trapField(trap),
      token: ref ? core.hitToken(ref) : null,
      canaries_planted: canaries ? PLANTED_KINDS : [],
      robots_disallow: ctx.disallowed.slice(0, LIMITS.disallow).map((d) => d.slice(0, LIMITS.path)),
      login:
        method === 'POST' && /login|signin|auth/i.test(trap.path)
          ? { username: typeof username === 'string' ? cut(username, LIMITS.username) : null }
          : null,
    });
    sessions.touch(view.fingerprint, { trap: true });
    if (ref) core.trip(view, ref, ref.reach === 'instruction');
    if (found) credentialHit(req, view, found, trap, out.status);
    return core.respond(view, out.status, out.contentType, out.body, method, out.headers);
  }

  function continueWith(view: SessionView, deferredTrap = false): HoneyVerdict {
    return { action: 'continue', session: view, deferredTrap };
  }

  function handle(req: HoneyRequest): HoneyVerdict | Promise<HoneyVerdict> {
    const view = new SessionView(core, req);
    try {
      const { path, query } = splitUrl(req.url);
      // The second character first: it turns most paths away without a call to startsWith.
      if (path.charCodeAt(1) === prefixSecond && path.startsWith(prefixSlash))
        return guard(handleCallback(core, req, path, query, view), view);
      if (opts.mode === 'enforce' && !sessions.noneTripped && sessions.get(view.fingerprint)?.tripped) {
        const e = opts.enforce;
        return core.respond(view, e.status, e.contentType, e.body, req.method.toUpperCase());
      }
      const trap = table.byPath.get(path);
      if (trap) {
        if (opts.precedence === 'app') return continueWith(view, true);
        return guard(serve(req, trap, query, view), view);
      }
      const found = scanCarriers(codec, req, query);
      if (!found) return continueWith(view);
      // Recorded once the app has answered, so the hit carries the status the credential got.
      return {
        action: 'continue',
        session: view,
        deferredTrap: false,
        afterResponse: (status) => credentialHit(req, view, found, null, status),
      };
    } catch (e) {
      reportError(e as Error);
      return continueWith(view);
    }
  }

  // Nothing the engine does may reach the host app as an exception: a failure means "let the app answer".
  async function guard(p: Promise<HoneyVerdict>, view: SessionView): Promise<HoneyVerdict> {
    try {
      return await p;
    } catch (e) {
      reportError(e as Error);
      return continueWith(view);
    }
  }

  const tw = opts.tripwires;
  const tripwireTemplates = new TripwireTemplates({
    codec,
    trapRef: TRIPWIRE_REF,
    callbackPrefix,
    basePath: opts.basePath,
  });
  function tripwires(req: HoneyRequest, session: HoneySession): TripwirePlan | null {
    if (!tw.enabled || (req.method !== 'GET' && req.method !== 'POST')) return null;
    if (tw.include || tw.exclude) {
      const { path } = splitUrl(req.url);
      if (tw.include && !tw.include(path)) return null;
      if (tw.exclude?.(path)) return null;
    }
    if (tw.sampleRate < 1 && Math.random() >= tw.sampleRate) return null;
    return new PagePlan(tw.maxBytes, tripwireTemplates, core, req, session);
  }

  return {
    handle,
    tripwires,
    serveTrap(req) {
      const view = new SessionView(core, req);
      const { path, query } = splitUrl(req.url);
      const trap = table.byPath.get(path);
      return trap ? guard(serve(req, trap, query, view), view) : Promise.resolve(continueWith(view));
    },
    callbackPrefix,
    precedence: opts.precedence,
    traps: () => table.list,
    verifyToken: (token) => codec.verify(token),
    refreshTraps: () => (sync ? sync.refresh() : Promise.resolve(false)),
    flush: () => (reporter ? reporter.flush() : Promise.resolve()),
    async close() {
      sync?.stop();
      await reporter?.close();
    },
    stats: () => ({ sessions: sessions.size, reporter: reporter?.stats() ?? null }),
  };
}

const TRIPWIRE_REF = trapRef(TRIPWIRE_TRAP_ID);

/** A page tripwire for one response, minted only if the app's answer turns out to be a page. */
class PagePlan implements TripwirePlan {
  constructor(
    readonly maxBytes: number,
    readonly templates: TripwireTemplates,
    readonly core: EngineCore,
    readonly req: HoneyRequest,
    readonly session: HoneySession,
  ) {}
  mint(): Insertion {
    return this.templates.mint(this.core.origin(this.req), this.session.fingerprint);
  }
}

const PLANTED_KINDS: CanaryKind[] = CANARY_KINDS.filter((k): k is CanaryKind => k !== 'none');

function trapField(t: Trap): HitRecord['trap'] {
  return { id: t.id, name: t.name, path: t.path, type: t.type };
}
