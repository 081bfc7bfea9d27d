import { isIP } from 'node:net';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import {
  parseRedisConfig,
  type RedisConfig,
  RedisConfigError,
} from './infrastructure/redis/redis-config.js';

/*
 * The service's configuration, read once at start from the environment and validated: a bad
 * value stops the start with a message naming the variable. docs/configuration.md lists each
 * variable with its default. The REDIS_* variables and REVOCATION_MAX_STALENESS_MS have one
 * parser, beside the adapter (redis-config.ts); it runs here, at start, when the backend is redis.
 */

/** One HS256 key; `secret` holds the raw bytes. */
export interface SigningKey {
  readonly kid: string;
  readonly secret: Uint8Array;
}

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const MIN_SECRET_BYTES = 32;

const seconds = (fallback: number) => z.coerce.number().int().min(1).default(fallback);
const count = (fallback: number) => z.coerce.number().int().min(1).max(1_000_000).default(fallback);

/**
 * Which proxies may set the client address through X-Forwarded-For: `false` (none), a hop
 * count, or trusted addresses, CIDRs and proxy-addr presets. `true` is refused: it takes the
 * leftmost address, which the client writes, so anyone could dodge the per-address throttle.
 */
export type TrustProxy = false | number | readonly string[];

const TRUST_PRESETS = new Set(['loopback', 'linklocal', 'uniquelocal']);

const trustProxyText = z.string().transform((text, context): TrustProxy => {
  const value = text.trim();
  if (value === 'false' || value === '0') return false;
  if (/^\d{1,2}$/.test(value)) return Number(value);

  const entries = value.split(',').map((entry) => entry.trim());
  const bad = entries.find((entry) => !isTrustedProxyEntry(entry));
  if (bad === undefined) return entries;
  context.addIssue({
    code: 'custom',
    message:
      value === 'true'
        ? 'true would trust a client-written address; give a hop count or proxy addresses'
        : `expected false, a hop count or addresses/CIDRs (bad entry: ${bad.slice(0, 64)})`,
  });
  return z.NEVER;
});

function isTrustedProxyEntry(entry: string): boolean {
  if (TRUST_PRESETS.has(entry)) return true;
  const [address = '', prefix, ...rest] = entry.split('/');
  const family = isIP(address);
  if (family === 0 || rest.length > 0) return false;
  if (prefix === undefined) return true;
  return /^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128);
}

const signingKeysText = z.string().transform((text, context): SigningKey[] => {
  const keys: SigningKey[] = [];
  for (const [index, entry] of text.split(',').entries()) {
    const [kid, secret, ...rest] = entry.trim().split(':');
    const problem = signingKeyProblem(kid, secret, rest.length);
    if (problem !== null) {
      // The message names the position, never the secret.
      context.addIssue({ code: 'custom', message: `key ${index + 1}: ${problem}` });
      return z.NEVER;
    }
    keys.push({ kid: kid as string, secret: Buffer.from(secret as string, 'base64url') });
  }
  return keys;
});

function signingKeyProblem(kid?: string, secret?: string, extraParts = 0): string | null {
  if (!kid || secret === undefined || extraParts > 0) return 'expected kid:base64url-secret';
  if (!/^[A-Za-z0-9._-]{1,64}$/.test(kid)) return 'kid must be 1-64 of A-Z a-z 0-9 . _ -';
  if (!/^[A-Za-z0-9_-]+$/.test(secret)) return 'secret must be base64url';
  if (Buffer.from(secret, 'base64url').length < MIN_SECRET_BYTES) {
    return `secret must decode to at least ${MIN_SECRET_BYTES} bytes`;
  }
  return null;
}

const environmentSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65_535).default(3000),
  HOST: z.string().min(1).default('127.0.0.1'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  STORAGE_BACKEND: z.enum(['memory', 'redis']).default('memory'),
  ACCESS_TOKEN_TTL_SECONDS: seconds(900),
  REFRESH_TOKEN_TTL_SECONDS: seconds(7 * 24 * 3600),
  SESSION_IDLE_TIMEOUT_SECONDS: seconds(7 * 24 * 3600),
  SESSION_ABSOLUTE_TIMEOUT_SECONDS: seconds(30 * 24 * 3600),
  SESSION_MAX_PER_USER: count(100),
  REFRESH_REUSE_GRACE_SECONDS: z.coerce.number().int().min(0).max(60).default(0),
  JWT_SIGNING_KEYS: signingKeysText.optional(),
  JWT_ISSUER: z.string().min(1).max(256).default('auth-session-stack'),
  JWT_AUDIENCE: z.string().min(1).max(256).default('auth-session-stack'),
  DATA_DIR: z.string().min(1).default(`${REPO_ROOT}.local/data`),
  LOGIN_MAX_FAILURES_PER_ACCOUNT: count(5),
  LOGIN_MAX_FAILURES_PER_ADDRESS: count(50),
  LOGIN_FAILURE_WINDOW_SECONDS: seconds(15 * 60),
  TRUST_PROXY: trustProxyText.default(false),
  CLOCK_SKEW_ALLOWANCE_SECONDS: z.coerce.number().int().min(0).max(3600).default(60),
  BODY_LIMIT_BYTES: z.coerce.number().int().min(1024).max(1_048_576).default(16_384),
});

