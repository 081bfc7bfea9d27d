import { describe, expect, it } from 'vitest';
import { currentWindow, secondsUntilReset, withFailure } from '../../src/domain/login-attempt.js';
import { classifyPresentedToken } from '../../src/domain/refresh-token.js';
import { revocationApplies } from '../../src/domain/revocation.js';
import { isSessionLive, touchSession } from '../../src/domain/session.js';
import { HOUR, makeRefreshToken, makeSession } from '../support/factories.js';

const now = 1_800_000_000_000;

describe('session expiry', () => {
  it('ends at the earlier of idle and absolute expiry', () => {
    const session = makeSession('u', now, { idleExpiresAt: now + 10, absoluteExpiresAt: now + 5 });
    expect(isSessionLive(session, now + 4)).toBe(true);
    expect(isSessionLive(session, now + 5)).toBe(false);
  });

  it('slides the idle expiry on use, capped by the absolute expiry', () => {
    const session = makeSession('u', now, { absoluteExpiresAt: now + 2 * HOUR });
    expect(touchSession(session, now + HOUR / 2, HOUR).idleExpiresAt).toBe(now + 1.5 * HOUR);
    expect(touchSession(session, now + 1.5 * HOUR, HOUR).idleExpiresAt).toBe(now + 2 * HOUR);
  });
});

describe('rotation rules', () => {
  const session = makeSession('u', now);
  const { record } = makeRefreshToken(session, now);
  const at = (when: number, reuseGraceMs = 0) => ({ now: when, reuseGraceMs });

  it('rotates an unspent token of a live session', () => {
    expect(classifyPresentedToken(record, null, session, at(now + 1))).toBe('rotated');
  });

  it('tells reuse from a race within the grace', () => {
    expect(classifyPresentedToken(record, now, session, at(now + 999, 1000))).toBe(
      'spent-within-grace',
    );
    expect(classifyPresentedToken(record, now, session, at(now + 1000, 1000))).toBe('reused');
    expect(classifyPresentedToken(record, now, session, at(now))).toBe('reused');
  });

  it('refuses expired tokens and tokens of ended sessions', () => {
    expect(classifyPresentedToken(record, null, session, at(record.expiresAt))).toBe('unknown');
    expect(classifyPresentedToken(record, null, null, at(now))).toBe('session-ended');
  });
});

describe('revocation rules', () => {
  const claims = { sub: 'u', sid: 's', jti: 'j', iat: 1_800_000_000, exp: 1_800_000_900 };

  it('honours a user-wide revocation only for tokens from earlier seconds', () => {
    const revocation = { kind: 'user', userId: 'u', until: now + HOUR } as const;
    expect(revocationApplies({ ...revocation, revokedBefore: now + 1000 }, claims, now)).toBe(true);
    expect(revocationApplies({ ...revocation, revokedBefore: now }, claims, now)).toBe(false);
  });

  it('stops honouring an entry at its until', () => {
    const revocation = { kind: 'session', sessionId: 's', until: now + 10 } as const;
    expect(revocationApplies(revocation, claims, now + 9)).toBe(true);
    expect(revocationApplies(revocation, claims, now + 10)).toBe(false);
  });
});

describe('throttling windows', () => {
  it('opens at the first failure, counts, and closes after the window', () => {
    const opened = withFailure('k', null, 60_000, now);
    const counted = withFailure('k', opened, 60_000, now + 30_000);

    expect(counted).toEqual({ key: 'k', failures: 2, resetsAt: now + 60_000 });
    expect(currentWindow('k', counted, now + 60_000).failures).toBe(0);
    expect(secondsUntilReset(counted, now + 30_001)).toBe(30);
    expect(secondsUntilReset(counted, now + 59_999)).toBe(1);
  });
});
