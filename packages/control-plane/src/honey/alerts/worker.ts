import type { Logger } from 'pino';
import type { Database } from '../../db/database.js';
import type { SecretBox } from '../../secrets.js';
import { type ChannelType, secretContext, urlContext } from './channels.js';
import { type AlertEnvelope, renderAlert } from './payloads.js';
import { postJson } from './targets.js';
import { onAlertsQueued } from './trigger.js';

export interface AlertDeliveryOptions {
  /** How often the outbox is polled when nothing nudges it (default 1,000 ms). */
  pollMs?: number;
  /** First retry delay; each further retry doubles it, with jitter (default 1,000 ms). */
  retryBaseMs?: number;
  /** Longest retry delay (default 1 hour). */
  retryMaxMs?: number;
  /** Attempts before a delivery is given up as `failed` (default 12, about 70 minutes). */
  maxAttempts?: number;
  /** Per-request timeout (default 10 s). */
  timeoutMs?: number;
}

const DEFAULTS: Required<AlertDeliveryOptions> = {
  pollMs: 1_000,
  retryBaseMs: 1_000,
  retryMaxMs: 3_600_000,
  maxAttempts: 12,
  timeoutMs: 10_000,
};

/** Rows claimed per round; delivered in parallel. */
const BATCH = 20;

interface Claimed {
  id: string;
  attempts: number;
  event: string;
  channelId: string;
  channelName: string;
  type: ChannelType;
  urlSealed: string;
  secretSealed: string | null;
  enabled: number;
}

/**
 * Delivers queued alerts from the `alert_deliveries` outbox.
 *
 * A row is claimed by moving its `next_attempt_at` a lease into the future and counting the attempt, in
 * one short transaction (on PostgreSQL with `FOR UPDATE SKIP LOCKED`, so instances sharing the database
 * never claim the same row). If the instance dies mid-delivery, the lease runs out and another picks the
 * row up: delivery is at least once, and the `webhook-id` lets a receiver drop a repeat. A failure
 * schedules the next attempt with exponential backoff and full jitter; after `maxAttempts` the row is
 * `failed`. Rows stay in the table with their status either way.
 */
export class AlertWorker {
  private readonly opts: Required<AlertDeliveryOptions>;
  private readonly leaseMs: number;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private again = false;
  private stopped = false;
  private readonly aborter = new AbortController();
  private readonly unsubscribe: () => void;

  constructor(
    private readonly db: Database,
    private readonly box: SecretBox,
    private readonly clock: () => number,
    private readonly logger: Logger,
    private readonly allowPrivate: boolean,
    options: AlertDeliveryOptions = {},
  ) {
    this.opts = { ...DEFAULTS, ...options };
    this.leaseMs = this.opts.timeoutMs * 3 + 5_000;
    this.unsubscribe = onAlertsQueued(db, () => this.nudge());
    this.schedule(0);
  }

  /** Run a round now (after an ingest committed alerts); coalesces with a round in progress. */
  nudge(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.schedule(0);
  }