export type Environment = z.output<typeof environmentSchema>;

export interface Config {
  readonly port: number;
  readonly host: string;
  readonly logLevel: Environment['LOG_LEVEL'];
  readonly storageBackend: Environment['STORAGE_BACKEND'];
  readonly accessTokenTtlSeconds: number;
  readonly refreshTokenTtlSeconds: number;
  readonly sessionIdleTimeoutSeconds: number;
  readonly sessionAbsoluteTimeoutSeconds: number;
  readonly sessionMaxPerUser: number;
  readonly refreshReuseGraceSeconds: number;
  /** Null when JWT_SIGNING_KEYS is unset: a development key is used (see signing-keys.ts). */
  readonly signingKeys: readonly SigningKey[] | null;
  readonly jwtIssuer: string;
  readonly jwtAudience: string;
  readonly dataDir: string;
  readonly loginMaxFailuresPerAccount: number;
  readonly loginMaxFailuresPerAddress: number;
  readonly loginFailureWindowSeconds: number;
  readonly trustProxy: TrustProxy;
  /** How far apart instances' clocks may be; widens every session and user revocation. */
  readonly clockSkewAllowanceSeconds: number;
  readonly bodyLimitBytes: number;
  /** The redis adapter's settings; null unless STORAGE_BACKEND is redis. */
  readonly redis: RedisConfig | null;
}

export class InvalidConfiguration extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`invalid configuration: ${problems.join('; ')}`);
    this.name = 'InvalidConfiguration';
  }
}

/** Parses the environment; throws `InvalidConfiguration` naming every bad variable. */
export function loadConfig(env: Readonly<Record<string, string | undefined>>): Config {
  const present = withoutEmptyValues(env);
  const parsed = environmentSchema.safeParse(present);
  if (!parsed.success) {
    throw new InvalidConfiguration(
      parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`),
    );
  }

  const e = parsed.data;
  if (e.SESSION_IDLE_TIMEOUT_SECONDS > e.SESSION_ABSOLUTE_TIMEOUT_SECONDS) {
    throw new InvalidConfiguration([
      'SESSION_IDLE_TIMEOUT_SECONDS: must not exceed SESSION_ABSOLUTE_TIMEOUT_SECONDS',
    ]);
  }

  const redis = e.STORAGE_BACKEND === 'redis' ? redisConfigFrom(present) : null;
  return {
    port: e.PORT,
    host: e.HOST,
    logLevel: e.LOG_LEVEL,
    storageBackend: e.STORAGE_BACKEND,
    accessTokenTtlSeconds: e.ACCESS_TOKEN_TTL_SECONDS,
    refreshTokenTtlSeconds: e.REFRESH_TOKEN_TTL_SECONDS,
    sessionIdleTimeoutSeconds: e.SESSION_IDLE_TIMEOUT_SECONDS,
    sessionAbsoluteTimeoutSeconds: e.SESSION_ABSOLUTE_TIMEOUT_SECONDS,
    sessionMaxPerUser: e.SESSION_MAX_PER_USER,
    refreshReuseGraceSeconds: e.REFRESH_REUSE_GRACE_SECONDS,
    signingKeys: e.JWT_SIGNING_KEYS ?? null,
    jwtIssuer: e.JWT_ISSUER,
    jwtAudience: e.JWT_AUDIENCE,
    dataDir: e.DATA_DIR,
    loginMaxFailuresPerAccount: e.LOGIN_MAX_FAILURES_PER_ACCOUNT,
    loginMaxFailuresPerAddress: e.LOGIN_MAX_FAILURES_PER_ADDRESS,
    loginFailureWindowSeconds: e.LOGIN_FAILURE_WINDOW_SECONDS,
    trustProxy: e.TRUST_PROXY,
    clockSkewAllowanceSeconds: e.CLOCK_SKEW_ALLOWANCE_SECONDS,
    bodyLimitBytes: e.BODY_LIMIT_BYTES,
    redis,
  };
}

function redisConfigFrom(env: Readonly<Record<string, string | undefined>>): RedisConfig {
  try {
    return parseRedisConfig(env);
  } catch (error) {
    if (error instanceof RedisConfigError) throw new InvalidConfiguration([error.message]);
    throw error;
  }
}

/** An empty variable (`PORT=`) means "use the default", as most shells and manifests intend. */
function withoutEmptyValues(env: Readonly<Record<string, string | undefined>>) {
  return Object.fromEntries(Object.entries(env).filter(([, value]) => value !== ''));
}
