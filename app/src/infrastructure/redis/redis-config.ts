import { z } from 'zod';

/** Where Redis is and how the adapter uses it, read from the REDIS_* environment variables. */
export interface RedisConfig {
  readonly target:
    | { readonly mode: 'standalone'; readonly url: string }
    | {
        readonly mode: 'sentinel';
        readonly sentinels: readonly { readonly host: string; readonly port: number }[];
        readonly masterName: string;
      };
  readonly username: string | undefined;
  readonly password: string | undefined;
  readonly sentinelUsername: string | undefined;
  readonly sentinelPassword: string | undefined;
  readonly tls: boolean;
  /** Prefix of every key the adapter writes (REDIS_KEY_PREFIX, default `auth:`). */
  readonly keyPrefix: string;
  /** Replicas that must confirm a security-critical write (1 with sentinels, 0 standalone). */
  readonly waitReplicas: number;
  /** How long WAIT/WAITAOF may block for that confirmation (default 1000 ms). */
  readonly waitTimeoutMs: number;
  /** How long an operation keeps retrying through a failover before StoreUnavailable. */
  readonly failoverWaitMs: number;
  /** Older than this, the revocation view answers `unknown` (default 5000 ms). */
  readonly revocationMaxStalenessMs: number;
}

const optionalText = z
  .string()
  .optional()
  .transform((value) => (value === '' ? undefined : value));

const wholeMs = (fallback: number) => z.coerce.number().int().min(1).max(600_000).default(fallback);

const sentinelList = z
  .string()
  .regex(/^[^,:\s]+:\d{1,5}(,[^,:\s]+:\d{1,5})*$/, 'expected host:port,host:port,...')
  .transform((value) =>
    value.split(',').map((entry) => {
      const [host, port] = entry.split(':');
      return { host: host as string, port: Number(port) };
    }),
  );

const schema = z.object({
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, 'expected a redis:// or rediss:// URL')
    .optional(),
  REDIS_SENTINELS: sentinelList.optional(),
  REDIS_MASTER_NAME: z.string().min(1).default('mymaster'),
  REDIS_USERNAME: optionalText,
  REDIS_PASSWORD: optionalText,
  REDIS_SENTINEL_USERNAME: optionalText,
  REDIS_SENTINEL_PASSWORD: optionalText,
  REDIS_TLS: z.enum(['true', 'false', '1', '0']).default('false'),
  REDIS_KEY_PREFIX: z.string().min(1).max(64).default('auth:'),
  REDIS_WAIT_REPLICAS: z.coerce.number().int().min(0).max(16).optional(),
  REDIS_WAIT_TIMEOUT_MS: wholeMs(1_000),
  REDIS_FAILOVER_WAIT_MS: wholeMs(10_000),
  REVOCATION_MAX_STALENESS_MS: wholeMs(5_000),
});

/** Error thrown for a bad or missing variable; the message names it and never echoes secrets. */
export class RedisConfigError extends Error {
  override readonly name = 'RedisConfigError';
}

/** Reads the REDIS_* variables; throws RedisConfigError naming the first bad one. */
export function parseRedisConfig(env: Readonly<Record<string, string | undefined>>): RedisConfig {
  const result = schema.safeParse(env);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new RedisConfigError(`${String(issue?.path[0])}: ${issue?.message}`);
  }
  const vars = result.data;
  if (vars.REDIS_URL === undefined && vars.REDIS_SENTINELS === undefined) {
    throw new RedisConfigError('REDIS_URL or REDIS_SENTINELS: one of them must be set');
  }
  if (vars.REDIS_URL !== undefined && vars.REDIS_SENTINELS !== undefined) {
    throw new RedisConfigError('REDIS_URL and REDIS_SENTINELS: set only one of them');
  }

  const target =
    vars.REDIS_SENTINELS === undefined
      ? { mode: 'standalone' as const, url: vars.REDIS_URL as string }
      : {
          mode: 'sentinel' as const,
          sentinels: vars.REDIS_SENTINELS,
          masterName: vars.REDIS_MASTER_NAME,
        };

  return {
    target,
    username: vars.REDIS_USERNAME,
    password: vars.REDIS_PASSWORD,
    sentinelUsername: vars.REDIS_SENTINEL_USERNAME,
    sentinelPassword: vars.REDIS_SENTINEL_PASSWORD,
    tls: vars.REDIS_TLS === 'true' || vars.REDIS_TLS === '1',
    keyPrefix: vars.REDIS_KEY_PREFIX,
    waitReplicas: vars.REDIS_WAIT_REPLICAS ?? (target.mode === 'sentinel' ? 1 : 0),
    waitTimeoutMs: vars.REDIS_WAIT_TIMEOUT_MS,
    failoverWaitMs: vars.REDIS_FAILOVER_WAIT_MS,
    revocationMaxStalenessMs: vars.REVOCATION_MAX_STALENESS_MS,
  };
}
