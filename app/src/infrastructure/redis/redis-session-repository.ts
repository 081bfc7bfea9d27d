import type { SessionRepository } from '../../domain/ports.js';
import type {
  RefreshTokenRecord,
  RotationOutcome,
  RotationRequest,
} from '../../domain/refresh-token.js';
import { isSessionLive, type Session, sessionExpiresAt } from '../../domain/session.js';
import { execOrThrow, type RedisConnection } from './connection.js';
import { scripts } from './lua-script.js';
import type { RedisKeys } from './redis-keys.js';

/** What `refresh-owner:{hash}` holds: where the token's record lives. */
interface TokenOwner {
  readonly userId: string;
  readonly sessionId: string;
}

/**
 * Sessions, their per-user index and their refresh tokens, all under the user's hash tag
 * and changed by Lua scripts. Two small lookup keys (session -> user, token hash -> user and
 * session) are written before the step that needs them; an orphaned lookup points at
 * nothing and expires with the thing it named.
 */
export class RedisSessionRepository implements SessionRepository {
  constructor(
    private readonly connection: RedisConnection,
    private readonly keys: RedisKeys,
  ) {}

  async create(
    session: Session,
    refreshToken: RefreshTokenRecord,
    maxPerUser?: number,
  ): Promise<string[]> {
    const { userId, id } = session;
    const owner: TokenOwner = { userId, sessionId: id };
    const tokenKeys = [
      this.keys.session(userId, id),
      this.keys.sessionIndex(userId),
      this.keys.sessionTokens(userId, id),
      this.keys.refreshToken(userId, refreshToken.tokenHash),
    ];
    const tokenArgs = [
      id,
      JSON.stringify(session),
      sessionExpiresAt(session),
      refreshToken.tokenHash,
      JSON.stringify(storedToken(refreshToken)),
      refreshToken.expiresAt,
      Date.now(),
      maxPerUser ?? 0,
      this.keys.userTag(userId),
    ];

    // TODO(session-cap): a create repeated after an ambiguous fault returns no ids when the
    // first run already ended a session, so that session's access tokens are not revoked and
    // live out their TTL (its refresh tokens are gone either way).
    const ended = await this.connection.run('create session', async (client) => {
      await execOrThrow(
        client
          .pipeline()
          .set(this.keys.sessionOwner(id), userId, 'PXAT', session.absoluteExpiresAt)
          .set(
            this.keys.refreshOwner(refreshToken.tokenHash),
            JSON.stringify(owner),
            'PXAT',
            refreshToken.expiresAt,
          ),
      );
      return (await scripts.createSession.run(client, tokenKeys, tokenArgs)) as string[];
    });
    // A login acknowledged to the client must not vanish in a failover: a session that did
    // would log its user out, and its refresh token would look unknown.
    await this.connection.confirmDurable('create session');
    return ended;
  }

  async findLive(sessionId: string, now: number): Promise<Session | null> {
    const stored = await this.connection.run('find session', async (client) => {
      const userId = await client.get(this.keys.sessionOwner(sessionId));
      return userId === null ? null : client.get(this.keys.session(userId, sessionId));
    });
    if (stored === null) return null;
    const session = JSON.parse(stored) as Session;
    return isSessionLive(session, now) ? session : null;
  }

  async listLive(userId: string, now: number): Promise<Session[]> {
    const stored = await this.connection.run('list sessions', async (client) => {
      const ids = await client.zrangebyscore(this.keys.sessionIndex(userId), `(${now}`, '+inf');
      if (ids.length === 0) return [];
      // One MGET: every session key shares the user's hash tag.
      return client.mget(ids.map((id) => this.keys.session(userId, id)));
    });

    return stored
      .flatMap((json) => (json === null ? [] : [JSON.parse(json) as Session]))
      .filter((session) => isSessionLive(session, now))
      .sort((a, b) => a.createdAt - b.createdAt);
  }

  async rotateRefreshToken(request: RotationRequest): Promise<RotationOutcome> {
    const { presentedTokenHash, successor } = request;
    const ownerJson = await this.connection.run('find refresh token', (client) =>
      client.get(this.keys.refreshOwner(presentedTokenHash)),
    );
    if (ownerJson === null) return { kind: 'unknown' };
    const owner = JSON.parse(ownerJson) as TokenOwner;
    const { userId, sessionId } = owner;
    const successorRecord = { ...successor, userId, sessionId };

    const reply = (await this.connection.run(
      'rotate refresh token',
      async (client) => {
        await client.set(
          this.keys.refreshOwner(successor.tokenHash),
          ownerJson,
          'PXAT',
          successor.expiresAt,
        );
        return scripts.rotateRefreshToken.run(
          client,
          [
            this.keys.refreshToken(userId, presentedTokenHash),
            this.keys.session(userId, sessionId),
            this.keys.sessionIndex(userId),
            this.keys.sessionTokens(userId, sessionId),
            this.keys.refreshToken(userId, successor.tokenHash),
          ],
          [
            request.now,
            request.idleTimeoutMs,
            request.reuseGraceMs,
            successor.tokenHash,
            JSON.stringify(storedToken(successorRecord)),
            successor.expiresAt,
            sessionId,
          ],
        );
      },
      // Repeating a rotation that did apply would report the caller's own token as reused.
      { idempotent: false },
    )) as [RotationOutcome['kind'], string?];

    const [kind, sessionJson] = reply;
    if (kind === 'rotated') {
      await this.connection.confirmDurable('rotate refresh token');
      return { kind, session: JSON.parse(sessionJson as string) as Session };
    }
    await this.connection
      .run('drop unused successor', (client) =>
        client.del(this.keys.refreshOwner(successor.tokenHash)),
      )
      .catch(() => undefined); // it expires on its own
    if (kind === 'unknown') return { kind };
    return { kind, sessionId, userId };
  }

  async delete(userId: string, sessionId: string): Promise<boolean> {
    const existed = await this.connection.run('delete session', (client) =>
      scripts.deleteSession.run(
        client,
        [
          this.keys.session(userId, sessionId),
          this.keys.sessionIndex(userId),
          this.keys.sessionTokens(userId, sessionId),
        ],
        [sessionId, `${this.keys.userTag(userId)}refresh:`],
      ),
    );
    await this.connection.confirmDurable('delete session');
    return existed === 1;
  }

  async deleteAllForUser(userId: string): Promise<string[]> {
    const deleted = await this.connection.run('delete user sessions', (client) =>
      scripts.deleteUserSessions.run(
        client,
        [this.keys.sessionIndex(userId)],
        [this.keys.userTag(userId)],
      ),
    );
    await this.connection.confirmDurable('delete user sessions');
    return deleted as string[];
  }
}

/** The stored form of a token: its hash is the key, `spentAt` is added when it is used. */
function storedToken(record: Omit<RefreshTokenRecord, 'tokenHash'> & { tokenHash?: string }) {
  const { sessionId, userId, issuedAt, expiresAt } = record;
  return { sessionId, userId, issuedAt, expiresAt };
}
