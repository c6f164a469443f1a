/** Brand shared by every error this package throws, so callers can recognise them across copies of the package. */
const BRAND = Symbol.for('lobster.honey.error');

/** Base class: a stable `code`, and the brand that `isHoneyError` checks instead of `instanceof`. */
export class HoneyError extends Error {
  readonly code: string;
  readonly [BRAND] = true;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'HoneyError';
    this.code = code;
  }
}

/** Thrown by the factories when an option is unknown or invalid; the message names the option. */
export class HoneyConfigError extends HoneyError {
  readonly option: string;
  constructor(option: string, message: string) {
    super('HONEY_CONFIG_INVALID', `lobsterHoney: option ${option} ${message}`);
    this.name = 'HoneyConfigError';
    this.option = option;
  }
}

/** Raised to `onError` when the reporter gives up on a batch or the trap sync fails. */
export class HoneyReportError extends HoneyError {
  readonly status: number | undefined;
  constructor(message: string, status?: number, cause?: unknown) {
    super('HONEY_REPORT_FAILED', message, { cause });
    this.name = 'HoneyReportError';
    this.status = status;
  }
}

/** True for any error thrown by this package, even from another installed copy of it. */
export function isHoneyError(value: unknown): value is HoneyError {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[BRAND] === true;
}

/** True for configuration errors thrown by the factories. */
export function isHoneyConfigError(value: unknown): value is HoneyConfigError {
  return isHoneyError(value) && value.code === 'HONEY_CONFIG_INVALID';
}
