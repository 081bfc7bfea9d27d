import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { cli } from '../../../../deploy/local/redis-topology.js';
import { StoreUnavailable } from '../../../src/domain/errors.js';
import { RedisConnection } from '../../../src/infrastructure/redis/connection.js';
import { scripts } from '../../../src/infrastructure/redis/lua-script.js';
import type { RedisStorage } from '../../../src/infrastructure/redis/redis-storage.js';
import {
  HOUR,
  makeRefreshToken,
  makeSession,
  makeSuccessor,
  makeUser,
  randomId,
} from '../../support/factories.js';
import {
  openStorage,
  type RedisTopology,
  recordingLogger,
  startStandalone,
  testConfig,
} from '../../support/redis.js';
import { startTcpProxy, type TcpProxy } from './tcp-proxy.js';

/*
 * A reply lost after the server ran the command: the client cannot tell whether it applied.
 * The proxy between client and a real redis-server lets the command through and closes the
 * connection instead of delivering its answer.
 */
let topology: RedisTopology;
let proxy: TcpProxy;
const closers: (() => Promise<void>)[] = [];

const port = () => topology.servers[0]?.port as number;

beforeAll(async () => {
  topology = await startStandalone();
});

afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

afterAll(async () => {
  await topology?.stop();
});

async function connectionThroughProxy(): Promise<RedisConnection> {
  proxy = await startTcpProxy(port());
  const connection = new RedisConnection(testConfig({ REDIS_URL: proxy.url }), {
    logger: recordingLogger(),
  });
  closers.push(
    () => proxy.close(),
    () => connection.close(),
  );
  await connection.run('ping', (client) => client.ping());
  return connection;
}

describe('a reply lost after the command reached the server', () => {
  it('never repeats a step marked not idempotent, and rejects with StoreUnavailable', async () => {
    const connection = await connectionThroughProxy();
    const key = `test:{${randomId()}}:count`;

    proxy.dropReplyTo(key);
    const outcome = await connection
      .run('count once', (client) => client.incr(key), { idempotent: false })
      .catch((error: unknown) => error);

    expect(outcome).toBeInstanceOf(StoreUnavailable);
    expect(outcome).toMatchObject({ retryAfterSeconds: 3 });
    expect(await cli(port(), ['GET', key])).toBe('1');
  });

  it('repeats an idempotent step through the same fault', async () => {
    const connection = await connectionThroughProxy();
    const key = `test:{${randomId()}}:value`;

    proxy.dropReplyTo(key);
    const outcome = await connection.run('set value', (client) => client.set(key, 'v'));

    expect(outcome).toBe('OK');
    expect(await cli(port(), ['GET', key])).toBe('v');
  });

  it('answers StoreUnavailable for a rotation that ran, not a reuse of the caller token', async () => {
    proxy = await startTcpProxy(port());
    const storage: RedisStorage = await openStorage(testConfig({ REDIS_URL: proxy.url }));
    closers.push(
      () => proxy.close(),
      () => storage.close(),
    );
    // Cached by SHA up front, so the rotation goes out as EVALSHA and the proxy can spot it.
    await cli(port(), ['SCRIPT', 'LOAD', scripts.rotateRefreshToken.source]);
    const now = Date.now();
    const session = makeSession(makeUser().id, now);
    const refresh = makeRefreshToken(session, now);
    await storage.sessions.create(session, refresh.record);

    proxy.dropReplyTo(scripts.rotateRefreshToken.sha);
    const outcome = await storage.sessions
      .rotateRefreshToken({
        presentedTokenHash: refresh.record.tokenHash,
        successor: makeSuccessor(now).successor,
        now,
        idleTimeoutMs: HOUR,
        reuseGraceMs: 0,
      })
      .catch((error: unknown) => error);

    expect(outcome).toBeInstanceOf(StoreUnavailable);
    const stored = await cli(port(), [
      'GET',
      `auth:{u:${session.userId}}:refresh:${refresh.record.tokenHash}`,
    ]);
    expect(JSON.parse(stored ?? '{}')).toHaveProperty('spentAt', now);
    expect(await storage.sessions.findLive(session.id, now)).not.toBeNull();
  });
});
