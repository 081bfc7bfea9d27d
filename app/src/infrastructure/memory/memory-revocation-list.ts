import type { RevocationList } from '../../domain/ports.js';
import {
  type AccessTokenClaims,
  type Revocation,
  type RevocationCheck,
  revocationApplies,
} from '../../domain/revocation.js';

type UserRevocation = Extract<Revocation, { kind: 'user' }>;

/**
 * The revocation list of one process: the store and the view are the same maps, so a check
 * always sees every revocation that has resolved. Entries past `until` are ignored on read
 * and dropped by `sweep`.
 *
 * A restart forgets every revocation while the signing key lives on, so a token issued by an
 * earlier process is refused: its session died with that process anyway. As with user-wide
 * revocations, `iat` has whole seconds and the cut is the start's own second.
 * TODO(memory): a token an earlier process issued in the very second this one started is
 * still honoured; closing that would refuse this process's own first-second tokens.
 */
export class MemoryRevocationList implements RevocationList {
  private readonly byJti = new Map<string, Revocation>();
  private readonly bySession = new Map<string, Revocation>();
  private readonly byUser = new Map<string, UserRevocation>();
  private readonly startSecondMs: number;

  /** `startedAt`: when this process's memory began (epoch ms). */
  constructor(startedAt: number) {
    this.startSecondMs = Math.floor(startedAt / 1000) * 1000;
  }

  async revoke(revocations: readonly Revocation[]): Promise<void> {
    for (const revocation of revocations) this.record(revocation);
  }

  check(claims: AccessTokenClaims, now: number): RevocationCheck {
    if (claims.iat * 1000 < this.startSecondMs) return { status: 'revoked', by: 'session' };

    const candidates = [
      this.byJti.get(claims.jti),
      this.bySession.get(claims.sid),
      this.byUser.get(claims.sub),
    ];
    for (const revocation of candidates) {
      if (revocation !== undefined && revocationApplies(revocation, claims, now)) {
        return { status: 'revoked', by: revocation.kind };
      }
    }
    return { status: 'valid' };
  }

  sweep(now: number): void {
    for (const map of [this.byJti, this.bySession, this.byUser]) {
      for (const [key, revocation] of map) if (revocation.until <= now) map.delete(key);
    }
  }

  /** A later revocation of the same name widens the earlier one, never narrows it. */
  private record(revocation: Revocation): void {
    switch (revocation.kind) {
      case 'token':
        this.byJti.set(revocation.jti, widen(this.byJti.get(revocation.jti), revocation));
        return;
      case 'session':
        this.bySession.set(
          revocation.sessionId,
          widen(this.bySession.get(revocation.sessionId), revocation),
        );
        return;
      case 'user': {
        const earlier = this.byUser.get(revocation.userId);
        this.byUser.set(revocation.userId, {
          ...revocation,
          revokedBefore: Math.max(revocation.revokedBefore, earlier?.revokedBefore ?? 0),
          until: Math.max(revocation.until, earlier?.until ?? 0),
        });
        return;
      }
    }
  }
}

function widen<T extends Revocation>(earlier: Revocation | undefined, next: T): T {
  return { ...next, until: Math.max(next.until, earlier?.until ?? 0) };
}
