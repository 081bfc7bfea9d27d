/**
 * Login attempts counted under one key (an account or a client address) in a fixed window.
 * An attempt is counted before its password is checked and given back when it succeeds, so
 * `failures` holds the failed attempts plus those still being checked.
 */
export interface AttemptWindow {
  readonly key: string;
  readonly failures: number;
  /** Epoch ms at which the count starts again from zero. */
  readonly resetsAt: number;
}

/** The window of `key` at `now`, given what is stored (null when nothing is). */
export function currentWindow(
  key: string,
  stored: AttemptWindow | null,
  now: number,
): AttemptWindow {
  if (stored === null || stored.resetsAt <= now) return { key, failures: 0, resetsAt: now };
  return stored;
}

/** The window after one more failure at `now`: a closed window reopens for `windowMs`. */
export function withFailure(
  key: string,
  stored: AttemptWindow | null,
  windowMs: number,
  now: number,
): AttemptWindow {
  const window = currentWindow(key, stored, now);
  if (window.failures === 0) return { key, failures: 1, resetsAt: now + windowMs };
  return { ...window, failures: window.failures + 1 };
}

/**
 * The window after one attempt is given back at `now`, or null when none is left to keep.
 * A closed window has nothing to give back.
 */
export function withOneReleased(
  key: string,
  stored: AttemptWindow | null,
  now: number,
): AttemptWindow | null {
  const window = currentWindow(key, stored, now);
  if (window.failures <= 1) return null;
  return { ...window, failures: window.failures - 1 };
}

/** Whole seconds until the window resets, at least 1 (the value of a Retry-After header). */
export function secondsUntilReset(window: AttemptWindow, now: number): number {
  return Math.max(1, Math.ceil((window.resetsAt - now) / 1000));
}
