/**
 * Every key the adapter writes, in one place. Keys changed by one atomic step share a hash
 * tag (`{...}`), so each step touches one slot and the layout is ready for Redis Cluster:
 * - `{u:<userId>}`: a user's sessions, their index and their refresh tokens;
 * - `{rev}`: the revocation entries and the feed;
 * - lookups by session id, token hash and email are single keys in slots of their own.
 */
export class RedisKeys {
  constructor(readonly prefix: string) {}

  user(userId: string): string {
    return `${this.prefix}user:{${userId}}`;
  }

  email(normalisedEmail: string): string {
    return `${this.prefix}email:{${normalisedEmail}}`;
  }

  /** Prefix of every key under the user's hash tag (scripts derive sibling keys from it). */
  userTag(userId: string): string {
    return `${this.prefix}{u:${userId}}:`;
  }

  session(userId: string, sessionId: string): string {
    return `${this.userTag(userId)}session:${sessionId}`;
  }

  sessionTokens(userId: string, sessionId: string): string {
    return `${this.session(userId, sessionId)}:tokens`;
  }

  sessionIndex(userId: string): string {
    return `${this.userTag(userId)}sessions`;
  }

  refreshToken(userId: string, tokenHash: string): string {
    return `${this.userTag(userId)}refresh:${tokenHash}`;
  }

  /** session id -> user id, so a session is found without knowing its user. */
  sessionOwner(sessionId: string): string {
    return `${this.prefix}session-owner:{${sessionId}}`;
  }

  /** token hash -> user and session, so a refresh finds the token's hash tag. */
  refreshOwner(tokenHash: string): string {
    return `${this.prefix}refresh-owner:{${tokenHash}}`;
  }

  revocationEntries(): string {
    return `${this.prefix}{rev}:entries`;
  }

  revocationFeed(): string {
    return `${this.prefix}{rev}:feed`;
  }

  loginAttempts(key: string): string {
    return `${this.prefix}attempts:{${key}}`;
  }
}
