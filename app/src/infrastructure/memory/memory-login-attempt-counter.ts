import { type AttemptWindow, currentWindow, withFailure } from '../../domain/login-attempt.js';
import type { LoginAttemptCounter } from '../../domain/ports.js';

/** Failed-login windows in process memory; closed windows are ignored on read and swept. */
export class MemoryLoginAttemptCounter implements LoginAttemptCounter {
  private readonly windows = new Map<string, AttemptWindow>();

  async read(keys: readonly string[], now: number): Promise<AttemptWindow[]> {
    return keys.map((key) => currentWindow(key, this.windows.get(key) ?? null, now));
  }

  async recordFailure(
    keys: readonly string[],
    windowMs: number,
    now: number,
  ): Promise<AttemptWindow[]> {
    return keys.map((key) => {
      const window = withFailure(key, this.windows.get(key) ?? null, windowMs, now);
      this.windows.set(key, window);
      return window;
    });
  }

  async reset(key: string): Promise<void> {
    this.windows.delete(key);
  }

  sweep(now: number): void {
    for (const [key, window] of this.windows) if (window.resetsAt <= now) this.windows.delete(key);
  }
}