  /** Stops polling, aborts requests in flight (their rows go back to the queue) and waits for the round. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.unsubscribe();
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.aborter.abort();
    await this.running;
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      this.running = this.round()
        .catch((err: unknown) => this.logger.error({ err }, 'alert delivery round failed'))
        .finally(() => {
          this.running = null;
          const soon = this.again;
          this.again = false;
          this.schedule(soon ? 0 : this.opts.pollMs);
        });
    }, delayMs);
    this.timer.unref();
  }

  private async round(): Promise<void> {
    for (;;) {
      if (this.stopped) return;
      const claimed = await this.claim();
      await Promise.all(claimed.map((row) => this.deliver(row)));
      if (claimed.length < BATCH) return;
    }
  }

  private async claim(): Promise<Claimed[]> {
    const now = this.clock();
    return this.db.transaction(async (m) => {
      const lock = this.db.dialect === 'postgres' ? 'FOR UPDATE OF d SKIP LOCKED' : '';
      const rows = (await m.query(
        `SELECT d.id, d.attempts, d.event, c.id AS channel_id, c.name, c.type, c.url_sealed, c.secret_sealed, c.enabled
         FROM alert_deliveries d JOIN alert_channels c ON c.id = d.channel_id
         WHERE d.status = 'pending' AND d.next_attempt_at <= $1
         ORDER BY d.next_attempt_at LIMIT ${BATCH} ${lock}`,
        [new Date(now).toISOString()],
      )) as Record<string, unknown>[];
      if (rows.length === 0) return [];
      const lease = new Date(now + this.leaseMs).toISOString();
      const ids = rows.map((r) => r.id as string);
      await m.query(
        `UPDATE alert_deliveries SET attempts = attempts + 1, next_attempt_at = $1
         WHERE id IN (${ids.map((_, i) => `$${i + 2}`).join(', ')})`,
        [lease, ...ids],
      );
      return rows.map((r) => ({
        id: r.id as string,
        attempts: Number(r.attempts) + 1,
        event: r.event as string,
        channelId: r.channel_id as string,
        channelName: r.name as string,
        type: r.type as ChannelType,
        urlSealed: r.url_sealed as string,
        secretSealed: (r.secret_sealed as string | null) ?? null,
        enabled: Number(r.enabled),
      }));
    });
  }

  private async deliver(row: Claimed): Promise<void> {
    if (!row.enabled) return this.finish(row, 'failed', null, 'channel disabled');
    let url: string;
    let secret: string | null = null;
    try {
      url = this.box.open(row.urlSealed, urlContext(row.channelId));
      if (row.secretSealed) secret = this.box.open(row.secretSealed, secretContext(row.channelId));
    } catch {
      return this.finish(row, 'failed', null, 'stored URL cannot be decrypted (was LOBSTER_SECRET changed?)');
    }
    const envelope = JSON.parse(row.event) as AlertEnvelope;
    const { body, headers } = renderAlert(row.type, envelope, {
      signingSecret: secret,
      nowSeconds: Math.floor(this.clock() / 1000),
      channelName: row.channelName,
    });
    const result = await postJson(url, body, headers, {
      allowPrivate: this.allowPrivate,
      timeoutMs: this.opts.timeoutMs,
      signal: this.aborter.signal,
    });
    if (result.ok) return this.finish(row, 'delivered', result.status, null);
    if (this.stopped) return this.release(row);
    if (row.attempts >= this.opts.maxAttempts) return this.finish(row, 'failed', result.status, result.error);
    this.logger.warn(
      {
        delivery: row.id,
        channel: row.channelId,
        attempt: row.attempts,
        status: result.status,
        error: result.error,
      },
      'alert delivery failed; will retry',
    );
    const delay = this.backoff(row.attempts);
    await this.db.transaction((m) =>
      m.query(
        `UPDATE alert_deliveries SET next_attempt_at = $1, last_status = $2, last_error = $3 WHERE id = $4`,
        [new Date(this.clock() + delay).toISOString(), result.status, result.error, row.id],
      ),
    );
  }

  /** Exponential backoff with full jitter: uniform in [0, min(max, base · 2^(attempt-1))], at least base/2. */
  private backoff(attempt: number): number {
    const ceiling = Math.min(this.opts.retryMaxMs, this.opts.retryBaseMs * 2 ** Math.min(attempt - 1, 30));
    return Math.max(this.opts.retryBaseMs / 2, Math.random() * ceiling);
  }

  private async finish(
    row: Claimed,
    status: 'delivered' | 'failed',
    code: number | null,
    error: string | null,
  ) {
    const at = new Date(this.clock()).toISOString();
    if (status === 'failed') {
      this.logger.warn({ delivery: row.id, channel: row.channelId, error }, 'alert delivery given up');
    }
    await this.db.transaction((m) =>
      m.query(
        `UPDATE alert_deliveries SET status = $1, last_status = $2, last_error = $3, delivered_at = $4 WHERE id = $5`,
        [status, code, error, status === 'delivered' ? at : null, row.id],
      ),
    );
  }

  /** Shutting down mid-request: the attempt does not count and the row is due again at once. */
  private async release(row: Claimed): Promise<void> {
    await this.db.transaction((m) =>
      m.query('UPDATE alert_deliveries SET attempts = $1, next_attempt_at = $2 WHERE id = $3', [
        row.attempts - 1,
        new Date(this.clock()).toISOString(),
        row.id,
      ]),
    );
  }
}
