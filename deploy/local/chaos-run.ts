/**
 * Long chaos run (not a default test): one stack in a temp dir, each fault repeated under
 * traffic, every acknowledgement verified after each repetition. Prints one line per
 * repetition and a summary, the figures recorded in docs/chaos.md.
 *
 *   tsx deploy/local/chaos-run.ts [--repeat 5] [--faults kill-master,pause-master,restart-redis]
 *
 * Sentinel failure detection is shortened to 1 s here (per-node lines), as in the tests.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { LocalStack } from './local-stack.js';
import { fastFailoverSentinelLines } from './redis-topology.js';
import { TrafficChecker } from './traffic-checker.js';

const maxRepeat = 50;

const { values } = parseArgs({
  options: {
    repeat: { type: 'string', default: '5' },
    faults: { type: 'string', default: 'kill-master,pause-master,restart-redis' },
  },
});
const repeat = Math.min(maxRepeat, Math.max(1, Number(values.repeat)));
const faults = values.faults.split(',');

const faultActions: Record<string, (stack: LocalStack) => Promise<unknown>> = {
  'kill-master': (stack) => stack.killMaster(),
  'pause-master': (stack) => stack.pauseMaster(),
  'restart-redis': (stack) => stack.restartRedis(),
};

async function main(): Promise<void> {
  const unknown = faults.filter((fault) => faultActions[fault] === undefined);
  if (unknown.length > 0) throw new Error(`unknown faults ${unknown.join(', ')}`);
  const dir = mkdtempSync(join(tmpdir(), 'chaos-run-'));
  const stack = await LocalStack.start({
    dir,
    sentinelLines: fastFailoverSentinelLines,
    appEnv: { LOG_LEVEL: 'warn' },
  });
  const totals = new Map<string, { runs: number; lost: number; worstOutageMs: number }>();
  try {
    for (let round = 1; round <= repeat; round += 1) {
      for (const fault of faults) {
        const traffic = new TrafficChecker(stack.endpoints().apps);
        await traffic.start();
        await sleep(1_000);
        await faultActions[fault]?.(stack);
        await sleep(2_000);
        await traffic.stop();
        const report = await traffic.verify();
        console.log(
          `${fault} #${round}: acknowledged ${report.acknowledged}, retryable ${report.retryable}, ` +
            `failed ${report.failed}, lost ${report.lost}, writes failing ` +
            `${report.longestWriteOutageMs} ms, slowest ack ${report.longestAcknowledgedMs} ms`,
        );
        const total = totals.get(fault) ?? { runs: 0, lost: 0, worstOutageMs: 0 };
        totals.set(fault, {
          runs: total.runs + 1,
          lost: total.lost + report.lost,
          worstOutageMs: Math.max(total.worstOutageMs, report.longestWriteOutageMs),
        });
      }
    }
  } finally {
    await stack.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  for (const [fault, total] of totals) {
    console.log(
      `summary ${fault}: ${total.runs} runs, lost ${total.lost}, worst ${total.worstOutageMs} ms`,
    );
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exitCode = 1;
});
