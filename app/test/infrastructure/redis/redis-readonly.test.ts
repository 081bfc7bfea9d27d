import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  cli,
  fastFailoverSentinelLines,
  freePorts,
} from '../../../../deploy/local/redis-topology.js';
import { StoreUnavailable } from '../../../src/domain/errors.js';
import type { ConnectionEvent } from '../../../src/infrastructure/redis/connection.js';
import { RedisStorage } from '../../../src/infrastructure/redis/redis-storage.js';
import { MINUTE, randomId } from '../../support/factories.js';
import {
  eventually,
  openStorage,
  type RedisTopology,
  recordingLogger,
  startReplicated,
  testConfig,
} from '../../support/redis.js';

/*
 * A write that reaches a master which has just become a replica gets READONLY. A plain
 * `SENTINEL FAILOVER` rarely shows it: the sentinel demotes the old master in one MULTI with
 * CLIENT KILL, and the client's failover detector moves it first. So this file demotes the
 * master behind everyone's back (REPLICAOF an address where nothing listens): the client
 * keeps its open connection to it and its next write is refused with READONLY. Then a
 * `SENTINEL FAILOVER` promotes a replica (the sentinels would do it alone, but only after
 * about 30 s). No node accepts a write between the demotion and the promotion, so no
 * acknowledged write can be lost by a resync; what is tested is the client's path through
 * READONLY: reconnect, ask the sentinels again, resend, or fail with StoreUnavailable.
 */
const failoverWaitMs = 12_000;
const writesBefore = 5;
const writesAfter = 10;
const maxWritesAfter = 40;

let topology: RedisTopology;

function config() {
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

/** The outcome of one revocation: acknowledged, or the error it was rejected with. */
interface WriteOutcome {
  readonly jti: string;
  readonly error: unknown;
}

function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  return `${error.constructor.name}: ${error.message}`;
}

async function revokeOne(storage: RedisStorage): Promise<WriteOutcome> {
  const jti = randomId();
  const error = await storage.revocations
    .revoke([{ kind: 'token', jti, until: Date.now() + 10 * MINUTE }])
    .then(
      () => undefined,
      (rejection: unknown) => rejection ?? new Error('rejected without a reason'),
    );
  return { jti, error };
}

beforeAll(async () => {
  topology = await startReplicated({ replicas: 2, sentinelLines: fastFailoverSentinelLines });
}, 60_000);

afterAll(async () => {
  await topology?.stop();
});

describe('redis storage when its master is demoted under it', () => {
  it('sees READONLY, moves to the promoted replica and loses no acknowledged write', async () => {
    const events: ConnectionEvent[] = [];
    const storage = await RedisStorage.open(config(), {
      logger: recordingLogger(),
      onEvent: (event) => events.push(event),
    });
    // Watches the replies the client's reconnectOnError sees, and keeps its decision.
    const replyErrors: string[] = [];
    const options = storage.connection.client.options;
    const decide = options.reconnectOnError;
    options.reconnectOnError = (error) => {
      replyErrors.push(error.message);
      return decide ? decide(error) : false;
    };

    const outcomes: WriteOutcome[] = [];
    try {
      const oldMaster = await topology.currentMaster();
      for (let index = 0; index < writesBefore; index += 1) outcomes.push(await revokeOne(storage));

      // Nothing listens on this port, so the demoted node neither syncs nor loses data.
      const [nowhere] = await freePorts(1);
      expect(await cli(oldMaster, ['REPLICAOF', '127.0.0.1', String(nowhere)])).toBe('OK');
      expect(await cli(oldMaster, ['ROLE'])).toMatch(/^slave/);

      // Sequential writes straight after the demotion: the first one meets READONLY.
      let acknowledgedAfter = 0;
      const writing = (async () => {
        const deadline = Date.now() + 25_000;
        for (let count = 0; count < maxWritesAfter && Date.now() < deadline; count += 1) {
          const outcome = await revokeOne(storage);
          outcomes.push(outcome);
          if (outcome.error === undefined) acknowledgedAfter += 1;
          if (acknowledgedAfter >= writesAfter) return;
        }
      })();

      // Left alone, the sentinels notice a master that reports itself a replica only after
      // about 30 s (their INFO period is 10 s); a manual failover stands in for that wait.
      const refused = await eventually(
        () => replyErrors.some((message) => message.startsWith('READONLY')),
        5_000,
      );
      const sentinelPort = topology.sentinels[0]?.port as number;
      const started = await eventually(
        async () => (await cli(sentinelPort, ['SENTINEL', 'FAILOVER', 'mymaster'])) === 'OK',
        10_000,
        250,
      );
      await writing;

      const newMaster = await topology.currentMaster();
      const failed = outcomes.filter((outcome) => outcome.error !== undefined);
      const acknowledged = outcomes.filter((outcome) => outcome.error === undefined);
      const readOnlySeen = replyErrors.filter((message) => message.startsWith('READONLY'));
      console.info(
        `readonly: ${readOnlySeen.length} READONLY replies, ${acknowledged.length} acknowledged, ` +
          `${failed.length} failed, master ${oldMaster} -> ${newMaster}, ` +
          `switch-master events ${events.filter((event) => event === 'switch-master').length}, ` +
          `reply errors ${JSON.stringify([...new Set(replyErrors)])}, ` +
          `failures ${JSON.stringify(failed.map(({ error }) => describeError(error)))}`,
      );

      expect(refused).toBe(true);
      expect(readOnlySeen.length).toBeGreaterThan(0);
      expect(started).toBe(true);
      expect(newMaster).not.toBe(oldMaster);
      expect(await cli(newMaster, ['ROLE'])).toMatch(/^master/);
      expect(acknowledgedAfter).toBe(writesAfter);
      expect(
        failed.map(({ error }) => error).filter((e) => !(e instanceof StoreUnavailable)),
      ).toEqual([]);

      // Read back from a storage opened now: its view holds only what the new master has.
      const fresh = await openStorage(config());
      try {
        const missing = acknowledged.filter(
          ({ jti }) => fresh.revocations.check(tokenClaims(jti), Date.now()).status !== 'revoked',
        );
        expect(missing).toEqual([]);
      } finally {
        await fresh.close();
      }
    } finally {
      await storage.close();
    }
  }, 45_000);

  it('lets the sentinels take the demoted node back as a replica of the new master', async () => {
    const newMaster = await topology.currentMaster();
    const fixed = await eventually(
      async () => {
        const roles = await Promise.all(topology.servers.map((node) => cli(node.port, ['ROLE'])));
        // ROLE of a replica: slave, master host, master port, link state, offset.
        const following = roles.filter((role) => role?.split('\n')[2] === String(newMaster));
        return following.length === topology.servers.length - 1;
      },
      15_000,
      250,
    );
    expect(fixed).toBe(true);
    expect(await cli(newMaster, ['ROLE'])).toMatch(/^master/);
  }, 20_000);
});
