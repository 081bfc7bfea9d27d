import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EmailAlreadyTaken } from '../../src/domain/errors.js';
import type { Storage } from '../../src/domain/ports.js';
import type { RotationRequest } from '../../src/domain/refresh-token.js';
import type { AccessTokenClaims } from '../../src/domain/revocation.js';
import type { Session } from '../../src/domain/session.js';
import {
  HOUR,
  MINUTE,
  makeRefreshToken,
  makeSession,
  makeSuccessor,
  makeUser,
  randomId,
} from '../support/factories.js';

export interface OpenedStorage {
  storage: Storage;
  close(): Promise<void>;
}

/**
 * The behaviour every storage adapter promises, written only against `domain/ports.ts`.
 * Each test opens its own storage; ids are random, so `open` may hand out one shared store.
 * Clocks are passed explicitly and stay near the wall clock (a store with real TTLs keeps
 * the data long enough); no test sleeps.
 */
export function describeStorageContract(name: string, open: () => Promise<OpenedStorage>): void {
  describe(`storage contract: ${name}`, () => {
    let opened: OpenedStorage;
    let storage: Storage;
    let now: number;

    beforeEach(async () => {
      opened = await open();
      storage = opened.storage;
      now = Date.now();
    });

    afterEach(async () => {
      await opened.close();
    });

    async function createSessionWithToken(overrides: Partial<Session> = {}) {
      const user = makeUser();
      await storage.users.create(user);
      const session = makeSession(user.id, now, overrides);
      const refresh = makeRefreshToken(session, now);
      await storage.sessions.create(session, refresh.record);
      return { user, session, refresh };
    }

    function rotation(presentedTokenHash: string, at: number, reuseGraceMs = 0): RotationRequest {
      return {
        presentedTokenHash,
        successor: makeSuccessor(at).successor,
        now: at,
        idleTimeoutMs: HOUR,
        reuseGraceMs,
      };
    }

    function claimsOf(session: Session, issuedAtMs: number): AccessTokenClaims {
      const iat = Math.floor(issuedAtMs / 1000);
      return { sub: session.userId, sid: session.id, jti: randomId(), iat, exp: iat + 900 };
    }

    describe('users', () => {
      it('finds a created user by id and by email in any case and spacing', async () => {
        const user = makeUser();
        await storage.users.create(user);

        expect(await storage.users.findById(user.id)).toEqual(user);
        expect(await storage.users.findByEmail(`  ${user.email.toUpperCase()} `)).toEqual(user);
      });

      it('rejects a second user with the same normalised email', async () => {
        const first = makeUser();
        await storage.users.create(first);

        const second = makeUser({ email: first.email.toUpperCase() });
        await expect(storage.users.create(second)).rejects.toBeInstanceOf(EmailAlreadyTaken);
        expect(await storage.users.findById(second.id)).toBeNull();
      });

      it('answers null for an unknown id or email', async () => {
        expect(await storage.users.findById(randomId())).toBeNull();
        expect(await storage.users.findByEmail(`${randomId()}@example.test`)).toBeNull();
      });
    });

    describe('sessions', () => {
      it('stores the session with its index and its first refresh token', async () => {
        const { user, session, refresh } = await createSessionWithToken();

        expect(await storage.sessions.findLive(session.id, now)).toEqual(session);
        expect(await storage.sessions.listLive(user.id, now)).toEqual([session]);
        const outcome = await storage.sessions.rotateRefreshToken(
          rotation(refresh.record.tokenHash, now + MINUTE),
        );
        expect(outcome.kind).toBe('rotated');
      });

      it('ends a session at its idle expiry', async () => {
        const { user, session } = await createSessionWithToken();

        expect(
          await storage.sessions.findLive(session.id, session.idleExpiresAt - 1),
        ).not.toBeNull();
        expect(await storage.sessions.findLive(session.id, session.idleExpiresAt)).toBeNull();
        expect(await storage.sessions.listLive(user.id, session.idleExpiresAt)).toEqual([]);
      });

      it('ends a session at its absolute expiry even when the idle expiry is later', async () => {
        const { user, session } = await createSessionWithToken({
          idleExpiresAt: now + 2 * HOUR,
          absoluteExpiresAt: now + HOUR,
        });

        expect(await storage.sessions.findLive(session.id, now + HOUR - 1)).not.toBeNull();
        expect(await storage.sessions.findLive(session.id, now + HOUR)).toBeNull();
        expect(await storage.sessions.listLive(user.id, now + HOUR)).toEqual([]);
      });

      it('lists only live sessions of the user, oldest first', async () => {
        const user = makeUser();
        await storage.users.create(user);
        const older = makeSession(user.id, now - 2 * MINUTE);
        const newer = makeSession(user.id, now - MINUTE);
        const ended = makeSession(user.id, now - HOUR, { idleExpiresAt: now - 1 });
        for (const session of [newer, ended, older]) {
          await storage.sessions.create(
            session,
            makeRefreshToken(session, session.createdAt).record,
          );
        }
        const stranger = makeSession(makeUser().id, now);
        await storage.sessions.create(stranger, makeRefreshToken(stranger, now).record);

        const listed = await storage.sessions.listLive(user.id, now);

        expect(listed.map((session) => session.id)).toEqual([older.id, newer.id]);
      });

      it('forgets a deleted session, its index entry and its refresh tokens', async () => {
        const { user, session, refresh } = await createSessionWithToken();
        const kept = makeSession(user.id, now + 1);
        await storage.sessions.create(kept, makeRefreshToken(kept, now + 1).record);

        expect(await storage.sessions.delete(user.id, session.id)).toBe(true);

        expect(await storage.sessions.findLive(session.id, now)).toBeNull();
        expect((await storage.sessions.listLive(user.id, now)).map((s) => s.id)).toEqual([kept.id]);
        const outcome = await storage.sessions.rotateRefreshToken(
          rotation(refresh.record.tokenHash, now),
        );
        expect(outcome.kind).toBe('unknown');
        expect(await storage.sessions.delete(user.id, session.id)).toBe(false);
      });

      it('deletes every session of a user with their refresh tokens, and no one else', async () => {
        const { user, session, refresh } = await createSessionWithToken();
        const second = makeSession(user.id, now + 1);
        const secondRefresh = makeRefreshToken(second, now + 1);
        await storage.sessions.create(second, secondRefresh.record);
        const other = await createSessionWithToken();

        const deleted = await storage.sessions.deleteAllForUser(user.id);

        expect([...deleted].sort()).toEqual([session.id, second.id].sort());
        expect(await storage.sessions.listLive(user.id, now)).toEqual([]);
        for (const hash of [refresh.record.tokenHash, secondRefresh.record.tokenHash]) {
          const outcome = await storage.sessions.rotateRefreshToken(rotation(hash, now));
          expect(outcome.kind).toBe('unknown');
        }
        expect(await storage.sessions.findLive(other.session.id, now)).toEqual(other.session);
        expect(await storage.sessions.deleteAllForUser(user.id)).toEqual([]);
      });

      it('ends the least recently used sessions past the cap, with their refresh tokens', async () => {
        const user = makeUser();
        await storage.users.create(user);
        const cap = 3;
        const oldest = makeSession(user.id, now);
        const oldestRefresh = makeRefreshToken(oldest, now);
        expect(await storage.sessions.create(oldest, oldestRefresh.record, cap)).toEqual([]);
        const kept = [makeSession(user.id, now + 1), makeSession(user.id, now + 2)];
        for (const session of kept) {
          const ended = await storage.sessions.create(
            session,
            makeRefreshToken(session, session.createdAt).record,
            cap,
          );
          expect(ended).toEqual([]);
        }
        const newest = makeSession(user.id, now + 3);

        const ended = await storage.sessions.create(
          newest,
          makeRefreshToken(newest, newest.createdAt).record,
          cap,
        );

        expect(ended).toEqual([oldest.id]);
        const listed = await storage.sessions.listLive(user.id, now + 3);
        expect(listed.map((session) => session.id)).toEqual([...kept, newest].map((s) => s.id));
        const outcome = await storage.sessions.rotateRefreshToken(
          rotation(oldestRefresh.record.tokenHash, now + 3),
        );
        expect(outcome.kind).toBe('unknown');
      });

      it('never lets concurrent creates of one user exceed the cap', async () => {
        const user = makeUser();
        await storage.users.create(user);
        const cap = 2;
        const sessions = Array.from({ length: 6 }, (_, index) => makeSession(user.id, now + index));

        const ended = await Promise.all(
          sessions.map((session) =>
            storage.sessions.create(session, makeRefreshToken(session, now).record, cap),
          ),
        );

        expect(await storage.sessions.listLive(user.id, now + 10)).toHaveLength(cap);
        expect(ended.flat()).toHaveLength(sessions.length - cap);
      });

      it('counts only live sessions toward the cap and leaves other users alone', async () => {
        const { user, session: stranger } = await createSessionWithToken();
        const owner = makeUser();
        await storage.users.create(owner);
        const ended = makeSession(owner.id, now - HOUR, { idleExpiresAt: now - 1 });
        await storage.sessions.create(ended, makeRefreshToken(ended, ended.createdAt).record);
        const live = makeSession(owner.id, now);
        await storage.sessions.create(live, makeRefreshToken(live, now).record, 2);
        const newest = makeSession(owner.id, now + 1);

        const endedIds = await storage.sessions.create(
          newest,
          makeRefreshToken(newest, now + 1).record,
          2,
        );

        expect(endedIds).toEqual([]);
        expect(await storage.sessions.listLive(owner.id, now + 1)).toHaveLength(2);
        expect(await storage.sessions.listLive(user.id, now)).toEqual([stranger]);
      });
    });

    describe('refresh token rotation', () => {
      it('rotates a token and slides the idle expiry', async () => {
        const { session, refresh } = await createSessionWithToken();
        const at = now + 10 * MINUTE;
        const request = rotation(refresh.record.tokenHash, at);

        const outcome = await storage.sessions.rotateRefreshToken(request);

        expect(outcome).toEqual({
          kind: 'rotated',
          session: { ...session, lastSeenAt: at, idleExpiresAt: at + HOUR },
        });
        expect((await storage.sessions.findLive(session.id, at + HOUR - 1))?.idleExpiresAt).toBe(
          at + HOUR,
        );
        const next = await storage.sessions.rotateRefreshToken(
          rotation(request.successor.tokenHash, at + MINUTE),
        );
        expect(next.kind).toBe('rotated');
      });

      it('never slides the idle expiry past the absolute expiry', async () => {
        const { session, refresh } = await createSessionWithToken({
          absoluteExpiresAt: now + 90 * MINUTE,
        });
        const at = now + 50 * MINUTE;

        const outcome = await storage.sessions.rotateRefreshToken(
          rotation(refresh.record.tokenHash, at),
        );

        expect(outcome.kind === 'rotated' && outcome.session.idleExpiresAt).toBe(
          session.absoluteExpiresAt,
        );
      });

      it('reports a spent token presented again as reused and changes nothing', async () => {
        const { user, session, refresh } = await createSessionWithToken();
        const first = rotation(refresh.record.tokenHash, now + MINUTE);
        await storage.sessions.rotateRefreshToken(first);
        const before = await storage.sessions.findLive(session.id, now + MINUTE);

        const outcome = await storage.sessions.rotateRefreshToken(
          rotation(refresh.record.tokenHash, now + 2 * MINUTE),
        );

        expect(outcome).toEqual({ kind: 'reused', sessionId: session.id, userId: user.id });
        expect(await storage.sessions.findLive(session.id, now + 2 * MINUTE)).toEqual(before);
        const successor = await storage.sessions.rotateRefreshToken(
          rotation(first.successor.tokenHash, now + 3 * MINUTE),
        );
        expect(successor.kind).toBe('rotated');
      });

      it('reports a spent token presented again within the grace as spent-within-grace', async () => {
        const { user, session, refresh } = await createSessionWithToken();
        await storage.sessions.rotateRefreshToken(rotation(refresh.record.tokenHash, now, 5_000));

        const within = await storage.sessions.rotateRefreshToken(
          rotation(refresh.record.tokenHash, now + 4_999, 5_000),
        );
        const after = await storage.sessions.rotateRefreshToken(
          rotation(refresh.record.tokenHash, now + 5_000, 5_000),
        );

        expect(within).toEqual({
          kind: 'spent-within-grace',
          sessionId: session.id,
          userId: user.id,
        });
        expect(after).toEqual({ kind: 'reused', sessionId: session.id, userId: user.id });
      });

      it('reports an unknown hash as unknown', async () => {
        const outcome = await storage.sessions.rotateRefreshToken(rotation(randomId(), now));

        expect(outcome).toEqual({ kind: 'unknown' });
      });

      it('reports a token of an ended session as session-ended and keeps it ended', async () => {
        const { user, session, refresh } = await createSessionWithToken();
        const at = session.idleExpiresAt;

        const outcome = await storage.sessions.rotateRefreshToken(
          rotation(refresh.record.tokenHash, at),
        );

        expect(outcome).toEqual({ kind: 'session-ended', sessionId: session.id, userId: user.id });
        expect(await storage.sessions.findLive(session.id, at)).toBeNull();
      });

      it('lets exactly one of two concurrent rotations of one token succeed', async () => {
        const { refresh } = await createSessionWithToken();
        const at = now + MINUTE;

        const outcomes = await Promise.all([
          storage.sessions.rotateRefreshToken(rotation(refresh.record.tokenHash, at)),
          storage.sessions.rotateRefreshToken(rotation(refresh.record.tokenHash, at)),
        ]);

        const kinds = outcomes.map((outcome) => outcome.kind).sort();
        expect(kinds).toEqual(['reused', 'rotated']);
      });
    });

    describe('revocations', () => {
      it('revokes a token by jti as soon as revoke resolves, until its until', async () => {
        const { session } = await createSessionWithToken();
        const claims = claimsOf(session, now);
        const until = now + 15 * MINUTE;

        expect(storage.revocations.check(claims, now)).toEqual({ status: 'valid' });
        await storage.revocations.revoke([{ kind: 'token', jti: claims.jti, until }]);

        expect(storage.revocations.check(claims, now)).toEqual({ status: 'revoked', by: 'token' });
        expect(storage.revocations.check(claims, until - 1)).toEqual({
          status: 'revoked',
          by: 'token',
        });
        expect(storage.revocations.check(claims, until)).toEqual({ status: 'valid' });
        expect(storage.revocations.check(claimsOf(session, now), now)).toEqual({ status: 'valid' });
      });

      it('revokes every token of a session, until its until', async () => {
        const { session } = await createSessionWithToken();
        const other = await createSessionWithToken();
        const until = now + 15 * MINUTE;

        await storage.revocations.revoke([{ kind: 'session', sessionId: session.id, until }]);

        expect(storage.revocations.check(claimsOf(session, now), now)).toEqual({
          status: 'revoked',
          by: 'session',
        });
        expect(storage.revocations.check(claimsOf(session, now), until - 1).status).toBe('revoked');
        expect(storage.revocations.check(claimsOf(session, now), until)).toEqual({
          status: 'valid',
        });
        expect(storage.revocations.check(claimsOf(other.session, now), now)).toEqual({
          status: 'valid',
        });
      });

      it('revokes a user’s tokens issued before the moment, and only those', async () => {
        const { session } = await createSessionWithToken();
        // On a whole second: access tokens carry `iat` in seconds.
        const revokedBefore = (Math.floor(now / 1000) + 10) * 1000;
        const until = now + 15 * MINUTE;

        await storage.revocations.revoke([
          { kind: 'user', userId: session.userId, revokedBefore, until },
        ]);

        expect(storage.revocations.check(claimsOf(session, now), now)).toEqual({
          status: 'revoked',
          by: 'user',
        });
        expect(storage.revocations.check(claimsOf(session, revokedBefore - 1), now).status).toBe(
          'revoked',
        );
        expect(storage.revocations.check(claimsOf(session, revokedBefore), now)).toEqual({
          status: 'valid',
        });
        expect(storage.revocations.check(claimsOf(session, now), until)).toEqual({
          status: 'valid',
        });
        const stranger = makeSession(randomId(), now);
        expect(storage.revocations.check(claimsOf(stranger, now), now)).toEqual({
          status: 'valid',
        });
      });

      it('records several revocations in one call', async () => {
        const { session } = await createSessionWithToken();
        const claims = claimsOf(session, now);
        const until = now + MINUTE;

        await storage.revocations.revoke([
          { kind: 'token', jti: claims.jti, until },
          { kind: 'session', sessionId: randomId(), until },
        ]);

        expect(storage.revocations.check(claims, now).status).toBe('revoked');
      });
    });

    describe('login attempts', () => {
      it('opens a window at the first attempt and counts within it', async () => {
        const account = `account:${randomId()}`;
        const address = `address:${randomId()}`;

        const first = await storage.loginAttempts.reserve([account, address], MINUTE, now);
        const [second] = await storage.loginAttempts.reserve([account], MINUTE, now + 1_000);

        expect(first).toEqual([
          { key: account, failures: 1, resetsAt: now + MINUTE },
          { key: address, failures: 1, resetsAt: now + MINUTE },
        ]);
        expect(second).toEqual({ key: account, failures: 2, resetsAt: now + MINUTE });
      });

      it('gives every one of concurrent reservations its own count', async () => {
        const account = `account:${randomId()}`;
        const attempts = 25;

        const reserved = await Promise.all(
          Array.from({ length: attempts }, () =>
            storage.loginAttempts.reserve([account], MINUTE, now),
          ),
        );

        const counts = reserved.map(([window]) => window?.failures ?? 0).sort((a, b) => a - b);
        expect(counts).toEqual(Array.from({ length: attempts }, (_, index) => index + 1));
      });

      it('starts from one once the window has passed', async () => {
        const account = `account:${randomId()}`;
        await storage.loginAttempts.reserve([account], MINUTE, now);
        await storage.loginAttempts.reserve([account], MINUTE, now + 1);

        const [reopened] = await storage.loginAttempts.reserve([account], MINUTE, now + MINUTE);

        expect(reopened).toEqual({ key: account, failures: 1, resetsAt: now + 2 * MINUTE });
      });

      it('gives back one attempt of an open window, and the last one empties it', async () => {
        const address = `address:${randomId()}`;
        await storage.loginAttempts.reserve([address], MINUTE, now);
        await storage.loginAttempts.reserve([address], MINUTE, now + 1);

        await storage.loginAttempts.release(address, now + 2);
        const [afterOne] = await storage.loginAttempts.reserve([address], MINUTE, now + 3);
        await storage.loginAttempts.release(address, now + 4);
        await storage.loginAttempts.release(address, now + 5);
        await storage.loginAttempts.release(address, now + 6);
        const [afterAll] = await storage.loginAttempts.reserve([address], MINUTE, now + 7);

        expect(afterOne).toEqual({ key: address, failures: 2, resetsAt: now + MINUTE });
        expect(afterAll).toEqual({ key: address, failures: 1, resetsAt: now + 7 + MINUTE });
      });

      it('forgets the attempts of a reset key and keeps the others', async () => {
        const account = `account:${randomId()}`;
        const address = `address:${randomId()}`;
        await storage.loginAttempts.reserve([account, address], MINUTE, now);

        await storage.loginAttempts.reset(account);
        const windows = await storage.loginAttempts.reserve([account, address], MINUTE, now + 1);

        expect(windows.map((window) => window.failures)).toEqual([1, 2]);
      });
    });

    describe('readiness', () => {
      it('is ready once opened', async () => {
        expect(await storage.isReady()).toBe(true);
      });
    });
  });
}
