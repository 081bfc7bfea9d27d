import { describe, expect, it } from 'vitest';
import { retryAfterSeconds, throttleKeys } from '../../src/application/login-throttle.js';

const policy = { maxFailuresPerAccount: 3, maxFailuresPerAddress: 10 };
const now = 1_800_000_000_000;
const window = (key: string, failures: number, resetsInMs: number) => ({
  key,
  failures,
  resetsAt: now + resetsInMs,
});

describe('login throttling', () => {
  it('lets an attempt through up to and including each limit', () => {
    const [account, address] = throttleKeys('a@b.test', '10.0.0.1');
    expect(
      retryAfterSeconds([window(account, 3, 1), window(address, 10, 1)], policy, now),
    ).toBeNull();
  });

  it('refuses the attempt past either limit and waits for the later reset', () => {
    const [account, address] = throttleKeys('a@b.test', '10.0.0.1');
    expect(retryAfterSeconds([window(account, 4, 5_000), window(address, 1, 0)], policy, now)).toBe(
      5,
    );
    expect(
      retryAfterSeconds([window(account, 4, 5_000), window(address, 11, 60_000)], policy, now),
    ).toBe(60);
  });
});
