import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { RedisStorage } from '../../../src/infrastructure/redis/redis-storage.js';
import {
  HOUR,
  MINUTE,
  makeRefreshToken,
  makeSession,
  makeUser,
  randomId,
} from '../../support/factories.js';
import {
  eventually,
  openStorage,
  type RedisTopology,
  startStandalone,
  testConfig,
} from '../../support/redis.js';

let topology: RedisTopology;
const opened: RedisStorage[] = [];

async function open(): Promise<RedisStorage> {
  const storage = await openStorage(testConfig({ REDIS_URL: topology.url }));
  opened.push(storage);
  return storage;
}

function claims(sub: string, sid: string, jti = randomId()) {
  const iat = Math.floor(Date.now() / 1000);
  return { sub, sid, jti, iat, exp: iat + 900 };
}

beforeAll(async () => {
  topology = await startStandalone();
});

afterEach(async () => {
  await Promise.all(opened.splice(0).map((storage) => storage.close()));
});

afterAll(async () => {
  await topology?.stop();
});

describe('two RedisStorage instances on one server', () => {
  it('finds a session created through the other instance', async () => {
    const [first, second] = [await open(), await open()];
    const now = Date.now();
    const session = makeSession(makeUser().id, now);
    await first.sessions.create(session, makeRefreshToken(session, now).record);

    expect(await second.sessions.findLive(session.id, now)).toEqual(session);
  });

  it('reports a revocation made through the other instance, and measures how fast', async () => {
    const [writer, reader] = [await open(), await open()];
    const latencies: number[] = [];

    for (let round = 0; round < 50; round += 1) {
      const token = claims(randomId(), randomId());
      await writer.revocations.revoke([
        { kind: 'token', jti: token.jti, until: Date.now() + MINUTE },
      ]);
      const resolvedAt = performance.now();
      const seen = await eventually(
        () => reader.revocations.check(token, Date.now()).status === 'revoked',
        2_000,
        1, // poll every millisecond so the figure measures the feed, not the polling
      );
      expect(seen).toBe(true);
      latencies.push(performance.now() - resolvedAt);
    }

    latencies.sort((a, b) => a - b);
    const at = (q: number) => latencies[Math.floor(q * (latencies.length - 1))]?.toFixed(1);
    console.info(
      `revocation propagation over 50 revocations: p50 ${at(0.5)} ms, p99 ${at(0.99)} ms`,
    );
  });
});

describe('restart survival', () => {
  it('keeps sessions, refresh tokens and revocations across a stop and start', async () => {
    const before = await open();
    const now = Date.now();
    const user = makeUser();
    await before.users.create(user);
    const session = makeSession(user.id, now, { idleExpiresAt: now + 2 * HOUR });
    const refresh = makeRefreshToken(session, now);
    await before.sessions.create(session, refresh.record);
    const revoked = claims(user.id, randomId());
    await before.revocations.revoke([
      { kind: 'token', jti: revoked.jti, until: now + 10 * MINUTE },
      { kind: 'user', userId: randomId(), revokedBefore: now, until: now + 10 * MINUTE },
    ]);
    await before.close();
    opened.splice(0);

    await topology.stopNode('redis-0');
    await topology.restartNode('redis-0');
    const after = await open();

    expect(await after.users.findById(user.id)).toEqual(user);
    expect(await after.sessions.findLive(session.id, now)).toEqual(session);
    expect(after.revocations.check(revoked, Date.now())).toEqual({
      status: 'revoked',
      by: 'token',
    });
    const rotated = await after.sessions.rotateRefreshToken({
      presentedTokenHash: refresh.record.tokenHash,
      successor: { tokenHash: randomId(), issuedAt: now, expiresAt: now + HOUR },
      now,
      idleTimeoutMs: HOUR,
      reuseGraceMs: 0,
    });
    expect(rotated.kind).toBe('rotated');
  });
});

describe('fail closed', () => {
  it('answers unknown and not ready while Redis is down, and recovers when it returns', async () => {
    const storage = await open();
    const token = claims(randomId(), randomId());
    expect(storage.revocations.check(token, Date.now())).toEqual({ status: 'valid' });

    await topology.stopNode('redis-0');
    // REVOCATION_MAX_STALENESS_MS is 2000 in testConfig.
    const turnedUnknown = await eventually(
      () => storage.revocations.check(token, Date.now()).status === 'unknown',
      5_000,
    );
    expect(turnedUnknown).toBe(true);
    expect(await storage.isReady()).toBe(false);

    await topology.restartNode('redis-0');
    expect(await eventually(() => storage.isReady(), 10_000)).toBe(true);
    expect(storage.revocations.check(token, Date.now())).toEqual({ status: 'valid' });
  });

  it('rejects an operation with StoreUnavailable once the failover wait has passed', async () => {
    const storage = await open();
    await topology.stopNode('redis-0');

    const startedAt = performance.now();
    const outcome = await storage.users.findById(randomId()).catch((error: unknown) => error);
    const elapsedMs = performance.now() - startedAt;

    expect(outcome).toMatchObject({ name: 'StoreUnavailable', retryAfterSeconds: 3 });
    // REDIS_FAILOVER_WAIT_MS is 3000: the rejection comes after it, within a generous bound.
    expect(elapsedMs).toBeLessThan(10_000);
    await topology.restartNode('redis-0');
  });
});
