/** What one engine remembers about a session, for enforce mode and the local classification. */
export interface SessionState {
  lastSeen: number;
  tripped: boolean;
  ai: boolean;
  trapHits: number;
}

const TTL_MS = 30 * 60 * 1000; // the control plane's inactivity window
const MAX_SESSIONS = 100_000; // bounded: a flood of new fingerprints evicts the least recently seen

/** A bounded, least-recently-used map of session states. Only visitors that touched a trap are stored. */
export class SessionStore {
  readonly #map = new Map<string, SessionState>();
  #tripped = 0;

  /** True when no stored session has fired a tripwire: enforce mode then skips fingerprinting entirely. */
  get noneTripped(): boolean {
    return this.#tripped === 0;
  }

  get(fingerprint: string, now = Date.now()): SessionState | undefined {
    const s = this.#map.get(fingerprint);
    if (s && now - s.lastSeen > TTL_MS) {
      this.#delete(fingerprint, s);
      return undefined;
    }
    return s;
  }

  /** Records activity; `tripwire` marks the session, `ai` marks AI evidence. */
  touch(
    fingerprint: string,
    change: { trap?: boolean; tripwire?: boolean; ai?: boolean },
    now = Date.now(),
  ): SessionState {
    let s = this.get(fingerprint, now);
    if (s) this.#map.delete(fingerprint);
    else s = { lastSeen: now, tripped: false, ai: false, trapHits: 0 };
    s.lastSeen = now;
    if (change.trap) s.trapHits++;
    if (change.tripwire && !s.tripped) {
      s.tripped = true;
      this.#tripped++;
    }
    if (change.ai) s.ai = true;
    this.#map.set(fingerprint, s);
    if (this.#map.size > MAX_SESSIONS) {
      const [oldKey, oldState] = this.#map.entries().next().value as [string, SessionState];
      this.#delete(oldKey, oldState);
    }
    return s;
  }

  get size(): number {
    return this.#map.size;
  }

  #delete(key: string, s: SessionState): void {
    this.#map.delete(key);
    if (s.tripped) this.#tripped--;
  }
}
