import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { LocalStack } from './local-stack.js';
import { cli, fastFailoverSentinelLines } from './redis-topology.js';
import { TrafficChecker, type TrafficReport } from './traffic-checker.js';

/*
 * Each test starts the whole stack (3 redis-server, 3 sentinels, 2 instances) in its own
 * temp dir and stops it by pid. For speed only, the sentinels' failure detection is
 * shortened here through the launcher's per-node lines (1 s instead of deploy/redis's 5 s);
 * every other setting comes from deploy/redis/*.conf.
 */
const trafficBeforeFaultMs = 2_000;
const trafficAfterFaultMs = 3_000;

let stack: LocalStack | undefined;
let dir: string | undefined;

async function startStack(): Promise<LocalStack> {
  dir = mkdtempSync(join(tmpdir(), 'local-stack-'));
  stack = await LocalStack.start({
    dir,
    instances: 2,
    sentinelLines: fastFailoverSentinelLines,
    appEnv: { LOG_LEVEL: 'warn' },
  });
  return stack;
}

/** Traffic across every instance around `fault`; the report after verification. */
async function underTraffic(running: LocalStack, fault: () => Promise<unknown>) {
  const traffic = new TrafficChecker(running.endpoints().apps);
  await traffic.start();
  await sleep(trafficBeforeFaultMs);
  await fault();
  await sleep(trafficAfterFaultMs);
  await traffic.stop();
  const report = await traffic.verify();
  printReport(expect.getState().currentTestName ?? 'chaos', report);
  return report;
}

function printReport(name: string, report: TrafficReport): void {
  const { acknowledged, retryable, failed, lost } = report;
  console.log(
    `${name}: acknowledged ${acknowledged}, retryable ${retryable}, failed ${failed}, ` +
      `lost ${lost}, writes failing for at most ${report.longestWriteOutageMs} ms, ` +
      `slowest acknowledged operation ${report.longestAcknowledgedMs} ms`,
  );
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

afterEach(async () => {
  await stack?.stop();
  stack = undefined;
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

describe('the local stack under faults', () => {
  it('loses no acknowledged operation when the master is killed under traffic', async () => {
    const running = await startStack();
    const before = await running.master();

    const report = await underTraffic(running, () => running.killMaster());

    expect((await running.master()).port).not.toBe(before.port);
    expect(report.acknowledged).toBeGreaterThan(0);
    expect(report.lostDetails).toEqual([]);
    expect(report.failedDetails).toEqual([]);
  }, 180_000);

  it('follows the promoted replica when the master hangs, and takes it back as a replica', async () => {
    const running = await startStack();
    const before = await running.master();

    const report = await underTraffic(running, () => running.pauseMaster());

    expect((await running.master()).port).not.toBe(before.port);
    const demoted = await eventually(
      async () => (await cli(before.port, ['ROLE']))?.startsWith('slave') === true,
      30_000,
    );
    expect(demoted).toBe(true);
    expect(report.acknowledged).toBeGreaterThan(0);
    expect(report.lostDetails).toEqual([]);
    expect(report.failedDetails).toEqual([]);
  }, 180_000);

  it('keeps every session, refresh token and revocation across a restart of everything', async () => {
    const running = await startStack();
    const traffic = new TrafficChecker(running.endpoints().apps);
    await traffic.start();
    await sleep(trafficBeforeFaultMs);
    await traffic.stop();

    await running.restartRedis();
    await running.restartApps();
    const report = await traffic.verify();
    printReport('full restart', report);

    expect(report.acknowledged).toBeGreaterThan(0);
    expect(report.retryable + report.failed).toBe(0);
    expect(report.lostDetails).toEqual([]);
  }, 180_000);
});

async function eventually(condition: () => Promise<boolean>, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await condition()) return true;
    await sleep(200);
  }
  return condition();
}
