import { createHash, createHmac } from 'node:crypto';
import type { HitRecord } from '@lobster/honey-middleware';
import { type KoaHoneyMiddleware, lobsterHoney } from '@lobster/honey-middleware/koa';
import type { Context, Middleware, Next } from 'koa';
import type { Logger } from 'pino';
import type { Database } from '../db/database.js';
import { OrgEntity, TrapEntity } from '../db/entities.js';
import { ingest } from './ingest.js';
import { readWireHit, wireHit } from './ingest-schema.js';

/** Beacon paths: an org's traps under `/s/:org/…`, their token callbacks under `/api/callback/:org/…`. */
const BEACON_PATH = /^\/(?:s|api\/callback)\/([^/]+)(?:\/|$)/;
/** How long an org's engine serves before its trap list is checked again. */
const REFRESH_MS = 5_000;
const FLUSH_MS = 250;

interface OrgBeacon {
  middleware: KoaHoneyMiddleware;
  /** Digest of the trap list the engine was built from. */
  digest: string;
  checkedAt: number;
}

/**
 * Beacon mode: the control plane serves an org's traps itself, for sites that cannot run the middleware
 * (a link in an email, a static site). It mounts the middleware's own Koa adapter, one engine per org,
 * and writes the hits it reports straight to ingest, batched, instead of over HTTP.
 *
 * Tokens are signed with a key derived from LOBSTER_SECRET and the org id, so every instance verifies the
 * tokens every other instance planted, across restarts. Callbacks carry the org in their path
 * (`/api/callback/:org/:token`) because the token alone does not say which org's key signed it.
 */
export class Beacon {
  private readonly orgs = new Map<string, OrgBeacon>();
  private readonly pending = new Map<string, { orgId: string; site: string; hits: HitRecord[] }>();
  private readonly timer: NodeJS.Timeout;
  private flushing: Promise<void> = Promise.resolve();

  constructor(
    private readonly db: Database,
    private readonly secret: string,
    private readonly clock: () => number,
    private readonly logger: Logger,
  ) {
    this.timer = setInterval(() => void this.flush(), FLUSH_MS);
    this.timer.unref();
  }

  middleware(): Middleware {
    return async (ctx: Context, next: Next) => {
      const match = BEACON_PATH.exec(ctx.path);
      if (!match) return next();
      const org = await this.findOrg(decodeURIComponent(match[1]!));
      if (!org) return next();
      const beacon = await this.engineFor(org.id, org.slug);
      // The adapter answers trap and callback paths; anything else under the prefix falls through to 404.
      await beacon.middleware(ctx as never, async () => {});
    };
  }

  /** Writes every buffered hit; called on a timer and on close. */
  flush(): Promise<void> {
    const batches = [...this.pending.values()];
    this.pending.clear();
    this.flushing = this.flushing.then(async () => {
      for (const { orgId, site, hits } of batches) {
        try {
          const parsed = hits.map((h) => readWireHit(h) ?? wireHit.parse(h));
          await ingest(this.db, orgId, site, parsed, this.clock());
        } catch (err) {
          this.logger.error({ err, orgId, hits: hits.length }, 'beacon hits could not be stored');
        }
      }
    });
    return this.flushing;
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    await Promise.all([...this.orgs.values()].map((o) => o.middleware.close()));
    this.orgs.clear();
    await this.flush();
  }

  private async findOrg(ref: string) {
    return (
      (await this.db.manager.findOneBy(OrgEntity, { slug: ref })) ??
      (await this.db.manager.findOneBy(OrgEntity, { id: ref }))
    );
  }

  private async engineFor(orgId: string, slug: string): Promise<OrgBeacon> {
    const now = this.clock();
    const cached = this.orgs.get(orgId);
    if (cached && now - cached.checkedAt < REFRESH_MS) return cached;
    const traps = (
      await this.db.manager.find(TrapEntity, { where: { orgId }, order: { createdAt: 'ASC' } })
    ).map((t) => ({
      id: t.id,
      name: t.name,
      path: t.path,
      type: t.type,
      description: t.description,
      active: t.active === 1,
      injection_formats: t.injectionFormats,
    }));
    const digest = createHash('sha256')
      .update(JSON.stringify([slug, traps]))
      .digest('hex');
    if (cached && cached.digest === digest) {
      cached.checkedAt = now;
      return cached;
    }
    const middleware = lobsterHoney({
      secret: createHmac('sha256', this.secret).update(`lobster/beacon/${orgId}`).digest('hex'),
      basePath: `/s/${slug}`,
      callbackPrefix: `/api/callback/${slug}`,
      traps: { defaults: false, add: traps },
      // Beacon paths answer only traps; there are no pages of the org's own to plant tripwires in.
      tripwires: false,
      onHit: (hit) => this.enqueue(orgId, hit),
    });
    if (cached) void cached.middleware.close();
    const beacon = { middleware, digest, checkedAt: now };
    this.orgs.set(orgId, beacon);
    return beacon;
  }

  private enqueue(orgId: string, hit: HitRecord): void {
    const key = `${orgId}\n${hit.site}`;
    const batch = this.pending.get(key) ?? { orgId, site: hit.site, hits: [] };
    batch.hits.push(hit);
    this.pending.set(key, batch);
    if (batch.hits.length >= 500) void this.flush();
  }
}
