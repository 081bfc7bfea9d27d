// The configuration the stack renders, run by a real redis-server (a master and a replica) and
// a real redis-sentinel on free loopback ports: it must parse, replicate with the replica ACL
// user, be watched by Sentinel through its ACL user, and hold the service user to its prefix.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redisUsers } from '../../components/naming.js';
import {
  renderAclFile,
  renderRedisConf,
  renderReplicationAuth,
  renderSentinelAuth,
  renderSentinelConf,
  replicaAclRules,
  sentinelAclRules,
  serviceAclRules,
} from '../../components/redis-config.js';
import { repoRoot } from './mocks.js';

const shared = (file: string) => readFileSync(`${repoRoot}deploy/redis/${file}`, 'utf8');
const passwords = {
  admin: 'admin-pw-1',
  service: 'service-pw-2',
  sentinelUser: 'sentinel-user-pw-3',
  replica: 'replica-pw-4',
  sentinel: 'sentinel-pw-5',
};
const masterName = 'mymaster';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

function installedVersion(): [number, number] {
  const banner = execFileSync('redis-server', ['--version'], { encoding: 'utf8' });
  const match = /v=(\d+)\.(\d+)/.exec(banner);
  return [Number(match?.[1] ?? 0), Number(match?.[2] ?? 0)];
}

/** Polls `check` every 200 ms, at most `attempts` times; returns whether it became true. */
async function eventually(check: () => Promise<boolean>, attempts = 75): Promise<boolean> {
  for (let attempt = 0; attempt < attempts; attempt++) {
    if (await check().catch(() => false)) return true;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return false;
}

describe('rendered redis.conf and sentinel.conf on real servers', () => {
  const dir = mkdtempSync(join(tmpdir(), 'auth-stack-redis-'));
  const processes: ChildProcess[] = [];
  const clients: Redis[] = [];
  const ports = { master: 0, replica: 0, sentinel: 0 };

  const client = (port: number, username?: string, password?: string) => {
    // Retries for a few seconds while a just-started server opens its port, then gives up.
    const connection = new Redis({
      host: '127.0.0.1',
      port,
      username,
      password,
      maxRetriesPerRequest: 1,
      retryStrategy: (attempt) => (attempt < 25 ? 200 : null),
    });
    connection.on('error', () => {});
    clients.push(connection);
    return connection;
  };

  const start = (binary: string, name: string, conf: string) => {
    const file = join(dir, `${name}.conf`);
    writeFileSync(file, conf);
    const child = spawn(binary, [file], { stdio: ['ignore', 'ignore', 'pipe'] });
    processes.push(child);
  };

  beforeAll(async () => {
    ports.master = await freePort();
    ports.replica = await freePort();
    ports.sentinel = await freePort();
    writeFileSync(
      join(dir, 'users.acl'),
      renderAclFile(passwords.admin, [
        {
          name: redisUsers.service,
          password: passwords.service,
          rules: serviceAclRules('auth:', installedVersion()),
        },
        { name: redisUsers.sentinel, password: passwords.sentinelUser, rules: sentinelAclRules },
        { name: redisUsers.replica, password: passwords.replica, rules: replicaAclRules },
      ]),
    );
    writeFileSync(
      join(dir, 'replication.conf'),
      renderReplicationAuth(redisUsers.replica, passwords.replica),
    );

    for (const role of ['master', 'replica'] as const) {
      const nodeDir = mkdtempSync(join(dir, `${role}-`));
      const conf = renderRedisConf(shared('redis.conf'), {
        port: ports[role],
        bind: '127.0.0.1 -::1',
        dir: nodeDir,
        aclFile: join(dir, 'users.acl'),
        includes: [join(dir, 'replication.conf')],
        announceHost: 'localhost',
        maxmemoryBytes: 64 * 1024 * 1024,
        ...(role === 'replica' ? { replicaOf: { host: 'localhost', port: ports.master } } : {}),
      });
      start('redis-server', role, conf);
    }
    // A hostname, not an IP, in the monitor line: proves resolve-hostnames comes first.
    start(
      'redis-sentinel',
      'sentinel',
      renderSentinelConf(shared('sentinel.conf'), {
        port: ports.sentinel,
        bind: '127.0.0.1',
        dir,
        masterName,
        master: { host: 'localhost', port: ports.master },
        quorum: 1,
        auth: renderSentinelAuth(
          masterName,
          passwords.sentinel,
          redisUsers.sentinel,
          passwords.sentinelUser,
        ),
      }),
    );
  });

  afterAll(async () => {
    for (const connection of clients) connection.disconnect();
    await Promise.all(
      processes.map(
        (child) =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null) return resolve();
            const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
            child.once('exit', () => {
              clearTimeout(timer);
              resolve();
            });
            child.kill('SIGTERM');
          }),
      ),
    );
    rmSync(dir, { recursive: true, force: true });
  });

  it('starts a master with AOF on and a replica that syncs through the replica ACL user', async () => {
    const replica = client(ports.replica, 'default', passwords.admin);
    const synced = await eventually(async () =>
      (await replica.info('replication')).includes('master_link_status:up'),
    );
    expect(synced).toBe(true);
    const admin = client(ports.master, 'default', passwords.admin);
    expect(await admin.config('GET', 'appendonly')).toEqual(['appendonly', 'yes']);
    expect(await admin.config('GET', 'min-replicas-to-write')).toEqual([
      'min-replicas-to-write',
      '1',
    ]);
  });

  it('lets the service user write under its prefix and nothing else', async () => {
    const service = client(ports.master, redisUsers.service, passwords.service);
    await eventually(async () => (await service.set('auth:probe', '1', 'EX', 60)) === 'OK');
    expect(await service.get('auth:probe')).toBe('1');
    await expect(service.set('other:probe', '1')).rejects.toThrow(/NOPERM/);
    await expect(service.keys('*')).rejects.toThrow(/NOPERM/);
    await expect(service.call('config', 'get', 'dir')).rejects.toThrow(/NOPERM/);
    await expect(service.call('flushall')).rejects.toThrow(/NOPERM|unknown command/);
  });

  it('refuses the service user with a wrong password', async () => {
    const intruder = new Redis({
      host: '127.0.0.1',
      port: ports.master,
      username: redisUsers.service,
      password: 'not-the-password',
      lazyConnect: true,
      retryStrategy: () => null,
    });
    const refused = new Promise<Error>((resolve) => intruder.once('error', resolve));
    intruder.connect().catch(() => {});
    expect((await refused).message).toMatch(/WRONGPASS/);
    intruder.disconnect();
  });

  it('runs a sentinel that requires its password, finds the master by hostname and its replica', async () => {
    const sentinel = client(ports.sentinel, undefined, passwords.sentinel);
    const address = (await sentinel.call(
      'sentinel',
      'get-master-addr-by-name',
      masterName,
    )) as string[];
    expect(address).toEqual(['localhost', String(ports.master)]);
    const seesReplica = await eventually(async () => {
      const replicas = (await sentinel.call('sentinel', 'replicas', masterName)) as unknown[];
      return replicas.length === 1;
    });
    expect(seesReplica).toBe(true);
    const master = (await sentinel.call('sentinel', 'master', masterName)) as string[];
    expect(master[master.indexOf('flags') + 1]).toBe('master');
    const anonymous = client(ports.sentinel);
    await expect(anonymous.call('sentinel', 'masters')).rejects.toThrow(/NOAUTH/);
  });
});
