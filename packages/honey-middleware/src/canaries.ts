import { randomString } from './random.js';
import { shortTag, TOKEN_BYTES, type TokenClaims, type TokenCodec } from './tokens.js';

/** Shapes of canary credential. The index in this list is the token's `variant`. */
export const CANARY_KINDS = [
  'none',
  'openai_key',
  'anthropic_key',
  'aws_access_key',
  'stripe_key',
  'github_token',
  'database_url',
  'admin_password',
] as const;
export type CanaryKind = Exclude<(typeof CANARY_KINDS)[number], 'none'>;

const B62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const B32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
const B64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const B62_WIDTH = 37; // 62^37 > 2^216, so 27 bytes always fit in 37 characters
const AWS_ID_LABEL = 'aws-access-key-id';

const B62_4 = 62 ** 4;
const limbs: number[] = [];
const digits: number[] = [];

/**
 * Big-endian base 256 to fixed-width base 62 (`B62_WIDTH` digits), by long division in doubles: 24-bit
 * limbs divided by 62^4 per pass, so every step stays below 2^53 and a pass yields four digits. A digit
 * per pass over single bytes cost ~9 µs for the two canaries of a trap that use it; BigInt costs more.
 */
export function toBase62(bytes: Uint8Array): string {
  const count = Math.ceil(bytes.length / 3);
  // The first limb takes what is left over, so the others are whole 3-byte groups.
  for (let j = 0, i = bytes.length - 3 * count; j < count; j++, i += 3)
    limbs[j] = ((i >= 0 ? bytes[i]! : 0) << 16) | ((i + 1 >= 0 ? bytes[i + 1]! : 0) << 8) | bytes[i + 2]!;
  const passes = Math.ceil(B62_WIDTH / 4);
  for (let pass = 0; pass < passes; pass++) {
    let rem = 0;
    for (let j = 0; j < count; j++) {
      const cur = rem * 0x1000000 + limbs[j]!;
      const q = Math.floor(cur / B62_4);
      limbs[j] = q;
      rem = cur - q * B62_4;
    }
    // rem < 62^4 < 2^24: small-integer arithmetic from here (a double's % is a library call).
    let small = rem | 0;
    for (let k = 0, at = 4 * (passes - pass) - 1; k < 4; k++, at--) {
      const quotient = (small / 62) | 0;
      digits[at] = B62.charCodeAt(small - quotient * 62);
      small = quotient;
    }
  }
  return String.fromCharCode(...digits.slice(4 * passes - B62_WIDTH, 4 * passes));
}

function fromBase62(text: string): Buffer | null {
  let n = 0n;
  for (const ch of text) {
    const v = B62.indexOf(ch);
    if (v < 0) return null;
    n = n * 62n + BigInt(v);
  }
  const hex = n.toString(16).padStart(TOKEN_BYTES * 2, '0');
  return hex.length === TOKEN_BYTES * 2 ? Buffer.from(hex, 'hex') : null;
}

function toBase32(bytes: Uint8Array): string {
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += B32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  return out;
}

