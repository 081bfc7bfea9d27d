import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import {
  pingCommand,
  preStopRedis,
  redisTerminationGraceSeconds,
  startRedis,
  startSentinel,
} from './redis-scripts.js';

describe('pod scripts', () => {
  it.each([
    ['start-redis.sh', startRedis],
    ['start-sentinel.sh', startSentinel],
    ['pre-stop.sh', preStopRedis],
  ])('%s parses as POSIX sh', (_name, script) => {
    expect(() => execFileSync('sh', ['-n'], { input: script })).not.toThrow();
  });

  it('rejects a script with a syntax error, so the check above means something', () => {
    expect(() => execFileSync('sh', ['-n'], { input: 'if then fi', stdio: 'pipe' })).toThrow();
  });

  it('never puts a password on a command line', () => {
    for (const script of [startRedis, startSentinel, preStopRedis]) {
      expect(script).not.toMatch(/redis-cli[^\n]* -a /);
      expect(script).not.toMatch(/--pass/);
    }
  });

  it('waits for the hand-off less long than the grace period that bounds it', () => {
    const wait = Number(/-lt (\d+) \]; do\n {2}master=\$\(ask_sentinels\)/.exec(preStopRedis)?.[1]);
    expect(wait).toBeGreaterThan(0);
    expect(wait).toBeLessThan(redisTerminationGraceSeconds);
  });

  it('probes with PING through redis-cli', () => {
    expect(pingCommand(6379)).toEqual([
      'sh',
      '-c',
      'redis-cli --no-auth-warning -p 6379 ping | grep -q PONG',
    ]);
  });
});
