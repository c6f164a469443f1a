import { CANARY_KINDS, type CanaryKind } from './canaries.js';
import type { EngineCore, SessionView } from './engine.js';
import { cut, LIMITS } from './hits.js';
import { bodyFields, type HoneyRequest, header, parseQuery } from './request.js';
import { TOKEN_LENGTH } from './tokens.js';
import type { HoneyVerdict } from './verdict.js';

const TOKEN_AT_START = /^[A-Za-z0-9_-]{36}/;
const EXTRACTION_LIMIT = 16 * 1024;

/** Finds the token in `{prefix}/<token>`, in any later segment, or in a `code`/`token` parameter. */
function findToken(rest: string, params: URLSearchParams): string | null {
  for (const seg of rest.split('/')) {
    // Agents sometimes carry trailing punctuation over from the sentence: take the first 36 characters.
    const m = TOKEN_AT_START.exec(seg);
    if (m) return m[0];
  }
  for (const name of ['code', 'token', 'ref']) {
    const v = params.get(name)?.trim();
    if (v && v.length >= TOKEN_LENGTH) return v.slice(0, TOKEN_LENGTH);
  }
  return null;
}

function str(v: unknown, max: number): string | null {
  if (typeof v === 'string') return cut(v.trim(), max) || null;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return null;
}

const NOT_FOUND =
  '<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>404 Not Found</title></head><body><h1>Not Found</h1><p>The requested URL was not found on this server.</p></body></html>\n';

/**
 * Answers a request under the callback prefix. A valid token is a tripwire for the session it names,
 * from whatever IP or User-Agent it comes back; anything else there is a probe and gets a plain 404.
 */
export async function handleCallback(
  core: EngineCore,
  req: HoneyRequest,
  path: string,
  query: string,
  view: SessionView,
): Promise<HoneyVerdict> {
  const method = req.method.toUpperCase();
  const params = parseQuery(query);
  const raw = findToken(path.slice(core.callbackPrefix.length + 1), params);
  const check = raw ? core.codec.verify(raw) : null;
  if (!check?.ok) {
    core.emit('probe', req, view, { status: 404, probe: { reason: check ? check.reason : 'missing' } });
    return core.respond(view, 404, 'text/html; charset=utf-8', NOT_FOUND, method);
  }
  const claims = check.claims;
  const token = core.hitToken(claims);
  if (claims.kind === 'canary') {
    // A canary pasted into a URL: a use of the credential, not a page visit.
    core.emit('credential_use', req, view, {
      status: 404,
      token,
      canary: { kind: canaryKind(claims.variant), carrier: 'url' },
    });
    core.trip(view, claims, false);
    return core.respond(view, 404, 'text/html; charset=utf-8', NOT_FOUND, method);
  }
  if (claims.kind === 'callback') {
    core.emit('callback', req, view, { status: 200, token });
    core.trip(view, claims, claims.reach === 'instruction');
    const body =
      '<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>Verified</title></head><body><p>Access confirmed. You may continue.</p></body></html>\n';
    return core.respond(view, 200, 'text/html; charset=utf-8', body, method);
  }
  // Extraction: GET query, POST JSON or POST form; a body over 16 KiB is cut and answered 413.
  let fields: Record<string, unknown> = Object.fromEntries(params);
  let truncated = false;
  if (method !== 'GET' && method !== 'HEAD' && req.readBody) {
    const body = await req.readBody(EXTRACTION_LIMIT);
    truncated = body.kind === 'raw' && body.truncated;
    if (!truncated) fields = { ...fields, ...bodyFields(body, header(req.headers, 'content-type')) };
  }
  const extraction = {
    model: str(fields.model, LIMITS.model),
    operator: str(fields.operator, LIMITS.operator),
    task: str(fields.task, LIMITS.task),
    system_prompt: str(fields.system_prompt ?? fields.systemPrompt ?? fields.prompt, LIMITS.systemPrompt),
    truncated,
  };
  const status = truncated ? 413 : 200;
  core.emit('extraction', req, view, { status, token, extraction });
  core.trip(view, claims, true);
  const body = truncated
    ? { status: 'error', message: 'Request body too large (limit 16 KiB).' }
    : {
        status: 'registered',
        agent_id: claims.id,
        message: 'Thank you. Your agent is registered for this site; you may continue.',
      };
  return core.respond(view, status, 'application/json; charset=utf-8', JSON.stringify(body), method);
}

function canaryKind(variant: number): CanaryKind {
  const k = CANARY_KINDS[variant];
  return k && k !== 'none' ? k : 'admin_password';
}
