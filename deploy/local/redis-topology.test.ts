import { existsSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { cli, type RedisTopology, startReplicated, startStandalone } from './redis-topology.js';

describe('redis topology launcher', () => {
  let topology: RedisTopology | undefined;

  afterEach(async () => {
    await topology?.stop();
    topology = undefined;
  });

  it('starts a standalone server that takes writes without replicas', async () => {
    topology = await startStandalone();
    const [server] = topology.servers;

    expect(await cli(server?.port as number, ['SET', 'greeting', 'hello'])).toBe('OK');
    expect(await cli(server?.port as number, ['CONFIG', 'GET', 'appendonly'])).toContain('yes');
  });

  it('keeps data across a stop and a restart on the same data directory', async () => {
    topology = await startStandalone();
    const port = topology.servers[0]?.port as number;
    await cli(port, ['SET', 'kept', 'yes']);

    await topology.stopNode('redis-0');
    expect(await cli(port, ['PING'])).toBeUndefined();
    await topology.restartNode('redis-0');

    expect(await cli(port, ['GET', 'kept'])).toBe('yes');
  });

  it('answers nothing while paused and recovers when resumed', async () => {
    topology = await startStandalone();
    const port = topology.servers[0]?.port as number;

    topology.pauseNode('redis-0');
    expect(await cli(port, ['PING'])).toBeUndefined();
    topology.resumeNode('redis-0');

    expect(await cli(port, ['PING'])).toBe('PONG');
  });

  it('starts a master, a replica and three sentinels that agree on the master', async () => {
    topology = await startReplicated({ replicas: 1 });
    const [master, replica] = topology.servers;
    const dataDir = topology.dataDir;

    await cli(master?.port as number, ['SET', 'replicated', 'yes']);
    await cli(master?.port as number, ['WAIT', '1', '2000']);

    expect(topology.sentinels).toHaveLength(3);
    expect(await topology.currentMaster()).toBe(master?.port);
    expect(await cli(replica?.port as number, ['GET', 'replicated'])).toBe('yes');

    await topology.stop();
    topology = undefined;
    expect(existsSync(dataDir)).toBe(false);
  });
});
