import type { AttemptWindow } from './login-attempt.js';
import type { RefreshTokenRecord, RotationOutcome, RotationRequest } from './refresh-token.js';
import type { AccessTokenClaims, Revocation, RevocationCheck } from './revocation.js';
import type { Session } from './session.js';
import type { User } from './user.js';

/*
 * The storage ports. Every adapter (memory, redis) passes one contract suite written against
 * these interfaces. Rules shared by all of them:
 * - Times are epoch milliseconds passed in by the caller, so tests control the clock.
 * - A method that resolves has done its work durably, as durable as the adapter promises
 *   (redis: confirmed by the configured number of replicas). A fault rejects with
 *   `StoreUnavailable`; nothing else that is not a domain error escapes an adapter.
 * - Each method is one atomic step: no caller ever sees half of it.
 */

export interface UserRepository {
  /** Stores a new user; rejects with `EmailAlreadyTaken` when the (normalised) email exists. */
  create(user: User): Promise<void>;
  findByEmail(email: string): Promise<User | null>;
  findById(id: string): Promise<User | null>;
}

export interface SessionRepository {
  /**
   * Stores the session, indexes it under its user and stores its first refresh token. When the
   * user then has more than `maxPerUser` live sessions, the ones closest to their end (the least
   * recently used) are deleted in the same step, with their refresh tokens, and their ids are
   * returned so the caller can revoke their access tokens. No cap when `maxPerUser` is omitted.
   */
  create(
    session: Session,
    refreshToken: RefreshTokenRecord,
    maxPerUser?: number,
  ): Promise<string[]>;
  /** The session if it exists and is live at `now`, else null. */
  findLive(sessionId: string, now: number): Promise<Session | null>;
  /** The user's sessions live at `now`, oldest first. Ended ones are never returned. */
  listLive(userId: string, now: number): Promise<Session[]>;
  /** Spends the presented refresh token and stores its successor, sliding the idle expiry. */
  rotateRefreshToken(request: RotationRequest): Promise<RotationOutcome>;
  /** Deletes the session, its refresh tokens and its index entry; true if it existed. */
  delete(userId: string, sessionId: string): Promise<boolean>;
  /** Deletes every session of the user with their refresh tokens; returns their ids. */
  deleteAllForUser(userId: string): Promise<string[]>;
  /**
   * Optional: how many sessions of all users are live at `now`, for the live sessions gauge.
   * An adapter that cannot answer cheaply leaves it out.
   */
  countLive?(now: number): Promise<number>;
}

/**
 * The revocation list. Writes go to the store; checks are answered in-process, from a view
 * that every instance keeps current (the hot path costs no round trip).
 */
export interface RevocationList {
  /** Records the revocations and makes every instance's view honour them. */
  revoke(revocations: readonly Revocation[]): Promise<void>;
  /** Synchronous and in-process. Callers treat `unknown` as revoked (fail closed). */
  check(claims: AccessTokenClaims, now: number): RevocationCheck;
}

/**
 * Login attempts per key (an account, a client address) in fixed windows. An attempt is
 * counted before its password is checked, so concurrent guesses cannot all pass one low
 * count; it stays counted as a failure unless the login succeeds and gives it back.
 */
export interface LoginAttemptCounter {
  /**
   * Counts one attempt under each key, one atomic step per key, and returns each key's window
   * including it. A key's window opens at its first attempt, for `windowMs`.
   */
  reserve(keys: readonly string[], windowMs: number, now: number): Promise<AttemptWindow[]>;
  /** Takes back one attempt of the key's open window (a login that succeeded); else nothing. */
  release(key: string, now: number): Promise<void>;
  /** Forgets every attempt of one key (after a successful login of that account). */
  reset(key: string): Promise<void>;
}

/** One storage backend, as the composition root sees it. */
export interface Storage {
  readonly backend: 'memory' | 'redis';
  readonly users: UserRepository;
  readonly sessions: SessionRepository;
  readonly revocations: RevocationList;
  readonly loginAttempts: LoginAttemptCounter;
  /** True when the store can serve requests now (used by /readyz). Never rejects. */
  isReady(): Promise<boolean>;
  /** Releases connections and timers; the process can exit afterwards. */
  close(): Promise<void>;
}
