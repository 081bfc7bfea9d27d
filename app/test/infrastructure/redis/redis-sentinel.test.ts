import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, fastFailoverSentinelLines } from '../../../../deploy/local/redis-topology.js';
import { StoreUnavailable } from '../../../src/domain/errors.js';
import type { RedisStorage } from '../../../src/infrastructure/redis/redis-storage.js';
import {
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
  startReplicated,
  testConfig,
} from '../../support/redis.js';

/*
 * One master, two replicas (so a promoted replica still has one and keeps taking writes
 * under min-replicas-to-write 1) and three sentinels. For speed only, this file shortens
 * the sentinels' failure detection through the launcher's per-node lines; every other
 * setting comes from deploy/redis/*.conf.
 */

let topology: RedisTopology;
let storage: RedisStorage;

function config(failoverWaitMs: number) {
  return testConfig({
    REDIS_SENTINELS: topology.sentinelList,
    REDIS_WAIT_REPLICAS: '1',
    REDIS_FAILOVER_WAIT_MS: String(failoverWaitMs),
    REVOCATION_MAX_STALENESS_MS: '5000',
  });
}

function tokenClaims(jti: string) {
  const iat = Math.floor(Date.now() / 1000);
  return { sub: randomId(), sid: randomId(), jti, iat, exp: iat + 900 };
}

/**
 * Checks from a storage opened after the failover, whose view holds only what the new
 * master has: the instance that revoked would answer from its own view alone.
 */
async function expectRevokedInFreshStorage(jtis: readonly string[]): Promise<void> {
  const fresh = await openStorage(config(20_000));
  try {
    const statuses = jtis.map((jti) => fresh.revocations.check(tokenClaims(jti), Date.now()));
    expect(statuses.filter((check) => check.status !== 'revoked')).toEqual([]);
  } finally {
    await fresh.close();
  }
}

beforeAll(async () => {
  topology = await startReplicated({ replicas: 2, sentinelLines: fastFailoverSentinelLines });
  storage = await openStorage(config(20_000));
}, 60_000);

afterAll(async () => {
  await storage?.close();
  await topology?.stop();
});

describe('redis storage behind sentinel', () => {
  it('keeps every acknowledged revocation when the master is killed', async () => {
    const now = Date.now();
    const session = makeSession(makeUser().id, now);
    await storage.sessions.create(session, makeRefreshToken(session, now).record);
    const jtis = Array.from({ length: 20 }, () => randomId());
    for (const jti of jtis) {
      await storage.revocations.revoke([{ kind: 'token', jti, until: now + 10 * MINUTE }]);
    }
    const oldMaster = await topology.currentMaster();

    await topology.killNode('redis-0');
    const afterKill = randomId();
    await storage.revocations.revoke([{ kind: 'token', jti: afterKill, until: now + MINUTE }]);

    expect(await topology.currentMaster()).not.toBe(oldMaster);
    expect(await storage.sessions.findLive(session.id, now)).toEqual(session);
    await expectRevokedInFreshStorage([...jtis, afterKill]);
  }, 60_000);

  it('moves writes to the new master when the old one is demoted', async () => {
    const oldMaster = await topology.currentMaster();
    const sentinelPort = topology.sentinels[0]?.port as number;

    // The previous test's failover may still be reconfiguring replicas (INPROG): ask again.
    const started = await eventually(
      async () => (await cli(sentinelPort, ['SENTINEL', 'FAILOVER', 'mymaster'])) === 'OK',
      20_000,
      250,
    );
    expect(started).toBe(true);
    const switched = await eventually(
      async () => (await topology.currentMaster()) !== oldMaster,
      20_000,
    );
    expect(switched).toBe(true);

    // Writes issued while the old master turns replica may meet READONLY; they must land.
    const jtis = Array.from({ length: 10 }, () => randomId());
    for (const jti of jtis) {
      await storage.revocations.revoke([{ kind: 'token', jti, until: Date.now() + MINUTE }]);
    }
    const newMaster = await topology.currentMaster();
    expect(await cli(newMaster, ['ROLE'])).toMatch(/^master/);
    await expectRevokedInFreshStorage(jtis);
  }, 60_000);

  it('rejects with StoreUnavailable within a bound when no master answers', async () => {
    const impatient = await openStorage(config(2_000));
    const servers = topology.servers.filter((node) => node.pid !== undefined);
    for (const server of servers) topology.pauseNode(server.name);

    try {
      const startedAt = performance.now();
      const outcome = await impatient.users.findById(randomId()).catch((error: unknown) => error);
      const elapsedMs = performance.now() - startedAt;

      expect(outcome).toBeInstanceOf(StoreUnavailable);
      expect(elapsedMs).toBeLessThan(10_000);
    } finally {
      for (const server of servers) topology.resumeNode(server.name);
      await impatient.close();
    }
  }, 30_000);
});
