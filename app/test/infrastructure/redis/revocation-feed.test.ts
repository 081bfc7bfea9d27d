import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { cli } from '../../../../deploy/local/redis-topology.js';
import { RedisStorage } from '../../../src/infrastructure/redis/redis-storage.js';
import { MINUTE, randomId } from '../../support/factories.js';
import {
  eventually,
  type RedisTopology,
  recordingLogger,
  sleep,
  startStandalone,
  testConfig,
} from '../../support/redis.js';
import { startTcpProxy } from './tcp-proxy.js';

/*
 * The feed reader against real servers: falling behind past the trim point, a store that
 * lost entries, and a node that is no longer (or never was) a master it can trust.
 * REVOCATION_MAX_STALENESS_MS is 2000 in testConfig, so a reader blocks at most 666 ms.
 */
const topologies: RedisTopology[] = [];
const closers: (() => Promise<void>)[] = [];

async function server(redisLines: string[] = []): Promise<RedisTopology> {
  const topology = await startStandalone({ redisLines });
  topologies.push(topology);
  return topology;
}

const portOf = (topology: RedisTopology) => topology.servers[0]?.port as number;

async function open(
  env: Record<string, string>,
  feed: { feedMaxLength?: number } = {},
): Promise<RedisStorage> {
  const storage = await RedisStorage.open(testConfig(env), { logger: recordingLogger(), feed });
  closers.push(() => storage.close());
  return storage;
}

function claims(jti = randomId()) {
  const iat = Math.floor(Date.now() / 1000);
  return { sub: randomId(), sid: randomId(), jti, iat, exp: iat + 900 };
}

const statusOf = (storage: RedisStorage, jti: string) =>
  storage.revocations.check(claims(jti), Date.now()).status;

afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

afterAll(async () => {
  await Promise.all(topologies.splice(0).map((topology) => topology.stop()));
});

describe('revocation feed gaps', () => {
  it('resyncs a reader that fell behind past the trim point instead of skipping', async () => {
    // Small stream nodes so that MAXLEN ~ trims after a few dozen entries, not hundreds.
    const redis = await server(['stream-node-max-entries 4']);
    const proxy = await startTcpProxy(portOf(redis));
    closers.push(() => proxy.close());
    const reader = await open({ REDIS_URL: proxy.url });
    const writer = await open({ REDIS_URL: redis.url }, { feedMaxLength: 8 });
    await sleep(100); // the reader is now blocked in XREAD

    proxy.hold();
    const jtis = Array.from({ length: 60 }, () => randomId());
    for (const jti of jtis) {
      await writer.revocations.revoke([{ kind: 'token', jti, until: Date.now() + MINUTE }]);
    }
    proxy.release();

    expect(Number(await cli(portOf(redis), ['XLEN', 'auth:{rev}:feed']))).toBeLessThan(30);
    const allRevoked = await eventually(
      () => jtis.every((jti) => statusOf(reader, jti) === 'revoked'),
      5_000,
    );
    expect(jtis.filter((jti) => statusOf(reader, jti) !== 'revoked')).toEqual([]);
    expect(allRevoked).toBe(true);
  });

  it('keeps what the view holds when a resync finds the store without it', async () => {
    const redis = await server();
    const [first, second] = [
      await open({ REDIS_URL: redis.url }),
      await open({ REDIS_URL: redis.url }),
    ];
    const lost = randomId();
    await first.revocations.revoke([{ kind: 'token', jti: lost, until: Date.now() + MINUTE }]);

    // As after a failover to a replica that never received the revocation.
    await cli(portOf(redis), ['DEL', 'auth:{rev}:entries', 'auth:{rev}:feed']);
    await sleep(1_500); // the reader notices the vanished feed and resyncs from the empty store
    const later = randomId();
    await second.revocations.revoke([{ kind: 'token', jti: later, until: Date.now() + MINUTE }]);

    expect(await eventually(() => statusOf(first, later) === 'revoked', 5_000)).toBe(true);
    expect(statusOf(first, lost)).toBe('revoked');
  });
});

describe('revocation view freshness', () => {
  it('turns unknown while it reads from a node that became a replica', async () => {
    const [node, otherMaster] = [await server(), await server()];
    const storage = await open({ REDIS_URL: node.url });
    const jti = randomId();
    expect(statusOf(storage, jti)).toBe('valid');

    await cli(portOf(node), ['REPLICAOF', '127.0.0.1', String(portOf(otherMaster))]);
    expect(await eventually(() => statusOf(storage, jti) === 'unknown', 10_000)).toBe(true);
    expect(await storage.isReady()).toBe(false);

    await cli(portOf(node), ['REPLICAOF', 'NO', 'ONE']);
    expect(await eventually(() => statusOf(storage, jti) === 'valid', 10_000)).toBe(true);
  });

  it('turns unknown when its master has fewer good replicas than REDIS_WAIT_REPLICAS', async () => {
    // No delay before a full sync: the replica attaches at once, here and after its restart.
    const quickSync = ['repl-diskless-sync-delay 0'];
    const [master, replica] = [await server(quickSync), await server(quickSync)];
    const follow = ['REPLICAOF', '127.0.0.1', String(portOf(master))];
    const replicaOnline = async () =>
      /slave0:.*state=online/.test((await cli(portOf(master), ['INFO', 'replication'])) ?? '');
    await cli(portOf(replica), follow);
    expect(await eventually(replicaOnline, 10_000)).toBe(true);
    const storage = await open({ REDIS_URL: master.url, REDIS_WAIT_REPLICAS: '1' });
    const jti = randomId();
    expect(await eventually(() => statusOf(storage, jti) === 'valid', 5_000)).toBe(true);

    await replica.stopNode('redis-0');
    expect(await eventually(() => statusOf(storage, jti) === 'unknown', 10_000)).toBe(true);

    await replica.restartNode('redis-0');
    await cli(portOf(replica), follow);
    expect(await eventually(() => statusOf(storage, jti) === 'valid', 10_000)).toBe(true);
  });
});
