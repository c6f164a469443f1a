import { randomBytes, randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { NotFound } from '../../http/errors.js';
import type { SecretBox } from '../../secrets.js';
import type { Severity } from '../signals.js';

export const CHANNEL_TYPES = ['slack', 'discord', 'webhook'] as const;
export type ChannelType = (typeof CHANNEL_TYPES)[number];

export class AlertChannelNotFound extends NotFound {
  constructor(id: string) {
    super('ALERT_NOT_FOUND', `Alert channel with id '${id}' not found`);
  }
}

/** A row of `alert_channels`; the URL and signing secret stay sealed until a delivery needs them. */
export interface ChannelRow {
  id: string;
  orgId: string;
  name: string;
  type: ChannelType;
  urlSealed: string;
  urlHint: string;
  secretSealed: string | null;
  minSeverity: Severity;
  enabled: number;
  site: string | null;
  createdAt: string;
  updatedAt: string;
}

/** What the API shows: never the URL or the secret (the secret appears once, in the create response). */
export interface PublicChannel {
  id: string;
  name: string;
  type: ChannelType;
  url_hint: string;
  min_severity: Severity;
  enabled: number;
  site: string | null;
  created_at: string;
  updated_at: string;
}

export function toPublicChannel(row: ChannelRow): PublicChannel {
  return {
    id: row.id,
    name: row.name,
    type: row.type,
    url_hint: row.urlHint,
    min_severity: row.minSeverity,
    enabled: row.enabled,
    site: row.site,
    created_at: row.createdAt,
    updated_at: row.updatedAt,
  };
}

/**
 * `https://hooks.slack.com/…/XYZ1`: enough to recognise which URL is configured, too little to use it.
 * The last four characters only when the path is long enough that they give little away.
 */
export function urlHint(url: URL): string {
  const rest = `${url.pathname}${url.search}`;
  const tail = rest.length >= 16 ? rest.slice(-4) : '';
  return `${url.protocol}//${url.host}/…${tail ? `/${tail}` : ''}`;
}

/** A Standard Webhooks signing secret: `whsec_` + base64 of 24 random bytes. */
export const newSigningSecret = (): string => `whsec_${randomBytes(24).toString('base64')}`;

export const urlContext = (id: string) => `alert_channel:${id}:url`;
export const secretContext = (id: string) => `alert_channel:${id}:signing_secret`;

const COLUMNS =
  'id, org_id, name, type, url_sealed, url_hint, secret_sealed, min_severity, enabled, site, created_at, updated_at';

type Raw = Record<string, unknown>;

export function channelFromRaw(r: Raw): ChannelRow {
  return {
    id: r.id as string,
    orgId: r.org_id as string,
    name: r.name as string,
    type: r.type as ChannelType,
    urlSealed: r.url_sealed as string,
    urlHint: r.url_hint as string,
    secretSealed: (r.secret_sealed as string | null) ?? null,
    minSeverity: r.min_severity as Severity,
    enabled: Number(r.enabled),
    site: (r.site as string | null) ?? null,
    createdAt: r.created_at as string,
    updatedAt: r.updated_at as string,
  };
}

export async function listChannels(m: EntityManager, orgId: string): Promise<ChannelRow[]> {
  const rows = (await m.query(
    `SELECT ${COLUMNS} FROM alert_channels WHERE org_id = $1 ORDER BY created_at, id`,
    [orgId],
  )) as Raw[];
  return rows.map(channelFromRaw);
}

export async function getChannel(m: EntityManager, orgId: string, id: string): Promise<ChannelRow> {
  const [row] = (await m.query(`SELECT ${COLUMNS} FROM alert_channels WHERE id = $1 AND org_id = $2`, [
    id,
    orgId,
  ])) as Raw[];
  if (!row) throw new AlertChannelNotFound(id);
  return channelFromRaw(row);
}

export interface NewChannel {
  name: string;
  type: ChannelType;
  url: URL;
  minSeverity: Severity;
  enabled: boolean;
  site: string | null;
}

/** Creates a channel; a webhook channel's signing secret is returned here and never again. */
export async function createChannel(
  m: EntityManager,
  box: SecretBox,
  orgId: string,
  input: NewChannel,
  nowIso: string,
): Promise<{ row: ChannelRow; signingSecret: string | null }> {
  const id = randomUUID();
  const signingSecret = input.type === 'webhook' ? newSigningSecret() : null;
  const row: ChannelRow = {
    id,
    orgId,
    name: input.name,
    type: input.type,
    urlSealed: box.seal(input.url.href, urlContext(id)),
    urlHint: urlHint(input.url),
    secretSealed: signingSecret ? box.seal(signingSecret, secretContext(id)) : null,
    minSeverity: input.minSeverity,
    enabled: input.enabled ? 1 : 0,
    site: input.site,
    createdAt: nowIso,
    updatedAt: nowIso,
  };
  await m.query(
    `INSERT INTO alert_channels (${COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
    [
      row.id,
      row.orgId,
      row.name,
      row.type,
      row.urlSealed,
      row.urlHint,
      row.secretSealed,
      row.minSeverity,
      row.enabled,
      row.site,
      row.createdAt,
      row.updatedAt,
    ],
  );
  return { row, signingSecret };
}

export interface ChannelChanges {
  name?: string;
  url?: URL;
  minSeverity?: Severity;
  enabled?: boolean;
  site?: string | null;
}

export async function updateChannel(
  m: EntityManager,
  box: SecretBox,
  orgId: string,
  id: string,
  changes: ChannelChanges,
  nowIso: string,
): Promise<ChannelRow> {
  const row = await getChannel(m, orgId, id);
  const next: ChannelRow = {
    ...row,
    ...(changes.name !== undefined ? { name: changes.name } : {}),
    ...(changes.url !== undefined
      ? { urlSealed: box.seal(changes.url.href, urlContext(id)), urlHint: urlHint(changes.url) }
      : {}),
    ...(changes.minSeverity !== undefined ? { minSeverity: changes.minSeverity } : {}),
    ...(changes.enabled !== undefined ? { enabled: changes.enabled ? 1 : 0 } : {}),
    ...(changes.site !== undefined ? { site: changes.site } : {}),
    updatedAt: nowIso,
  };
  await m.query(
    `UPDATE alert_channels SET name = $1, url_sealed = $2, url_hint = $3, min_severity = $4, enabled = $5,
       site = $6, updated_at = $7 WHERE id = $8 AND org_id = $9`,
    [
      next.name,
      next.urlSealed,
      next.urlHint,
      next.minSeverity,
      next.enabled,
      next.site,
      next.updatedAt,
      id,
      orgId,
    ],
  );
  return next;
}

/** Deletes the channel and its outbox rows (pending alerts to it are dropped with it). */
export async function deleteChannel(m: EntityManager, orgId: string, id: string): Promise<ChannelRow> {
  const row = await getChannel(m, orgId, id);
  await m.query('DELETE FROM alert_deliveries WHERE channel_id = $1', [id]);
  await m.query('DELETE FROM alert_channels WHERE id = $1 AND org_id = $2', [id, orgId]);
  return row;
}

export interface DeliveryCounts {
  pending: number;
  delivered: number;
  failed: number;
}

/** How the channel's outbox stands, for the detail view. */
export async function deliveryCounts(m: EntityManager, channelId: string): Promise<DeliveryCounts> {
  const rows = (await m.query(
    'SELECT status, count(*) AS n FROM alert_deliveries WHERE channel_id = $1 GROUP BY status',
    [channelId],
  )) as { status: string; n: unknown }[];
  const counts: DeliveryCounts = { pending: 0, delivered: 0, failed: 0 };
  for (const r of rows) {
    if (r.status in counts) counts[r.status as keyof DeliveryCounts] = Number(r.n);
  }
  return counts;
}
