import type { AgentClaim } from './agents.js';

/** What the engine knows about the visitor of the current request. Computed lazily, on first access. */
export interface HoneySession {
  /** Client IP as the engine sees it (the TCP peer unless `trustProxy`). */
  readonly ip: string;
  /** Session reference: a keyed hash of site, IP /24 (or /48) and User-Agent; 12 hex characters. */
  readonly fingerprint: string;
  /** The User-Agent names a known AI agent (a claim, not proof). */
  readonly agent: AgentClaim | null;
  /** The User-Agent is a generic bot's (per `isbot`). */
  readonly isBot: boolean;
  /** This engine has seen the session fire a tripwire (token followed, canary used). */
  readonly tripped: boolean;
  /**
   * Local, best-effort classification: `AI_AGENT` after instruction-reach or extraction evidence, `BOT`
   * after other tripwires, trap hits or a bot User-Agent, else `HUMAN`. The control plane's is authoritative.
   */
  readonly classification: 'HUMAN' | 'BOT' | 'AI_AGENT';
}

/** Let the app continue; `deferredTrap` means the path is a trap the app may answer first (`precedence: 'app'`). */
export interface ContinueVerdict {
  action: 'continue';
  session: HoneySession;
  deferredTrap: boolean;
  /**
   * Set when the request carried a canary credential on a route of the app: the adapter calls it with
   * the status the app answered, once the response is done, and the credential-use hit is recorded then.
   */
  afterResponse?: (status: number) => void;
}

/** Answer with this response; the adapter writes it and does not call the app. */
export interface RespondVerdict {
  action: 'respond';
  status: number;
  headers: Record<string, string>;
  body: string;
  session: HoneySession;
}

/** The engine's decision for one request. Adapters only apply it. */
export type HoneyVerdict = ContinueVerdict | RespondVerdict;

/**
 * Whether `handle()` decides later (a trap or a callback) rather than now. A `then` check, not
 * `instanceof Promise`: it runs on every request, and `instanceof` walked the verdict's prototype chain
 * through V8's runtime (~100 instructions a request on Koa, by callgrind).
 */
export function isPending(v: HoneyVerdict | Promise<HoneyVerdict>): v is Promise<HoneyVerdict> {
  return typeof (v as Partial<Promise<HoneyVerdict>>).then === 'function';
}
