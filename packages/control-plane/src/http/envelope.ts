import type { Context } from 'koa';

/** The LobsterHoney success envelope: `{ "success": true, "data": … }`. */
export function honeyOk(ctx: Context, data: unknown, status = 200): void {
  ctx.status = status;
  ctx.body = { success: true, data };
}
