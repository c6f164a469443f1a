import { randomUUID } from 'node:crypto';
import type { WireHit } from './ingest-schema.js';
import { newSessionRow, type SessionRow } from './session-row.js';

/** A visitor's session ends after 30 minutes without a hit (DESIGN §4.1). */
export const INACTIVITY_MS = 30 * 60 * 1000;

/**
 * Finds the session a hit belongs to among the sessions of a batch. A hit that carries a token of ours
 * (a callback, an extraction, a canary) belongs to the session the token was planted in, from whatever
 * IP it arrives; any other hit belongs to the visitor's fingerprint within the inactivity window.
 */
export class SessionResolver {
  private readonly byFingerprint = new Map<string, SessionRow[]>();

  constructor(
    private readonly orgId: string,
    private readonly site: string,
    existing: SessionRow[],
  ) {
    for (const s of existing) this.add(s);
  }

  resolve(hit: WireHit, at: number): SessionRow {
    const ref = hit.token && hit.type !== 'trap_hit' && hit.type !== 'probe' ? hit.token.session : null;
    if (ref) {
      const candidates = this.byFingerprint.get(ref) ?? [];
      const issued = hit.token?.issued_at ? Date.parse(hit.token.issued_at) : at;
      const planted = latest(candidates.filter((s) => contains(s, issued)));
      return planted ?? latest(candidates) ?? this.create(ref, hit, at);
    }
    const candidates = this.byFingerprint.get(hit.fingerprint) ?? [];
    return latest(candidates.filter((s) => contains(s, at))) ?? this.create(hit.fingerprint, hit, at);
  }

  private create(fingerprint: string, hit: WireHit, at: number): SessionRow {
    const iso = new Date(at).toISOString();
    const session = newSessionRow({
      id: randomUUID(),
      orgId: this.orgId,
      site: this.site,
      fingerprint,
      sourceIp: hit.ip,
      userAgent: hit.user_agent,
      firstSeen: iso,
      lastSeen: iso,
    });
    this.add(session);
    return session;
  }

  private add(session: SessionRow): void {
    const list = this.byFingerprint.get(session.fingerprint) ?? [];
    list.push(session);
    this.byFingerprint.set(session.fingerprint, list);
  }
}

function contains(s: SessionRow, at: number): boolean {
  return Date.parse(s.firstSeen) - INACTIVITY_MS <= at && at <= Date.parse(s.lastSeen) + INACTIVITY_MS;
}

function latest(sessions: SessionRow[]): SessionRow | undefined {
  let best: SessionRow | undefined;
  for (const s of sessions) if (!best || s.lastSeen > best.lastSeen) best = s;
  return best;
}
