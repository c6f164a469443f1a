import type Router from '@koa/router';
import { z } from 'zod';
import { requirePermission } from '../../auth/authenticate.js';
import type { Principal } from '../../auth/principal.js';
import { randomBase62 } from '../../crypto.js';
import { honeyOk } from '../../http/envelope.js';
import { ValidationFailed } from '../../http/errors.js';
import { parseBody } from '../../http/validate.js';
import type { SecretBox } from '../../secrets.js';
import type { Services } from '../../services.js';
import { SEVERITIES } from '../signals.js';
import {
  CHANNEL_TYPES,
  createChannel,
  deleteChannel,
  deliveryCounts,
  getChannel,
  listChannels,
  secretContext,
  toPublicChannel,
  updateChannel,
  urlContext,
} from './channels.js';
import { renderAlert, testEnvelope } from './payloads.js';
import { assertPublicTarget, postJson, TargetRefused } from './targets.js';

/** An http(s) URL without credentials in it; whether its host is public is checked after parsing. */
const webhookUrl = z
  .string()
  .trim()
  .max(2048)
  .transform((s, ctx) => {
    let url: URL;
    try {
      url = new URL(s);
    } catch {
      ctx.addIssue({ code: 'custom', message: 'must be an absolute URL' });
      return z.NEVER;
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') {
      ctx.addIssue({ code: 'custom', message: 'must be an https:// (or http://) URL' });
      return z.NEVER;
    }
    return url;
  });

const enabled = z.union([z.literal(0), z.literal(1), z.boolean()]).transform((v) => v === true || v === 1);
const site = z.string().trim().min(1).max(253).nullable();
const name = z.string().trim().min(1).max(100);
const minSeverity = z.enum(SEVERITIES);

const createBody = z
  .object({
    name,
    type: z.enum(CHANNEL_TYPES),
    url: webhookUrl,
    min_severity: minSeverity.default('low'),
    enabled: enabled.default(true),
    site: site.default(null),
  })
  .strict();

const patchBody = z
  .object({
    name: name.optional(),
    url: webhookUrl.optional(),
    min_severity: minSeverity.optional(),
    enabled: enabled.optional(),
    site: site.optional(),
  })
  .strict()
  .refine(
    (b) => Object.keys(b).length > 0,
    'nothing to update: give name, url, min_severity, enabled or site',
  );

export interface AlertRouteOptions {
  box: SecretBox;
  allowPrivate: boolean;
  timeoutMs: number;
}

/** `/dashboard/api/alerts`: alert channels (Slack, Discord, signed webhooks) and their test message. */
export function alertRoutes(router: Router, { db, clock }: Services, options: AlertRouteOptions): void {
  const read = requirePermission('read');
  const write = requirePermission('write');
  const orgOf = (ctx: { state: { principal?: Principal } }) => ctx.state.principal!.orgId;
  const nowIso = () => new Date(clock()).toISOString();

  const checkTarget = async (url: URL) => {
    try {
      await assertPublicTarget(url, options.allowPrivate);
    } catch (err) {
      if (err instanceof TargetRefused) {
        throw new ValidationFailed(
          `url: ${err.message}; alerts may only go to public addresses (LOBSTER_ALLOW_PRIVATE_WEBHOOKS=1 allows others)`,
        );
      }
      throw err;
    }
  };

  router.get('/dashboard/api/alerts', read, async (ctx) => {
    honeyOk(ctx, (await listChannels(db.manager, orgOf(ctx))).map(toPublicChannel));
  });

  router.post('/dashboard/api/alerts', write, async (ctx) => {
    const body = await parseBody(ctx, createBody);
    await checkTarget(body.url);
    const { row, signingSecret } = await db.transaction((m) =>
      createChannel(
        m,
        options.box,
        orgOf(ctx),
        {
          name: body.name,
          type: body.type,
          url: body.url,
          minSeverity: body.min_severity,
          enabled: body.enabled,
          site: body.site,
        },
        nowIso(),
      ),
    );
    ctx.set('Location', `/dashboard/api/alerts/${row.id}`);
    honeyOk(
      ctx,
      { ...toPublicChannel(row), ...(signingSecret ? { signing_secret: signingSecret } : {}) },
      201,
    );
  });

  router.get('/dashboard/api/alerts/:id', read, async (ctx) => {
    const row = await getChannel(db.manager, orgOf(ctx), ctx.params.id!);
    honeyOk(ctx, { ...toPublicChannel(row), deliveries: await deliveryCounts(db.manager, row.id) });
  });

  router.patch('/dashboard/api/alerts/:id', write, async (ctx) => {
    const body = await parseBody(ctx, patchBody);
    if (body.url) await checkTarget(body.url);
    const row = await db.transaction((m) =>
      updateChannel(
        m,
        options.box,
        orgOf(ctx),
        ctx.params.id!,
        {
          ...(body.name !== undefined ? { name: body.name } : {}),
          ...(body.url !== undefined ? { url: body.url } : {}),
          ...(body.min_severity !== undefined ? { minSeverity: body.min_severity } : {}),
          ...(body.enabled !== undefined ? { enabled: body.enabled } : {}),
          ...(body.site !== undefined ? { site: body.site } : {}),
        },
        nowIso(),
      ),
    );
    honeyOk(ctx, toPublicChannel(row));
  });

  router.delete('/dashboard/api/alerts/:id', write, async (ctx) => {
    const row = await db.transaction((m) => deleteChannel(m, orgOf(ctx), ctx.params.id!));
    honeyOk(ctx, { id: row.id, deleted: true });
  });

  // Sends synchronously and reports what the receiver said; a failed send is still a 200 (the API call
  // worked), with `delivered: false` and the reason.
  router.post('/dashboard/api/alerts/:id/test', write, async (ctx) => {
    const row = await getChannel(db.manager, orgOf(ctx), ctx.params.id!);
    const url = options.box.open(row.urlSealed, urlContext(row.id));
    const secret = row.secretSealed ? options.box.open(row.secretSealed, secretContext(row.id)) : null;
    const now = clock();
    const envelope = testEnvelope(`evt_${randomBase62(24)}`, row.id, row.name, new Date(now).toISOString());
    const { body, headers } = renderAlert(row.type, envelope, {
      signingSecret: secret,
      nowSeconds: Math.floor(now / 1000),
      channelName: row.name,
    });
    const result = await postJson(url, body, headers, {
      allowPrivate: options.allowPrivate,
      timeoutMs: options.timeoutMs,
    });
    honeyOk(ctx, {
      id: envelope.id,
      delivered: result.ok,
      response_status: result.status,
      error: result.error,
    });
  });
}
