/**
 * Every error a client can see is an ApiError: an HTTP status, a stable UPPER_SNAKE code and a message
 * that is safe to show. Anything else that escapes a handler becomes a 500 INTERNAL_ERROR whose details
 * are logged, never sent.
 */
const BRAND = Symbol.for('lobster.ApiError');

export class ApiError extends Error {
  readonly [BRAND] = true;
  override name = 'ApiError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** Extra response headers, e.g. `Retry-After` or `Allow`. */
    readonly headers: Record<string, string> = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export function isApiError(value: unknown): value is ApiError {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[BRAND] === true;
}

export class ValidationFailed extends ApiError {
  constructor(message: string) {
    super(400, 'VALIDATION_ERROR', message);
  }
}

export class MalformedJson extends ApiError {
  constructor(detail: string) {
    super(400, 'INVALID_JSON', `Request body is not valid JSON: ${detail}`);
  }
}

export class Unauthorized extends ApiError {
  constructor(message = 'Missing or invalid credentials') {
    super(401, 'UNAUTHORIZED', message, { 'WWW-Authenticate': 'Bearer' });
  }
}

export class Forbidden extends ApiError {
  constructor(message: string) {
    super(403, 'FORBIDDEN', message);
  }
}

export class NotFound extends ApiError {
  constructor(code: string, message: string) {
    super(404, code, message);
  }
}

export class RouteNotFound extends NotFound {
  constructor(method: string, path: string) {
    super('NOT_FOUND', `No route for ${method} ${path}`);
  }
}

export class MethodNotAllowed extends ApiError {
  constructor(method: string, path: string, allowed: string[]) {
    super(405, 'METHOD_NOT_ALLOWED', `${method} is not allowed on ${path}; use ${allowed.join(', ')}`, {
      Allow: allowed.join(', '),
    });
  }
}

export class UnsupportedMediaType extends ApiError {
  constructor(type: string) {
    super(415, 'UNSUPPORTED_MEDIA_TYPE', `Content-Type must be application/json, got "${type}"`);
  }
}

export class PayloadTooLarge extends ApiError {
  constructor(limitBytes: number) {
    super(413, 'PAYLOAD_TOO_LARGE', `Request body exceeds the limit of ${limitBytes} bytes`, {
      Connection: 'close',
    });
  }
}

export class RateLimited extends ApiError {
  constructor(retryAfterSeconds: number) {
    super(429, 'RATE_LIMITED', `Rate limit exceeded; retry in ${retryAfterSeconds} s`, {
      'Retry-After': String(retryAfterSeconds),
    });
  }
}

export class IdempotencyKeyReused extends ApiError {
  constructor() {
    super(
      422,
      'IDEMPOTENCY_KEY_REUSED',
      'This Idempotency-Key was already used with a different request body',
    );
  }
}

export class IdempotencyKeyInUse extends ApiError {
  constructor() {
    super(409, 'IDEMPOTENCY_KEY_IN_USE', 'A request with this Idempotency-Key is still being processed');
  }
}

export class ServiceUnavailable extends ApiError {
  constructor(message: string) {
    super(503, 'UNAVAILABLE', message);
  }
}