function fromBase32(text: string): Buffer | null {
  const out: number[] = [];
  let bits = 0;
  let value = 0;
  for (const ch of text) {
    const v = B32.indexOf(ch);
    if (v < 0) return null;
    value = ((value << 5) | v) & 0xffff;
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Buffer.from(out);
}

/** Every canary planted in one trap response; each one carries its own signed token. */
export interface CanarySet {
  openai: string;
  anthropic: string;
  awsAccessKeyId: string;
  awsSecretAccessKey: string;
  stripe: string;
  github: string;
  databaseUrl: string;
  databasePassword: string;
  adminPassword: string;
}

/** What a trap needs to mint canaries for one visitor. */
export interface CanaryMint {
  codec: TokenCodec;
  session: string;
  trapRef: string;
}

function mint(m: CanaryMint, kind: CanaryKind): Buffer {
  return m.codec.mintBytes({
    kind: 'canary',
    channel: 'credential',
    reach: 'text',
    variant: CANARY_KINDS.indexOf(kind),
    session: m.session,
    trapRef: m.trapRef,
  });
}

/** The 20-character AWS access key id of a session: too short for a token, so a keyed tag of the session. */
export function awsAccessKeyId(codec: TokenCodec, session: string): string {
  const sess = Buffer.from(session, 'hex');
  return `AKIA${toBase32(Buffer.concat([sess, shortTag(codec, AWS_ID_LABEL, sess, 4)]))}`;
}

/** Format-valid fake credentials, fresh for each response, each carrying a token naming the visitor. */
export function mintCanaries(m: CanaryMint, dbHost = 'db-primary.internal'): CanarySet {
  const dbPassword = mint(m, 'database_url').toString('base64url');
  return {
    openai: `sk-proj-${mint(m, 'openai_key').toString('base64url')}${randomString(B64URL, 120)}`,
    anthropic: `sk-ant-api03-${mint(m, 'anthropic_key').toString('base64url')}${randomString(B64URL, 57)}AA`,
    awsAccessKeyId: awsAccessKeyId(m.codec, m.session),
    awsSecretAccessKey: mint(m, 'aws_access_key').toString('base64') + randomString(B62, 4),
    stripe: `sk_live_51${toBase62(mint(m, 'stripe_key'))}${randomString(B62, 60)}`,
    github: `github_pat_11${randomString('ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789', 20)}_${toBase62(mint(m, 'github_token'))}${randomString(B62, 22)}`,
    databaseUrl: `postgres://app_rw:${dbPassword}@${dbHost}:5432/app_production`,
    databasePassword: dbPassword,
    adminPassword: mint(m, 'admin_password').toString('base64url'),
  };
}

/** A canary recognised in a request, verified. `claims.issuedAt` is 0 for AWS key ids (no room). */
export interface CanaryMatch {
  kind: CanaryKind;
  claims: TokenClaims;
}

function fromClaims(claims: TokenClaims): CanaryMatch | null {
  const kind = CANARY_KINDS[claims.variant];
  if (claims.kind !== 'canary' || !kind || kind === 'none') return null;
  return { kind, claims };
}

function checkAwsId(codec: TokenCodec, value: string): CanaryMatch | null {
  if (value.length < 20 || !value.startsWith('AKIA')) return null;
  const raw = fromBase32(value.slice(4, 20));
  if (raw?.length !== 10) return null;
  const sess = raw.subarray(0, 6);
  if (!shortTag(codec, AWS_ID_LABEL, sess, 4).equals(raw.subarray(6, 10))) return null;
  const session = sess.toString('hex');
  return {
    kind: 'aws_access_key',
    claims: {
      id: `aws${session}0`.slice(0, 16),
      kind: 'canary',
      channel: 'credential',
      reach: 'text',
      variant: CANARY_KINDS.indexOf('aws_access_key'),
      session,
      trapRef: '000000',
      issuedAt: 0,
    },
  };
}

/**
 * Recognises a canary by its provider prefix. Cheap on everything else: a few `startsWith` checks,
 * and one MAC check only when a prefix matches. Safe for the Authorization header of every request.
 */
export function matchPrefixedCanary(codec: TokenCodec, value: string): CanaryMatch | null {
  let bytes: Buffer | null = null;
  if (value.startsWith('sk-proj-')) bytes = Buffer.from(value.slice(8, 44), 'base64url');
  else if (value.startsWith('sk-ant-api03-')) bytes = Buffer.from(value.slice(13, 49), 'base64url');
  else if (value.startsWith('sk_live_51')) bytes = fromBase62(value.slice(10, 10 + B62_WIDTH));
  else if (value.startsWith('github_pat_11')) bytes = fromBase62(value.slice(34, 34 + B62_WIDTH));
  else if (value.startsWith('AKIA')) return checkAwsId(codec, value);
  else return null;
  if (!bytes || bytes.length !== TOKEN_BYTES) return null;
  const check = codec.verifyBytes(bytes);
  return check.ok ? fromClaims(check.claims) : null;
}

/**
 * Also recognises the bare forms (database and admin passwords, the AWS secret key). Costs one MAC check for
 * any 36- or 40-character string, so it is used only where a password is expected: Basic auth,
 * `X-Api-Key`, `api_key`/`key` query parameters and trap login bodies.
 */
export function matchAnyCanary(codec: TokenCodec, value: string): CanaryMatch | null {
  const prefixed = matchPrefixedCanary(codec, value);
  if (prefixed) return prefixed;
  let bytes: Buffer | null = null;
  if (value.length === 36 && /^[A-Za-z0-9_-]+$/.test(value)) bytes = Buffer.from(value, 'base64url');
  else if (value.length === 40 && /^[A-Za-z0-9+/]+$/.test(value))
    bytes = Buffer.from(value.slice(0, 36), 'base64');
  if (!bytes || bytes.length !== TOKEN_BYTES) return null;
  const check = codec.verifyBytes(bytes);
  return check.ok ? fromClaims(check.claims) : null;
}
