import type { Config } from '../config.js';
import type { Storage } from '../domain/ports.js';
import type { AccessTokens } from './access-tokens.js';
import type { PasswordHasher } from './passwords.js';

/** The rules of the service, in milliseconds, derived once from the configuration. */
export interface AuthPolicy {
  readonly accessTokenTtlMs: number;
  /**
   * How long a session or user revocation is kept from the moment it is decided: long enough
   * to outlive any access token still issued for that session (see `revocationHorizonMs`).
   */
  readonly revocationHorizonMs: number;
  readonly refreshTokenTtlMs: number;
  readonly sessionIdleTimeoutMs: number;
  readonly sessionAbsoluteTimeoutMs: number;
  /** Live sessions one user may hold; a login past it ends their least recently used one. */
  readonly maxSessionsPerUser: number;
  readonly refreshReuseGraceMs: number;
  readonly maxFailuresPerAccount: number;
  readonly maxFailuresPerAddress: number;
  readonly failureWindowMs: number;
}

/** What every use case needs; built once by the composition root. */
export interface AuthContext {
  readonly storage: Storage;
  readonly passwords: PasswordHasher;
  readonly accessTokens: AccessTokens;
  readonly policy: AuthPolicy;
  /** Epoch milliseconds; tests pass their own. */
  readonly clock: () => number;
}

export function policyFrom(config: Config): AuthPolicy {
  return {
    accessTokenTtlMs: config.accessTokenTtlSeconds * 1000,
    revocationHorizonMs: revocationHorizonMs(config),
    refreshTokenTtlMs: config.refreshTokenTtlSeconds * 1000,
    sessionIdleTimeoutMs: config.sessionIdleTimeoutSeconds * 1000,
    sessionAbsoluteTimeoutMs: config.sessionAbsoluteTimeoutSeconds * 1000,
    maxSessionsPerUser: config.sessionMaxPerUser,
    refreshReuseGraceMs: config.refreshReuseGraceSeconds * 1000,
    maxFailuresPerAccount: config.loginMaxFailuresPerAccount,
    maxFailuresPerAddress: config.loginMaxFailuresPerAddress,
    failureWindowMs: config.loginFailureWindowSeconds * 1000,
  };
}

/**
 * A refresh of the same session may race a logout: it can sign a token after the revocation
 * was decided, as late as the store's longest bounded wait (retries through a failover, then
 * the replica confirmation), on an instance whose clock runs ahead by up to the skew
 * allowance. The revocation must outlive that token too.
 */
export function revocationHorizonMs(config: Config): number {
  const storeWaitMs =
    config.redis === null ? 0 : config.redis.failoverWaitMs + config.redis.waitTimeoutMs;
  const skewMs = config.clockSkewAllowanceSeconds * 1000;
  return config.accessTokenTtlSeconds * 1000 + storeWaitMs + skewMs;
}
