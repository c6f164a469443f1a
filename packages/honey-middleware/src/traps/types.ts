import type { CanaryMatch, CanarySet } from '../canaries.js';
import type { Planter } from '../embed/planter.js';

/** Trap types, exactly as the control plane names them. */
export type TrapType = 'file' | 'config' | 'api' | 'page';
export const TRAP_TYPES: readonly TrapType[] = ['file', 'config', 'api', 'page'];

/** Injection channels a trap may plant tokens in (the trap's `injection_formats`). */
export type InjectionFormat =
  | 'html-comment'
  | 'css-hidden'
  | 'json-meta'
  | 'zero-width'
  | 'script-ignore'
  | 'prose';
export const INJECTION_FORMATS: readonly InjectionFormat[] = [
  'html-comment',
  'css-hidden',
  'json-meta',
  'zero-width',
  'script-ignore',
  'prose',
];

/** What a trap answers. The engine adds `Cache-Control: no-store` and turns it into a verdict. */
export interface TrapResponse {
  status: number;
  contentType: string;
  body: string;
  headers?: Record<string, string>;
}

/** Everything a trap renderer may use to build one response. */
export interface TrapContext {
  trap: Trap;
  method: string;
  query: URLSearchParams;
  /** Parsed body fields of a POST (JSON or form), capped at 16 KiB. */
  fields: Record<string, unknown>;
  /** `scheme://host` of the site. */
  origin: string;
  /** Mints tokens for this response. */
  plant: Planter;
  /** Canary credentials for this visitor, minted on first call. */
  canaries(): CanarySet;
  /** A canary credential presented with this request (Authorization, X-Api-Key, query, login body). */
  credential: CanaryMatch | null;
  /** The other active traps, for breadcrumbs. */
  others: readonly Trap[];
  /** Filled by the robots.txt trap: the `Disallow:` values this visitor was shown. */
  disallowed: string[];
}

export type TrapRenderer = (ctx: TrapContext) => TrapResponse;

/** A trap as the engine uses it: the control plane's fields plus a renderer. */
export interface Trap {
  id: string;
  name: string;
  path: string;
  type: TrapType;
  description: string;
  active: boolean;
  injectionFormats: readonly InjectionFormat[];
  /** Methods answered with content; others get 405. GET implies HEAD. */
  methods: readonly string[];
  /** Whether its content holds canary credentials (fires `CREDENTIAL_EXTRACTED`). */
  credentials: boolean;
  render: TrapRenderer;
}

/** A built-in trap: a path the default set serves, with its renderer. */
export type BuiltinTrap = Omit<Trap, 'id' | 'active'> & { key: string };
