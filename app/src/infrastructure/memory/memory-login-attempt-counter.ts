import { type AttemptWindow, withFailure, withOneReleased } from '../../domain/login-attempt.js';
import type { LoginAttemptCounter } from '../../domain/ports.js';

/**
 * Login attempt windows in process memory. Each method runs without awaiting, so a reserve
 * is atomic on the single event loop; closed windows are ignored on read and swept.
 */
export class MemoryLoginAttemptCounter implements LoginAttemptCounter {
  private readonly windows = new Map<string, AttemptWindow>();

  async reserve(keys: readonly string[], windowMs: number, now: number): Promise<AttemptWindow[]> {
    return keys.map((key) => {
      const window = withFailure(key, this.windows.get(key) ?? null, windowMs, now);
      this.windows.set(key, window);
      return window;
    });
  }

  async release(key: string, now: number): Promise<void> {
    const window = withOneReleased(key, this.windows.get(key) ?? null, now);
    if (window === null) this.windows.delete(key);
    else this.windows.set(key, window);
  }

  async reset(key: string): Promise<void> {
    this.windows.delete(key);
  }

  sweep(now: number): void {
    for (const [key, window] of this.windows) if (window.resetsAt <= now) this.windows.delete(key);
  }
}
