import type { Logger } from 'pino';
import { sha256Hex } from '../crypto.js';
import type { Database } from '../db/database.js';
import { ApiKeyEntity, type ApiKeyRow } from '../db/entities.js';
import { Unauthorized } from '../http/errors.js';
import { API_KEY_SHAPE } from './keys.js';

/**
 * Turns a presented key into its stored row. Rows are cached for at most `cacheMs` (500 ms), which is
 * what bounds how long a key revoked on another instance keeps working (< 1 s); a revocation on this
 * instance evicts at once. The cache is keyed by the presented key itself (it lives only in this
 * process's memory, as the request carrying it does), so a cache hit costs no hashing; the database is
 * only ever asked by hash. `last_used_at` is written at most once a minute per key, off the request path.
 */
export class ApiKeyVerifier {
  private readonly cache = new Map<string, { row: ApiKeyRow; at: number }>();
  private readonly lastUsedWrites = new Map<string, number>();

  constructor(
    private readonly db: Database,
    private readonly clock: () => number,
    private readonly logger: Logger,
    private readonly cacheMs = 500,
  ) {}

  async verify(key: string): Promise<ApiKeyRow> {
    if (!API_KEY_SHAPE.test(key)) throw new Unauthorized('Malformed API key');
    const now = this.clock();
    const row = await this.lookup(key, now);
    if (!row || row.revokedAt) throw new Unauthorized('Invalid or revoked API key');
    if (row.expiresAt && Date.parse(row.expiresAt) <= now) throw new Unauthorized('API key has expired');
    this.touch(row, now);
    return row;
  }

  /** Forget a key at once (called by the instance that revokes it). */
  evict(keyHash: string): void {
    for (const [key, entry] of this.cache) if (entry.row.keyHash === keyHash) this.cache.delete(key);
  }

  private async lookup(key: string, now: number): Promise<ApiKeyRow | null> {
    const hit = this.cache.get(key);
    if (hit && now - hit.at < this.cacheMs && now >= hit.at) return hit.row;
    const row = await this.db.manager.findOneBy(ApiKeyEntity, { keyHash: sha256Hex(key) });
    if (row) {
      if (this.cache.size > 10_000) this.cache.clear();
      this.cache.set(key, { row, at: now });
    } else {
      this.cache.delete(key);
    }
    return row;
  }

  private touch(row: ApiKeyRow, now: number): void {
    const last = this.lastUsedWrites.get(row.id) ?? 0;
    if (now - last < 60_000) return;
    this.lastUsedWrites.set(row.id, now);
    const at = new Date(now).toISOString();
    this.db
      .transaction((m) => m.update(ApiKeyEntity, { id: row.id }, { lastUsedAt: at }))
      .catch((err: unknown) => this.logger.warn({ err, keyId: row.id }, 'could not record key use'));
  }
}
