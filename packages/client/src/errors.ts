/**
 * Every error the client throws is a LobsterError. It is recognised by a `Symbol.for` brand that lists
 * the kinds it is (its class and every ancestor), so `NotFoundError.is(e)` works even when two copies of
 * this package are loaded and `instanceof` would say no.
 */
const BRAND = Symbol.for('lobster.client.error');

interface Branded {
  [BRAND]: readonly string[];
}

function hasKind(value: unknown, kind: string): boolean {
  if (typeof value !== 'object' || value === null) return false;
  const kinds = (value as Partial<Branded>)[BRAND];
  return Array.isArray(kinds) && kinds.includes(kind);
}

export interface ErrorDetails {
  status: number;
  code: string;
  message: string;
  /** The server's `X-Request-Id` (quote it in a bug report); null when no response arrived. */
  requestId?: string | null;
  cause?: unknown;
}

export class LobsterError extends Error {
  static readonly kind: string = 'LobsterError';
  declare readonly [BRAND]: readonly string[];
  /** HTTP status; 0 when no response arrived (connection failure, timeout, bad options). */
  readonly status: number;
  /** Stable UPPER_SNAKE code, the server's when it sent one. */
  readonly code: string;
  readonly requestId: string | null;

  constructor(details: ErrorDetails) {
    super(details.message, details.cause === undefined ? undefined : { cause: details.cause });
    this.status = details.status;
    this.code = details.code;
    this.requestId = details.requestId ?? null;
    const kinds: string[] = [];
    for (
      let c = new.target as unknown;
      typeof c === 'function' && 'kind' in c;
      c = Object.getPrototypeOf(c)
    ) {
      const kind = (c as { kind: string }).kind;
      if (!kinds.includes(kind)) kinds.push(kind);
    }
    Object.defineProperty(this, BRAND, { value: Object.freeze(kinds), enumerable: false });
    this.name = kinds[0] ?? 'LobsterError';
  }

  /**
   * True when `value` is a LobsterError (of any kind), from any copy of the package. Every class has its
   * own `is`, usable unbound: `errors.filter(NotFoundError.is)`.
   * @example if (NotFoundError.is(err)) return null;
   */
  static readonly is = (value: unknown): value is LobsterError => hasKind(value, 'LobsterError');
}

/** The server answered with an error status. */
export class ApiError extends LobsterError {
  static override readonly kind: string = 'ApiError';
  static override readonly is = (value: unknown): value is ApiError => hasKind(value, 'ApiError');
}
export class BadRequestError extends ApiError {
  static override readonly kind: string = 'BadRequestError';
  static override readonly is = (value: unknown): value is BadRequestError =>
    hasKind(value, 'BadRequestError');
}
export class AuthenticationError extends ApiError {
  static override readonly kind: string = 'AuthenticationError';
  static override readonly is = (value: unknown): value is AuthenticationError =>
    hasKind(value, 'AuthenticationError');
}
export class PermissionDeniedError extends ApiError {
  static override readonly kind: string = 'PermissionDeniedError';
  static override readonly is = (value: unknown): value is PermissionDeniedError =>
    hasKind(value, 'PermissionDeniedError');
}
export class NotFoundError extends ApiError {
  static override readonly kind: string = 'NotFoundError';
  static override readonly is = (value: unknown): value is NotFoundError => hasKind(value, 'NotFoundError');
}
export class ConflictError extends ApiError {
  static override readonly kind: string = 'ConflictError';
  static override readonly is = (value: unknown): value is ConflictError => hasKind(value, 'ConflictError');
}
export class UnprocessableEntityError extends ApiError {
  static override readonly kind: string = 'UnprocessableEntityError';
  static override readonly is = (value: unknown): value is UnprocessableEntityError =>
    hasKind(value, 'UnprocessableEntityError');
}
export class RateLimitError extends ApiError {
  static override readonly kind: string = 'RateLimitError';
  static override readonly is = (value: unknown): value is RateLimitError => hasKind(value, 'RateLimitError');
  /** Seconds the server asked us to wait (`Retry-After`), when it said. */
  readonly retryAfter: number | null;
  constructor(details: ErrorDetails & { retryAfter?: number | null }) {
    super(details);
    this.retryAfter = details.retryAfter ?? null;
  }
}
export class InternalServerError extends ApiError {
  static override readonly kind: string = 'InternalServerError';
  static override readonly is = (value: unknown): value is InternalServerError =>
    hasKind(value, 'InternalServerError');
}

/** No response: the connection failed or was cut. */
export class ConnectionError extends LobsterError {
  static override readonly kind: string = 'ConnectionError';
  static override readonly is = (value: unknown): value is ConnectionError =>
    hasKind(value, 'ConnectionError');
}
/** No response within `timeoutMs`. */
export class TimeoutError extends ConnectionError {
  static override readonly kind: string = 'TimeoutError';
  static override readonly is = (value: unknown): value is TimeoutError => hasKind(value, 'TimeoutError');
}
/** The client was constructed or called with options it cannot use; the message names the option. */
export class InvalidOptionsError extends LobsterError {
  static override readonly kind: string = 'InvalidOptionsError';
  static override readonly is = (value: unknown): value is InvalidOptionsError =>
    hasKind(value, 'InvalidOptionsError');
  constructor(message: string) {
    super({ status: 0, code: 'INVALID_OPTIONS', message });
  }
}

const BY_STATUS: Record<number, typeof ApiError> = {
  400: BadRequestError,
  401: AuthenticationError,
  403: PermissionDeniedError,
  404: NotFoundError,
  409: ConflictError,
  422: UnprocessableEntityError,
};

/**
 * Reads either surface's error envelope — LobsterHoney `{success: false, error, code}` or LobsterCage
 * `{error: {code, message}}` — and picks the class for the status.
 */
export function errorFromResponse(
  status: number,
  body: unknown,
  headers: { get(name: string): string | null },
  retryAfter: number | null,
): ApiError {
  let code = `HTTP_${status}`;
  let message = `The server answered ${status}`;
  const b = body as { error?: unknown; code?: unknown } | null;
  if (b && typeof b === 'object') {
    if (typeof b.error === 'string') {
      message = b.error;
      if (typeof b.code === 'string') code = b.code;
    } else if (b.error && typeof b.error === 'object') {
      const e = b.error as { code?: unknown; message?: unknown };
      if (typeof e.code === 'string') code = e.code;
      if (typeof e.message === 'string') message = e.message;
    }
  }
  const details = { status, code, message, requestId: headers.get('x-request-id') };
  if (status === 429) return new RateLimitError({ ...details, retryAfter });
  if (status >= 500) return new InternalServerError(details);
  const Class = BY_STATUS[status] ?? ApiError;
  return new Class(details);
}
