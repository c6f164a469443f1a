import type { Context } from 'koa';
import { MalformedJson, PayloadTooLarge, UnsupportedMediaType } from './errors.js';

export const DEFAULT_BODY_LIMIT = 1024 * 1024;
/** Ingest batches may be larger (the wire contract allows 2 MiB). */
export const INGEST_BODY_LIMIT = 2 * 1024 * 1024;

/** The cap for a request: whoever reads the body first (idempotency or the handler) applies the same one. */
export function bodyLimitFor(path: string): number {
  return path === '/api/v1/ingest' ? INGEST_BODY_LIMIT : DEFAULT_BODY_LIMIT;
}

export interface RawBody {
  text: string;
  json: unknown;
}

/**
 * Reads a JSON request body once, capped at `limit` bytes. A declared Content-Length over the cap is
 * refused before a byte is read; a chunked body is cut off as soon as it passes the cap. The result is
 * cached on `ctx.state` so idempotency and the handler read the same bytes.
 */
export async function readJsonBody(ctx: Context, limit = bodyLimitFor(ctx.path)): Promise<RawBody> {
  const cached = ctx.state.rawBody as RawBody | undefined;
  if (cached) return cached;

  const declared = Number(ctx.get('Content-Length') || 0);
  if (declared > limit) throw new PayloadTooLarge(limit);

  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of ctx.req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw new PayloadTooLarge(limit);
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  let json: unknown;
  if (text.trim() !== '') {
    const type = ctx.get('Content-Type');
    if (!/^application\/([\w.+-]+\+)?json\b/i.test(type)) throw new UnsupportedMediaType(type);
    try {
      json = JSON.parse(text);
    } catch (err) {
      throw new MalformedJson((err as Error).message);
    }
  }
  const body = { text, json };
  ctx.state.rawBody = body;
  return body;
}
