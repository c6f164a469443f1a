// The framework-free core. Adapters live under the ./express, ./koa and ./fastify subpaths.
export type { AgentClaim, AgentPurpose } from './agents.js';
export { isBotUserAgent, KNOWN_AGENT_COUNT, matchAgent } from './agents.js';
export type { CanaryKind } from './canaries.js';
export { CANARY_KINDS } from './canaries.js';
export type { HoneyEngine } from './engine.js';
export { BODY_LIMIT, createHoneyEngine } from './engine.js';
export {
  HoneyConfigError,
  HoneyError,
  HoneyReportError,
  isHoneyConfigError,
  isHoneyError,
} from './errors.js';
export type { CanaryCarrier, HitRecord, HitToken, HitType } from './hits.js';
export { LIMITS } from './hits.js';
export type {
  EnforceResponse,
  HoneyOptions,
  HoneyReporterOptions,
  HoneyTrapConfig,
  HoneyTrapsOption,
  HoneyTripwiresOptions,
  PathPattern,
} from './options.js';
export type { ReporterStats } from './reporter.js';
export { MAX_BATCH_BYTES } from './reporter.js';
export type { HoneyRequest, RequestBody, TrustProxy } from './request.js';
export { readLimited } from './request.js';
export type { TokenChannel, TokenCheck, TokenClaims, TokenKind, TokenReach } from './tokens.js';
export { TOKEN_CHANNELS, TOKEN_KINDS, TOKEN_REACHES } from './tokens.js';
export { DEFAULT_TRAP_SET } from './traps/catalog.js';
export type {
  InjectionFormat,
  Trap,
  TrapContext,
  TrapRenderer,
  TrapResponse,
  TrapType,
} from './traps/types.js';
export { INJECTION_FORMATS, TRAP_TYPES } from './traps/types.js';
export type { Insertion as TripwireInsertion } from './tripwires/inserter.js';
export type { TripwirePlan } from './tripwires/response.js';
export { uuidv7 } from './uuid.js';
export type { ContinueVerdict, HoneySession, HoneyVerdict, RespondVerdict } from './verdict.js';
export { VERSION } from './version.js';
