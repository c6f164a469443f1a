export { LobsterClient, type LobsterClientOptions } from './client.js';
export {
  ApiError,
  AuthenticationError,
  BadRequestError,
  ConflictError,
  ConnectionError,
  type ErrorDetails,
  InternalServerError,
  InvalidOptionsError,
  LobsterError,
  NotFoundError,
  PermissionDeniedError,
  RateLimitError,
  TimeoutError,
  UnprocessableEntityError,
} from './errors.js';
export type { FetchLike, RequestOptions } from './http.js';
export type { CursorPage, ListPromise, OffsetPage, Page } from './pagination.js';
export type { PollParams } from './poll.js';
export type { AlertCreateParams, AlertUpdateParams } from './resources/alerts.js';
export type { ApiKeyCreateParams, ApiKeyListParams } from './resources/api-keys.js';
export type { EventListParams } from './resources/events.js';
export type { SessionListParams } from './resources/sessions.js';
export type { TrapCreateParams, TrapUpdateParams } from './resources/traps.js';
export type { StreamParams } from './stream.js';
export type * from './types.js';
export { VERSION } from './version.js';
