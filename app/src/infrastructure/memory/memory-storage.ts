import type { Storage } from '../../domain/ports.js';
import { MemoryLoginAttemptCounter } from './memory-login-attempt-counter.js';
import { MemoryRevocationList } from './memory-revocation-list.js';
import { MemorySessionRepository } from './memory-session-repository.js';
import { MemoryUserRepository } from './memory-user-repository.js';

export interface MemoryStorageOptions {
  /** How often ended sessions, old revocations and closed windows are dropped (ms). */
  readonly sweepIntervalMs?: number;
  /** The clock of the sweep and of the start time; tests pass their own. */
  readonly clock?: () => number;
}

/**
 * Everything in this process's memory: the baseline backend. Lost on restart and not
 * shared between instances, which is why the redis backend exists.
 */
export class MemoryStorage implements Storage {
  readonly backend = 'memory' as const;
  readonly users = new MemoryUserRepository();
  readonly sessions = new MemorySessionRepository();
  readonly revocations: MemoryRevocationList;
  readonly loginAttempts = new MemoryLoginAttemptCounter();
  private readonly clock: () => number;
  private sweeper: NodeJS.Timeout | null;

  constructor(options: MemoryStorageOptions = {}) {
    this.clock = options.clock ?? Date.now;
    // Tokens issued before this memory existed name sessions it never held.
    this.revocations = new MemoryRevocationList(this.clock());
    // Unref'd: a forgotten close() must not keep the process alive.
    this.sweeper = setInterval(() => this.sweep(), options.sweepIntervalMs ?? 60_000);
    this.sweeper.unref();
  }

  async isReady(): Promise<boolean> {
    return this.sweeper !== null;
  }

  async close(): Promise<void> {
    if (this.sweeper !== null) clearInterval(this.sweeper);
    this.sweeper = null;
  }

  sweep(): void {
    const now = this.clock();
    this.sessions.sweep(now);
    this.revocations.sweep(now);
    this.loginAttempts.sweep(now);
  }
}
