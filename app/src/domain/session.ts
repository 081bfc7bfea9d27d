/**
 * A login of one user on one device. Times are epoch milliseconds. A session ends at the
 * earlier of `idleExpiresAt` (slides forward on each refresh) and `absoluteExpiresAt`
 * (fixed at login).
 */
export interface Session {
  readonly id: string;
  readonly userId: string;
  readonly createdAt: number;
  readonly lastSeenAt: number;
  readonly idleExpiresAt: number;
  readonly absoluteExpiresAt: number;
  readonly userAgent: string | null;
}

/** The moment a session stops being valid unless it is used again. */
export function sessionExpiresAt(session: Session): number {
  return Math.min(session.idleExpiresAt, session.absoluteExpiresAt);
}

export function isSessionLive(session: Session, now: number): boolean {
  return now < sessionExpiresAt(session);
}

/** The session after a use at `now`: idle expiry slides forward, never past the absolute one. */
export function touchSession(session: Session, now: number, idleTimeoutMs: number): Session {
  return {
    ...session,
    lastSeenAt: now,
    idleExpiresAt: Math.min(now + idleTimeoutMs, session.absoluteExpiresAt),
  };
}
