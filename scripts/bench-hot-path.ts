// The hot path without HTTP: `authenticate` (bearer parsing, HS256 signature, expiry, the
// in-process revocation check) run in a loop against the memory and the redis storage, in
// alternating rounds, with the same tokens and the same revocation list loaded into each. The
// HTTP benchmark (scripts/bench.mjs) shares two cores with its load generator and Redis, so its
// rounds spread widely; this one isolates the only code that differs between the backends.
//
//   npm run bench:hot-path        (HOT_PATH_SECONDS=2 HOT_PATH_ROUNDS=5 HOT_PATH_REVOCATIONS=10000)
import { randomBytes } from 'node:crypto';
import { cpus, totalmem } from 'node:os';
import { AccessTokens } from '../app/src/application/access-tokens.js';
import type { AuthContext } from '../app/src/application/auth-context.js';
import { authenticate } from '../app/src/application/authenticate.js';
import type { Storage } from '../app/src/domain/ports.js';
import type { Revocation } from '../app/src/domain/revocation.js';
import { MemoryStorage } from '../app/src/infrastructure/memory/memory-storage.js';
import { parseRedisConfig } from '../app/src/infrastructure/redis/redis-config.js';
import { RedisStorage } from '../app/src/infrastructure/redis/redis-storage.js';
import { startStandalone } from '../deploy/local/redis-topology.js';

const seconds = Number(process.env.HOT_PATH_SECONDS ?? 2);
const rounds = Number(process.env.HOT_PATH_ROUNDS ?? 5);
const revocationCount = Number(process.env.HOT_PATH_REVOCATIONS ?? 10_000);
const tokenCount = 1_000;

const silent = { info() {}, warn() {}, error() {} };

async function main(): Promise<void> {
  const accessTokens = new AccessTokens({
    keys: [{ kid: 'bench', secret: randomBytes(32) }],
    issuer: 'bench',
    audience: 'bench',
    ttlSeconds: 900,
  });
  const now = Date.now();
  const headers = await issueHeaders(accessTokens, now);
  const revocations = someRevocations(now);

  const redisServer = await startStandalone();
  const storages: Record<string, Storage> = {
    memory: new MemoryStorage(),
    redis: await RedisStorage.open(parseRedisConfig({ REDIS_URL: redisServer.url }), {
      logger: silent,
    }),
  };
  try {
    for (const storage of Object.values(storages)) await loadRevocations(storage, revocations);

    const perRound: Record<string, number[]> = { memory: [], redis: [] };
    for (let round = 0; round < rounds; round += 1) {
      const order = round % 2 === 0 ? ['memory', 'redis'] : ['redis', 'memory'];
      for (const backend of order) {
        const context = contextFor(storages[backend] as Storage, accessTokens);
        perRound[backend]?.push(await measure(context, headers));
      }
    }
    report(perRound);
  } finally {
    for (const storage of Object.values(storages)) await storage.close();
    await redisServer.stop();
  }
}

async function issueHeaders(accessTokens: AccessTokens, now: number): Promise<string[]> {
  const headers: string[] = [];
  for (let i = 0; i < tokenCount; i += 1) {
    const subject = { userId: `user-${i}`, email: `user-${i}@bench.test`, sessionId: `s-${i}` };
    const { token } = await accessTokens.issue(subject, now);
    headers.push(`Bearer ${token}`);
  }
  return headers;
}

/** Revocations that name other tokens, so every check looks them up and finds nothing. */
function someRevocations(now: number): Revocation[] {
  const until = now + 15 * 60_000;
  return Array.from({ length: revocationCount }, (_, i): Revocation => {
    if (i % 3 === 0) return { kind: 'token', jti: `revoked-${i}`, until };
    if (i % 3 === 1) return { kind: 'session', sessionId: `revoked-${i}`, until };
    return { kind: 'user', userId: `revoked-${i}`, revokedBefore: now, until };
  });
}

async function loadRevocations(storage: Storage, revocations: Revocation[]): Promise<void> {
  const batch = 500;
  for (let start = 0; start < revocations.length; start += batch) {
    await storage.revocations.revoke(revocations.slice(start, start + batch));
  }
}

function contextFor(storage: Storage, accessTokens: AccessTokens): AuthContext {
  // authenticate reads only the clock, the token verifier and the revocation view.
  return { storage, accessTokens, clock: Date.now } as unknown as AuthContext;
}

/** Calls per second of `authenticate` over `seconds`, after a short warm-up. */
async function measure(context: AuthContext, headers: string[]): Promise<number> {
  const run = async (durationMs: number) => {
    const deadline = performance.now() + durationMs;
    let calls = 0;
    while (performance.now() < deadline) {
      await authenticate(context, headers[calls % headers.length]);
      calls += 1;
      // Let timers and sockets run, as a server's event loop does between requests: the redis
      // view's feed reader must keep the view fresh, or it fails closed.
      if (calls % 1000 === 0) await new Promise((resolve) => setImmediate(resolve));
    }
    return calls;
  };
  await run(200);
  const started = performance.now();
  const calls = await run(seconds * 1000);
  return calls / ((performance.now() - started) / 1000);
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

function report(perRound: Record<string, number[]>): void {
  const memory = median(perRound.memory ?? []);
  const redis = median(perRound.redis ?? []);
  const cpu = cpus()[0]?.model ?? 'unknown';
  const memoryGiB = (totalmem() / 2 ** 30).toFixed(1);
  console.log(`machine: ${cpus().length} cpus (${cpu}), ${memoryGiB} GiB, node ${process.version}`);
  console.log(
    `runs: ${rounds} rounds of ${seconds} s per backend, ${revocationCount} revocations loaded`,
  );
  console.log('| backend | authenticate calls/s (median) | µs per call | calls/s of each round |');
  console.log('|---|---|---|---|');
  for (const [backend, value] of [
    ['memory', memory],
    ['redis', redis],
  ] as const) {
    const each = (perRound[backend] ?? []).map((v) => Math.round(v)).join(', ');
    console.log(`| ${backend} | ${Math.round(value)} | ${(1e6 / value).toFixed(1)} | ${each} |`);
  }
  console.log(`redis/memory: ${(redis / memory).toFixed(2)}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
