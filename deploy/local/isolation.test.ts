import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { LocalStack } from './local-stack.js';
import { cliAt, fastFailoverSentinelLines } from './redis-topology.js';
import { TrafficChecker } from './traffic-checker.js';

/*
 * The network partition: every Redis node and sentinel runs in a network namespace of its
 * own (deploy/local/network-lab.ts), the instances in the root namespace. The master is cut
 * off from the sentinels and replicas while the instances still reach it. For speed only,
 * the sentinels' failure detection is shortened to 1 s through the launcher's per-node lines
 * (deploy/redis says 5 s); `min-replicas-to-write 1` and `min-replicas-max-lag 10` are the
 * shared settings of deploy/redis/redis.conf, unchanged.
 */
const trafficBeforeFaultMs = 2_000;
const trafficAfterFaultMs = 3_000;

let stack: LocalStack | undefined;
let dir: string | undefined;

afterEach(async () => {
  await stack?.stop();
  stack = undefined;
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

describe('the local stack under a network partition', () => {
  it('loses no acknowledged operation when the master is cut off from sentinels and replicas', async () => {
    dir = mkdtempSync(join(tmpdir(), 'local-stack-netns-'));
    stack = await LocalStack.start({
      dir,
      instances: 2,
      network: true,
      sentinelLines: fastFailoverSentinelLines,
      appEnv: { LOG_LEVEL: 'warn' },
    });
    const running = stack;
    const before = await running.master();
    const traffic = new TrafficChecker(running.endpoints().apps);
    await traffic.start();
    await sleep(trafficBeforeFaultMs);

    const seenWhileCut: { ping?: string; write?: string } = {};
    const fault = await running.isolateMaster({
      whileIsolated: async (isolated) => {
        seenWhileCut.ping = await cliAt(isolated, ['PING']);
        seenWhileCut.write = await cliAt(isolated, ['SET', 'chaos:isolation-probe', 'x']);
      },
    });
    await sleep(trafficAfterFaultMs);
    await traffic.stop();
    const report = await traffic.verify();
    console.log(
      `isolate-master: ${fault.isolated} cut off, ${fault.promoted} promoted after ` +
        `${fault.failoverMs} ms, writes refused after ${fault.writesRefusedMs} ms, healed ` +
        `after ${fault.healedMs} ms, rejoined as replica after ${fault.rejoinedMs} ms; ` +
        `acknowledged ${report.acknowledged} (sessions checked ${report.checkedSessions}), ` +
        `retryable ${report.retryable}, failed ${report.failed}, lost ${report.lost} ` +
        `(revocations ${report.lostRevocations}), writes failing for at most ` +
        `${report.longestWriteOutageMs} ms, slowest acknowledged ${report.longestAcknowledgedMs} ms`,
    );

    expect(fault.isolated).toBe(before.name);
    expect(fault.promoted).not.toBe(before.name);
    expect(seenWhileCut.ping).toBe('PONG');
    expect(seenWhileCut.write).toMatch(/^NOREPLICAS/);
    expect((await running.master()).name).toBe(fault.promoted);
    expect(await cliAt(before, ['ROLE'])).toMatch(/^slave/);
    expect(report.acknowledged).toBeGreaterThan(0);
    expect(report.lostRevocations).toBe(0);
    expect(report.lostDetails).toEqual([]);
    expect(report.failedDetails).toEqual([]);

    const record = running.lab?.record;
    await running.stop();
    stack = undefined;
    const namespaces = execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' });
    const links = execFileSync('ip', ['-o', 'link', 'show'], { encoding: 'utf8' });
    for (const name of record?.namespaces ?? []) expect(namespaces).not.toContain(name);
    expect(links).not.toContain(record?.bridge);
  }, 180_000);
});

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
