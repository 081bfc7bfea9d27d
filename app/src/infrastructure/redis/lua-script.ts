import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Redis } from 'ioredis';

/**
 * A Lua script kept in `lua/` beside this file, run by its SHA (EVALSHA). A server that has
 * not seen it yet (first call, restart, or a freshly promoted master) answers NOSCRIPT, and
 * the script is sent once in full with EVAL, which also caches it there.
 */
export class LuaScript {
  readonly source: string;
  readonly sha: string;

  constructor(readonly name: string) {
    // tsc does not copy .lua files: `npm run build` copies every src/**/*.lua beside its .js.
    this.source = readFileSync(new URL(`./lua/${name}.lua`, import.meta.url), 'utf8');
    this.sha = createHash('sha1').update(this.source).digest('hex');
  }

  async run(client: Redis, keys: readonly string[], args: readonly (string | number)[]) {
    try {
      return await client.evalsha(this.sha, keys.length, ...keys, ...args);
    } catch (error) {
      if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
      return client.eval(this.source, keys.length, ...keys, ...args);
    }
  }
}

export const scripts = {
  createSession: new LuaScript('create-session'),
  rotateRefreshToken: new LuaScript('rotate-refresh-token'),
  deleteSession: new LuaScript('delete-session'),
  deleteUserSessions: new LuaScript('delete-user-sessions'),
  revoke: new LuaScript('revoke'),
  revocationSnapshot: new LuaScript('revocation-snapshot'),
  reserveLoginAttempt: new LuaScript('reserve-login-attempt'),
  releaseLoginAttempt: new LuaScript('release-login-attempt'),
} as const;
