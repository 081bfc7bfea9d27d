import type { Storage } from '../domain/ports.js';

/** Receives the duration of one storage operation, in seconds. */
export type OperationObserver = (operation: string, seconds: number) => void;

/**
 * The same Storage with every port method timed, so latency is measured once for every
 * adapter. Operations are named `<port>.<method>` (for example `sessions.create`).
 */
export function timedStorage(storage: Storage, observe: OperationObserver): Storage {
  return {
    backend: storage.backend,
    users: timedPort('users', storage.users, observe),
    sessions: timedPort('sessions', storage.sessions, observe),
    revocations: timedPort('revocations', storage.revocations, observe),
    loginAttempts: timedPort('loginAttempts', storage.loginAttempts, observe),
    isReady: () => storage.isReady(),
    close: () => storage.close(),
  };
}

function timedPort<T extends object>(portName: string, port: T, observe: OperationObserver): T {
  return new Proxy(port, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver);
      if (typeof value !== 'function' || typeof property !== 'string') return value;
      const operation = `${portName}.${property}`;
      return (...args: unknown[]) => {
        const started = process.hrtime.bigint();
        const elapsed = () => Number(process.hrtime.bigint() - started) / 1e9;
        const result = value.apply(target, args);
        // Synchronous methods (the revocation check) are timed at once; promises when settled.
        if (!(result instanceof Promise)) {
          observe(operation, elapsed());
          return result;
        }
        return result.finally(() => observe(operation, elapsed()));
      };
    },
  });
}
