import { type AttemptWindow, secondsUntilReset } from '../domain/login-attempt.js';
import type { AuthPolicy } from './auth-context.js';

export function throttleKeys(email: string, clientAddress: string): [string, string] {
  return [`account:${email}`, `address:${clientAddress}`];
}

/**
 * Seconds the caller must wait before trying again, or null when the login may proceed.
 * `windows` are [account, address] as `throttleKeys` orders them, read after this attempt was
 * reserved: a limit of N lets the first N attempts of a window through and refuses the rest.
 */
export function retryAfterSeconds(
  windows: readonly AttemptWindow[],
  policy: Pick<AuthPolicy, 'maxFailuresPerAccount' | 'maxFailuresPerAddress'>,
  now: number,
): number | null {
  const [account, address] = windows;
  const blocked = [
    account !== undefined && account.failures > policy.maxFailuresPerAccount ? account : null,
    address !== undefined && address.failures > policy.maxFailuresPerAddress ? address : null,
  ].filter((window): window is AttemptWindow => window !== null);
  if (blocked.length === 0) return null;
  return Math.max(...blocked.map((window) => secondsUntilReset(window, now)));
}
