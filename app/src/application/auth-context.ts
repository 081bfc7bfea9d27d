import type { Config } from '../config.js';
import type { Storage } from '../domain/ports.js';
import type { AccessTokens } from './access-tokens.js';
import type { PasswordHasher } from './passwords.js';

/** The rules of the service, in milliseconds, derived once from the configuration. */
export interface AuthPolicy {
  readonly accessTokenTtlMs: number;
  readonly refreshTokenTtlMs: number;
  readonly sessionIdleTimeoutMs: number;
  readonly sessionAbsoluteTimeoutMs: number;
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
    refreshTokenTtlMs: config.refreshTokenTtlSeconds * 1000,
    sessionIdleTimeoutMs: config.sessionIdleTimeoutSeconds * 1000,
    sessionAbsoluteTimeoutMs: config.sessionAbsoluteTimeoutSeconds * 1000,
    refreshReuseGraceMs: config.refreshReuseGraceSeconds * 1000,
    maxFailuresPerAccount: config.loginMaxFailuresPerAccount,
    maxFailuresPerAddress: config.loginMaxFailuresPerAddress,
    failureWindowMs: config.loginFailureWindowSeconds * 1000,
  };
}
