import { HoneyReportError } from '../errors.js';
import { checkPath, parseFormats, type ResolvedTrapConfig } from '../options.js';
import { TRAP_TYPES, type TrapType } from './types.js';

export interface TrapSyncInit {
  /** `{endpoint}/api/v1/ingest/config` */
  url: string;
  apiKey: string;
  intervalMs: number;
  timeoutMs: number;
  userAgent: string;
  fetch: typeof fetch | undefined;
  onTraps: (traps: ResolvedTrapConfig[]) => void;
  onError: (error: Error) => void;
}

/** Reads one trap of the config response; a bad trap is skipped (reported), never fatal. */
function readTrap(raw: unknown, i: number): ResolvedTrapConfig {
  const t = (raw ?? {}) as Record<string, unknown>;
  const where = `config.traps[${i}]`;
  if (typeof t.id !== 'string' || !t.id) throw new Error(`${where}.id missing`);
  if (!TRAP_TYPES.includes(t.type as TrapType)) throw new Error(`${where}.type invalid`);
  return {
    id: t.id.slice(0, 128),
    path: checkPath(t.path, `${where}.path`),
    type: t.type as TrapType,
    name: typeof t.name === 'string' ? t.name.slice(0, 256) : undefined,
    description: typeof t.description === 'string' ? t.description.slice(0, 1024) : undefined,
    active: t.active === undefined || t.active === true || t.active === 1,
    injectionFormats:
      t.injection_formats == null
        ? undefined
        : parseFormats(t.injection_formats, `${where}.injection_formats`),
    methods: undefined,
    render: undefined,
  };
}

/** Parses `{success: true, data: {traps: [...]}}` (a bare `data: [...]` is accepted too). */
export function parseConfig(json: unknown, onError: (e: Error) => void): ResolvedTrapConfig[] {
  const data = (json as { data?: unknown })?.data;
  const list = Array.isArray(data) ? data : (data as { traps?: unknown })?.traps;
  if (!Array.isArray(list)) throw new Error('config response has no data.traps array');
  const out: ResolvedTrapConfig[] = [];
  list.forEach((raw, i) => {
    try {
      out.push(readTrap(raw, i));
    } catch (e) {
      onError(new HoneyReportError(`skipped a synced trap: ${(e as Error).message}`));
    }
  });
  return out;
}

/**
 * Keeps the trap list in step with the control plane in the background: conditional GETs with
 * `If-None-Match`, the last good list kept whenever the control plane is down or answers nonsense.
 */
export class TrapSync {
  readonly #init: TrapSyncInit;
  #etag: string | null = null;
  #timer: NodeJS.Timeout | undefined;
  #stopped = false;

  constructor(init: TrapSyncInit) {
    this.#init = init;
  }

  start(): void {
    void this.refresh().finally(() => this.#schedule());
  }

  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#timer);
  }

  /** One conditional fetch. True when a new list was applied. */
  async refresh(): Promise<boolean> {
    const { url, apiKey, timeoutMs, userAgent } = this.#init;
    try {
      const headers: Record<string, string> = {
        authorization: `Bearer ${apiKey}`,
        accept: 'application/json',
        'user-agent': userAgent,
      };
      if (this.#etag) headers['if-none-match'] = this.#etag;
      const res = await (this.#init.fetch ?? globalThis.fetch)(url, {
        headers,
        signal: AbortSignal.timeout(timeoutMs),
      });
      if (res.status === 304) return false;
      if (!res.ok) throw new HoneyReportError(`trap config answered ${res.status}`, res.status);
      const traps = parseConfig(await res.json(), this.#init.onError);
      this.#etag = res.headers.get('etag');
      this.#init.onTraps(traps);
      return true;
    } catch (e) {
      this.#init.onError(
        e instanceof HoneyReportError
          ? e
          : new HoneyReportError(`trap sync failed: ${(e as Error).message}`, undefined, e),
      );
      return false;
    }
  }

  #schedule(): void {
    if (this.#stopped) return;
    this.#timer = setTimeout(
      () => void this.refresh().finally(() => this.#schedule()),
      this.#init.intervalMs,
    );
    this.#timer.unref?.();
  }
}
