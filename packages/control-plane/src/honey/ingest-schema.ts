import {
  CANARY_KINDS,
  LIMITS,
  TOKEN_CHANNELS,
  TOKEN_KINDS,
  TOKEN_REACHES,
  TRAP_TYPES,
} from '@lobster/honey-middleware';
import { z } from 'zod';

/**
 * The ingest wire contract (`POST /api/v1/ingest`), as the honey middleware's README defines it. Field
 * limits are the middleware's own LIMITS, so anything it sends fits and anything larger is refused.
 */
export const MAX_HITS_PER_BATCH = 1_000;
export const MAX_BATCH_BYTES = 2 * 1024 * 1024;
/** Hits stamped more than this far from the server's clock are refused as absurd. */
export const MAX_CLOCK_SKEW_MS = 24 * 60 * 60 * 1000;

const text = (max: number) => z.string().max(max);
const optText = (max: number) => text(max).nullable().default(null);
const enumOf = <T extends string>(values: readonly T[]) => z.enum(values as unknown as [T, ...T[]]);
const isoTime = z.iso.datetime({ offset: true });
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const token = z
  .object({
    id: text(64),
    kind: enumOf(TOKEN_KINDS),
    channel: enumOf(TOKEN_CHANNELS),
    reach: enumOf(TOKEN_REACHES),
    session: text(128),
    trap: optText(128),
    trap_ref: text(128),
    issued_at: isoTime.nullable().default(null),
  })
  .strict();

export const wireHit = z
  .object({
    id: z.string().regex(UUID, 'must be a UUID'),
    type: z.enum(['trap_hit', 'callback', 'extraction', 'credential_use', 'probe']),
    ts: isoTime,
    site: text(LIMITS.site),
    method: text(16),
    path: text(LIMITS.path),
    query: optText(LIMITS.query),
    status: z.number().int().min(100).max(599),
    ip: text(64),
    user_agent: optText(LIMITS.userAgent),
    accept: optText(LIMITS.header),
    referer: optText(LIMITS.header),
    fingerprint: text(128),
    trap: z
      .object({ id: text(128), name: text(256), path: text(LIMITS.path), type: enumOf(TRAP_TYPES) })
      .strict()
      .nullable()
      .default(null),
    token: token.nullable().default(null),
    extraction: z
      .object({
        model: optText(LIMITS.model),
        operator: optText(LIMITS.operator),
        task: optText(LIMITS.task),
        system_prompt: optText(LIMITS.systemPrompt),
        truncated: z.boolean().default(false),
      })
      .strict()
      .nullable()
      .default(null),
    canary: z
      .object({ kind: enumOf(CANARY_KINDS), carrier: text(32) })
      .strict()
      .nullable()
      .default(null),
    canaries_planted: z.array(enumOf(CANARY_KINDS)).max(16).default([]),
    robots_disallow: z.array(text(LIMITS.path)).max(LIMITS.disallow).default([]),
    login: z
      .object({ username: optText(LIMITS.username) })
      .strict()
      .nullable()
      .default(null),
    agent: z
      .object({ name: text(128), operator: optText(256), purpose: text(32), function: text(512) })
      .strict()
      .nullable()
      .default(null),
    is_bot: z.boolean().default(false),
    probe: z
      .object({ reason: text(32) })
      .strict()
      .nullable()
      .default(null),
  })
  .strict();

export type WireHit = z.output<typeof wireHit>;

export const ingestBatch = z
  .object({
    site: text(LIMITS.site).min(1),
    hits: z.array(z.unknown()).min(1).max(MAX_HITS_PER_BATCH),
  })
  .strict();
