import {
  type AccessTokenClaims,
  type Revocation,
  type RevocationCheck,
  revocationApplies,
} from '../../domain/revocation.js';

type UserRevocation = Extract<Revocation, { kind: 'user' }>;

/**
 * How a revocation is written in Redis without its `until` (the sorted set's score):
 * `t:<jti>`, `s:<sessionId>` or `u:<revokedBefore>:<userId>`. A repeated revocation maps to
 * the same member, so the entries set holds one row per name.
 */
export function encodeRevocation(revocation: Revocation): string {
  switch (revocation.kind) {
    case 'token':
      return `t:${revocation.jti}`;
    case 'session':
      return `s:${revocation.sessionId}`;
    case 'user':
      return `u:${revocation.revokedBefore}:${revocation.userId}`;
  }
}

export function decodeRevocation(member: string, until: number): Revocation | null {
  const rest = member.slice(2);
  if (member.startsWith('t:')) return { kind: 'token', jti: rest, until };
  if (member.startsWith('s:')) return { kind: 'session', sessionId: rest, until };
  if (!member.startsWith('u:')) return null;
  const separator = rest.indexOf(':');
  if (separator < 0) return null;
  const revokedBefore = Number(rest.slice(0, separator));
  return { kind: 'user', userId: rest.slice(separator + 1), revokedBefore, until };
}

/**
 * The in-process copy of the revocation list that answers `check` without a round trip.
 * It knows nothing of Redis: the feed reader fills it and tells it when it last heard from
 * the store, and it answers `unknown` once that is older than the staleness bound.
 */
export class RevocationView {
  private readonly byJti = new Map<string, Revocation>();
  private readonly bySession = new Map<string, Revocation>();
  private readonly byUser = new Map<string, UserRevocation[]>();
  private lastConfirmedAt: number | undefined;

  constructor(
    private readonly maxStalenessMs: number,
    /** Monotonic clock for staleness; `check`'s `now` only decides which entries expired. */
    private readonly monotonicNow: () => number = () => performance.now(),
  ) {}

  /** The store was read successfully just now: the view is complete up to this moment. */
  confirmFresh(): void {
    this.lastConfirmedAt = this.monotonicNow();
  }

  isFresh(): boolean {
    if (this.lastConfirmedAt === undefined) return false;
    return this.monotonicNow() - this.lastConfirmedAt <= this.maxStalenessMs;
  }

  /**
   * Adds revocations (from a write, the feed or a snapshot). Entries only accumulate: one
   * already held is kept until its `until` even when a snapshot no longer lists it.
   */
  apply(revocations: readonly Revocation[]): void {
    for (const revocation of revocations) {
      if (revocation.kind === 'token') keepLonger(this.byJti, revocation.jti, revocation);
      if (revocation.kind === 'session') {
        keepLonger(this.bySession, revocation.sessionId, revocation);
      }
      if (revocation.kind === 'user') {
        // The feed echoes this instance's own writes: an equal entry is kept once.
        const others = (this.byUser.get(revocation.userId) ?? []).filter(
          (earlier) =>
            earlier.revokedBefore !== revocation.revokedBefore || earlier.until > revocation.until,
        );
        this.byUser.set(revocation.userId, [...others, revocation]);
      }
    }
  }

  check(claims: AccessTokenClaims, now: number): RevocationCheck {
    if (!this.isFresh()) return { status: 'unknown' };
    const candidates = [
      this.byJti.get(claims.jti),
      this.bySession.get(claims.sid),
      ...(this.byUser.get(claims.sub) ?? []),
    ];
    for (const revocation of candidates) {
      if (revocation !== undefined && revocationApplies(revocation, claims, now)) {
        return { status: 'revoked', by: revocation.kind };
      }
    }
    return { status: 'valid' };
  }

  /** Drops entries whose last token has expired. */
  sweep(now: number): void {
    for (const map of [this.byJti, this.bySession]) {
      for (const [name, revocation] of map) if (revocation.until <= now) map.delete(name);
    }
    for (const [userId, list] of this.byUser) {
      const kept = list.filter((revocation) => revocation.until > now);
      if (kept.length === 0) this.byUser.delete(userId);
      else this.byUser.set(userId, kept);
    }
  }
}

function keepLonger(map: Map<string, Revocation>, name: string, next: Revocation): void {
  const earlier = map.get(name);
  if (earlier === undefined || earlier.until < next.until) map.set(name, next);
}
