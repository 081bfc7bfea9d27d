import type { SessionRepository } from '../../domain/ports.js';
import {
  classifyPresentedToken,
  type RefreshTokenRecord,
  type RotationOutcome,
  type RotationRequest,
} from '../../domain/refresh-token.js';
import {
  isSessionLive,
  type Session,
  sessionExpiresAt,
  touchSession,
} from '../../domain/session.js';

interface StoredToken {
  readonly record: RefreshTokenRecord;
  /** When the token was rotated away; null while it is the session's current token. */
  spentAt: number | null;
}

/**
 * Sessions, their per-user index and their refresh tokens in process memory. Every method
 * runs to completion without awaiting, so each is atomic on the single event loop. Expiry is
 * enforced on read; `sweep` drops what has ended so memory stays bounded.
 */
export class MemorySessionRepository implements SessionRepository {
  private readonly sessions = new Map<string, Session>();
  private readonly sessionIdsByUser = new Map<string, Set<string>>();
  private readonly tokens = new Map<string, StoredToken>();
  private readonly tokenHashesBySession = new Map<string, Set<string>>();

  async create(
    session: Session,
    refreshToken: RefreshTokenRecord,
    maxPerUser?: number,
  ): Promise<string[]> {
    this.sessions.set(session.id, session);
    addToIndex(this.sessionIdsByUser, session.userId, session.id);
    this.storeToken(refreshToken);
    if (maxPerUser === undefined) return [];

    // The login's own time is `now`: the store has no clock of its own.
    const others = this.liveOf(session.userId, session.createdAt).filter(
      (live) => live.id !== session.id,
    );
    const excess = others.length + 1 - maxPerUser;
    if (excess <= 0) return [];
    const ended = others
      .sort((a, b) => sessionExpiresAt(a) - sessionExpiresAt(b) || a.createdAt - b.createdAt)
      .slice(0, excess);
    for (const oldest of ended) this.forget(oldest);
    return ended.map((oldest) => oldest.id);
  }

  async findLive(sessionId: string, now: number): Promise<Session | null> {
    const session = this.sessions.get(sessionId);
    if (session === undefined || !isSessionLive(session, now)) return null;
    return session;
  }

  async listLive(userId: string, now: number): Promise<Session[]> {
    return this.liveOf(userId, now).sort((a, b) => a.createdAt - b.createdAt);
  }

  async rotateRefreshToken(request: RotationRequest): Promise<RotationOutcome> {
    const presented = this.tokens.get(request.presentedTokenHash);
    if (presented === undefined) return { kind: 'unknown' };

    const { sessionId, userId } = presented.record;
    const session = this.sessions.get(sessionId) ?? null;
    const kind = classifyPresentedToken(presented.record, presented.spentAt, session, request);
    if (kind === 'unknown') return { kind };
    if (kind !== 'rotated') return { kind, sessionId, userId };
    // Unreachable (a token without its session is classified as session-ended); narrows type.
    if (session === null) return { kind: 'session-ended', sessionId, userId };

    const touched = touchSession(session, request.now, request.idleTimeoutMs);
    this.sessions.set(sessionId, touched);
    presented.spentAt = request.now;
    this.storeToken({ ...request.successor, sessionId, userId });
    return { kind: 'rotated', session: touched };
  }

  async delete(userId: string, sessionId: string): Promise<boolean> {
    const session = this.sessions.get(sessionId);
    if (session === undefined || session.userId !== userId) return false;

    this.forget(session);
    return true;
  }

  async deleteAllForUser(userId: string): Promise<string[]> {
    const ids = [...(this.sessionIdsByUser.get(userId) ?? [])];
    for (const id of ids) {
      const session = this.sessions.get(id);
      if (session !== undefined) this.forget(session);
    }
    return ids;
  }

  async countLive(now: number): Promise<number> {
    let live = 0;
    for (const session of this.sessions.values()) if (isSessionLive(session, now)) live += 1;
    return live;
  }

  /** Drops ended sessions (with their tokens and index entries) and expired tokens. */
  sweep(now: number): void {
    for (const session of this.sessions.values()) {
      if (!isSessionLive(session, now)) this.forget(session);
    }
    for (const [hash, token] of this.tokens) {
      if (token.record.expiresAt <= now) this.forgetToken(hash, token.record.sessionId);
    }
  }

  /** Synchronous, so a caller stays atomic (no await between its read and its write). */
  private liveOf(userId: string, now: number): Session[] {
    const ids = this.sessionIdsByUser.get(userId) ?? new Set<string>();
    return [...ids]
      .map((id) => this.sessions.get(id))
      .filter(
        (session): session is Session => session !== undefined && isSessionLive(session, now),
      );
  }

  private storeToken(record: RefreshTokenRecord): void {
    this.tokens.set(record.tokenHash, { record, spentAt: null });
    addToIndex(this.tokenHashesBySession, record.sessionId, record.tokenHash);
  }

  private forget(session: Session): void {
    for (const hash of this.tokenHashesBySession.get(session.id) ?? []) this.tokens.delete(hash);
    this.tokenHashesBySession.delete(session.id);
    this.sessions.delete(session.id);
    removeFromIndex(this.sessionIdsByUser, session.userId, session.id);
  }

  private forgetToken(hash: string, sessionId: string): void {
    this.tokens.delete(hash);
    removeFromIndex(this.tokenHashesBySession, sessionId, hash);
  }
}

function addToIndex(index: Map<string, Set<string>>, key: string, member: string): void {
  const members = index.get(key);
  if (members === undefined) index.set(key, new Set([member]));
  else members.add(member);
}

/** Removes the member and the whole entry once it is empty, so the index never keeps husks. */
function removeFromIndex(index: Map<string, Set<string>>, key: string, member: string): void {
  const members = index.get(key);
  if (members === undefined) return;
  members.delete(member);
  if (members.size === 0) index.delete(key);
}
