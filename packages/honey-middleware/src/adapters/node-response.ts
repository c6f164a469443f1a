import type { ServerResponse } from 'node:http';
import type { HoneyEngine } from '../engine.js';
import type { HoneyRequest } from '../request.js';
import type { TripwirePlan } from '../tripwires/response.js';
import type { HoneyVerdict, RespondVerdict } from '../verdict.js';

/** Sends a verdict's answer on a Node response, unless the app already started one. */
function writeVerdict(res: ServerResponse, v: RespondVerdict): void {
  if (res.headersSent) return;
  res.writeHead(v.status, v.headers);
  res.end(v.body);
}

/**
 * With `precedence: 'app'`, on a Node response: let the app answer first and serve the trap only if it
 * answered 404 (its 404 page is dropped then, headers included).
 */
function serveTrapIfNotFound(engine: HoneyEngine, hreq: HoneyRequest, res: ServerResponse): void {
  const end = res.end;
  const patched = function (this: ServerResponse, ...args: unknown[]): ServerResponse {
    res.end = end;
    if (res.statusCode !== 404 || res.headersSent)
      return (end as (...a: unknown[]) => ServerResponse).apply(this, args);
    void engine.serveTrap(hreq).then((v) => {
      if (v.action !== 'respond') return (end as (...a: unknown[]) => ServerResponse).apply(res, args);
      for (const name of res.getHeaderNames()) res.removeHeader(name);
      writeVerdict(res, v);
    });
    return res;
  };
  res.end = patched as ServerResponse['end'];
}

/**
 * Applies a verdict on a Node response for the adapters whose app answers on it (Express, a Node
 * listener): sends the engine's answer, or sets up what the app's answer gets (a trap in place of its 404,
 * page tripwires through `install`, the credential hit once it is sent). True when the app is to answer:
 * the caller then hands the request on (no closure per request for that).
 */
export function applyVerdict(
  engine: HoneyEngine,
  hreq: HoneyRequest,
  res: ServerResponse,
  v: HoneyVerdict,
  install: (res: ServerResponse, plan: TripwirePlan) => void,
): boolean {
  if (v.action === 'respond') {
    writeVerdict(res, v);
    return false;
  }
  if (v.deferredTrap) serveTrapIfNotFound(engine, hreq, res);
  else {
    const plan = engine.tripwires(hreq, v.session);
    if (plan) install(res, plan);
  }
  const after = v.afterResponse;
  if (after) res.once('close', () => after(res.statusCode));
  return true;
}
