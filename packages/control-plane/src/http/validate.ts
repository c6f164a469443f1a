import type { Context } from 'koa';
import type { z } from 'zod';
import { readJsonBody } from './body.js';
import { ValidationFailed } from './errors.js';

/**
 * "name: expected string, received number; scope: invalid option" — every problem, each with its field.
 * `root` names the value itself: "body" and "query" are implied, anything else (e.g. "hits[2]") is
 * prefixed to the field paths.
 */
function describe(error: z.ZodError, root: string): string {
  const prefix = root === 'body' || root === 'query' ? '' : `${root}.`;
  return error.issues
    .map((issue) => {
      const field = issue.path.length ? `${prefix}${issue.path.join('.')}` : root;
      if (issue.code === 'unrecognized_keys') {
        const base = issue.path.length ? `${field}.` : prefix;
        return `${issue.keys.map((k) => `${base}${k}`).join(', ')}: unknown field`;
      }
      return `${field}: ${issue.message}`;
    })
    .join('; ');
}

export function parseWith<T extends z.ZodType>(schema: T, value: unknown, root: string): z.output<T> {
  const result = schema.safeParse(value);
  if (!result.success) throw new ValidationFailed(describe(result.error, root));
  return result.data;
}

/** Reads and validates a JSON body; a missing body counts as `{}` so "required" errors name the fields. */
export async function parseBody<T extends z.ZodType>(ctx: Context, schema: T): Promise<z.output<T>> {
  const { json } = await readJsonBody(ctx);
  return parseWith(schema, json === undefined ? {} : json, 'body');
}

export function parseQuery<T extends z.ZodType>(ctx: Context, schema: T): z.output<T> {
  return parseWith(schema, ctx.query, 'query');
}
