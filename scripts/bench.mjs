/*
 * The HTTP benchmark: one workload against the service with STORAGE_BACKEND=memory and with
 * STORAGE_BACKEND=redis (a standalone redis-server started here through the local launcher),
 * side by side, reporting requests per second, p50, p99 and the ratio redis/memory.
 *
 *   npm run bench                          # 3 rounds of 10 s per workload and backend
 *   BENCH_DURATION_SECONDS=30 npm run bench
 *
 * Each service runs as a child process (`node --import tsx app/src/main.ts`), so autocannon
 * and the service do not share an event loop. Workloads:
 *   auth:  GET /v1/me only, with access tokens made before the run;
 *   mixed: per connection, cycles of one login, `BENCH_MIX_CYCLE - 5` GET /v1/me, three
 *          refreshes and one logout. A login costs ~40 ms of argon2 CPU, so logins are kept
 *          to one request in BENCH_MIX_CYCLE (default 100).
 * Both services stay up and take turns (in alternating order) for BENCH_ROUNDS rounds; the
 * median round is shown.
 * Settings (environment): BENCH_DURATION_SECONDS (10), BENCH_WARMUP_SECONDS (2),
 * BENCH_ROUNDS (3), BENCH_CONNECTIONS (50), BENCH_USERS (50), BENCH_MIX_CYCLE (100),
 * BENCH_BACKENDS (memory,redis). Traffic goes to 127.0.0.1 only; every process started here is stopped.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { cpus, freemem, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { startStandalone } from '../deploy/local/redis-topology.ts';

const repoRoot = fileURLToPath(new URL('..', import.meta.url));
const settings = {
  durationSeconds: whole('BENCH_DURATION_SECONDS', 10, 1, 600),
  warmupSeconds: whole('BENCH_WARMUP_SECONDS', 2, 0, 60),
  connections: whole('BENCH_CONNECTIONS', 50, 1, 1000),
  users: whole('BENCH_USERS', 50, 1, 1000),
  mixCycle: whole('BENCH_MIX_CYCLE', 100, 10, 10_000),
  rounds: whole('BENCH_ROUNDS', 3, 1, 20),
  backends: (process.env.BENCH_BACKENDS ?? 'memory,redis').split(','),
};
const readyTimeoutMs = 30_000;
const stopTimeoutMs = 10_000;

function whole(name, fallback, min, max) {
  const value = Number(process.env[name] ?? fallback);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new Error(`${name} must be a whole number from ${min} to ${max}`);
  }
  return value;
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Starts the service as a child process and resolves once /readyz answers 200. */
async function startService(backendEnv) {
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), 'auth-bench-'));
  const child = spawn(process.execPath, ['--import', 'tsx', 'app/src/main.ts'], {
    cwd: repoRoot,
    stdio: ['ignore', 'ignore', 'pipe'],
    env: {
      ...process.env,
      ...backendEnv,
      PORT: String(port),
      HOST: '127.0.0.1',
      // Request logs at info would cost more than the work measured; warnings still show.
      LOG_LEVEL: 'warn',
      DATA_DIR: dataDir,
      JWT_SIGNING_KEYS: `bench:${randomBytes(32).toString('base64url')}`,
    },
  });
  let errors = '';
  child.stderr.on('data', (chunk) => {
    errors += chunk;
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const service = { url: `http://127.0.0.1:${port}`, child, exited, dataDir };

  const deadline = Date.now() + readyTimeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`service exited: ${errors.trim()}`);
    const status = await fetch(`${service.url}/readyz`).then(
      (response) => response.status,
      () => 0,
    );
    if (status === 200) return service;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  await stopService(service);
  throw new Error('service not ready in time');
}

async function stopService(service) {
  service.child.kill('SIGTERM');
  const timer = setTimeout(() => service.child.kill('SIGKILL'), stopTimeoutMs);
  await service.exited;
  clearTimeout(timer);
  rmSync(service.dataDir, { recursive: true, force: true });
}

async function call(url, path, init = {}) {
  const response = await fetch(`${url}${path}`, {
    ...init,
    headers: { 'content-type': 'application/json', ...init.headers },
  });
  if (!response.ok) throw new Error(`${init.method ?? 'GET'} ${path} answered ${response.status}`);
  return response.json();
}

/** Registers the users and logs each in once; a few at a time, since argon2 is CPU bound. */
async function prepareUsers(url) {
  const users = Array.from({ length: settings.users }, (_, index) => ({
    email: `bench-${index}-${randomBytes(4).toString('hex')}@example.test`,
    password: randomBytes(12).toString('base64url'),
  }));
  const sessions = [];
  for (let start = 0; start < users.length; start += 4) {
    const batch = users.slice(start, start + 4);
    const made = await Promise.all(
      batch.map(async (user) => {
        const body = JSON.stringify(user);
        await call(url, '/v1/users', { method: 'POST', body });
        return call(url, '/v1/sessions', { method: 'POST', body });
      }),
    );
    sessions.push(...made);
  }
  return { users, sessions };
}

function authRequests({ sessions }) {
  let next = 0;
  return [
    {
      method: 'GET',
      path: '/v1/me',
      setupRequest(request) {
        const session = sessions[next++ % sessions.length];
        return { ...request, headers: { authorization: `Bearer ${session.accessToken}` } };
      },
    },
  ];
}

/** One cycle per connection: login, me..., refresh x3 among them, logout; the context resets. */
function mixedRequests({ users }) {
  let nextUser = 0;
  const json = { 'content-type': 'application/json' };
  const bearer = (context) => ({ authorization: `Bearer ${context.accessToken}` });
  const keepTokens = (status, body, context) => {
    if (status !== 200 && status !== 201) return;
    const tokens = JSON.parse(body);
    context.accessToken = tokens.accessToken;
    context.refreshToken = tokens.refreshToken;
  };
  const login = {
    method: 'POST',
    path: '/v1/sessions',
    setupRequest: (request) => ({
      ...request,
      headers: json,
      body: JSON.stringify(users[nextUser++ % users.length]),
    }),
    onResponse: keepTokens,
  };
  const me = {
    method: 'GET',
    path: '/v1/me',
    setupRequest: (request, context) => ({ ...request, headers: bearer(context) }),
  };
  const refresh = {
    method: 'POST',
    path: '/v1/sessions/refresh',
    setupRequest: (request, context) => ({
      ...request,
      headers: json,
      body: JSON.stringify({ refreshToken: context.refreshToken }),
    }),
    onResponse: keepTokens,
  };
  const logout = {
    method: 'DELETE',
    path: '/v1/sessions/current',
    setupRequest: (request, context) => ({ ...request, headers: bearer(context) }),
  };

  const middle = Array.from({ length: settings.mixCycle - 2 }, () => me);
  const spacing = Math.floor(middle.length / 4);
  for (let index = 1; index <= 3; index += 1) middle[index * spacing] = refresh;
  return [login, ...middle, logout];
}

async function measure(url, requests, durationSeconds) {
  const result = await autocannon({
    url,
    connections: settings.connections,
    duration: durationSeconds,
    requests,
  });
  return {
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    requests: result.requests.total,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
  };
}

const workloads = { auth: authRequests, mixed: mixedRequests };

/** The service on `backend` (and its redis-server), with its users and sessions made. */
async function startBackend(backend) {
  const redis = backend === 'redis' ? await startStandalone() : undefined;
  const env =
    redis === undefined
      ? { STORAGE_BACKEND: 'memory' }
      : { STORAGE_BACKEND: 'redis', REDIS_URL: redis.url };
  try {
    const service = await startService(env);
    const stop = async () => {
      await stopService(service);
      await redis?.stop();
    };
    try {
      return { backend, url: service.url, prepared: await prepareUsers(service.url), stop };
    } catch (error) {
      await stop();
      throw error;
    }
  } catch (error) {
    await redis?.stop();
    throw error;
  }
}

/**
 * Both services run for the whole benchmark and take turns, round after round, so a change
 * in the machine's background load touches both alike; the median round is reported.
 */
async function runAll(running) {
  const runs = {};
  for (const target of running) {
    runs[target.backend] = Object.fromEntries(Object.keys(workloads).map((name) => [name, []]));
    if (settings.warmupSeconds === 0) continue;
    for (const makeRequests of Object.values(workloads)) {
      await measure(target.url, makeRequests(target.prepared), settings.warmupSeconds);
    }
  }
  for (let round = 1; round <= settings.rounds; round += 1) {
    // Every other round runs the backends in reverse, so neither always goes first.
    const order = round % 2 === 1 ? running : [...running].reverse();
    for (const [name, makeRequests] of Object.entries(workloads)) {
      for (const target of order) {
        const result = await measure(
          target.url,
          makeRequests(target.prepared),
          settings.durationSeconds,
        );
        runs[target.backend][name].push(result);
        console.error(`round ${round} ${name} ${target.backend}: ${Math.round(result.rps)} req/s`);
      }
    }
  }
  return runs;
}

function median(results) {
  const sorted = [...results].sort((a, b) => a.rps - b.rps);
  return sorted[Math.floor(sorted.length / 2)];
}

function machine() {
  const model = /model name\s*:\s*(.+)/.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1];
  const gib = (bytes) => `${(bytes / 2 ** 30).toFixed(1)} GiB`;
  return `${cpus().length} cpus (${model ?? 'unknown'}), ${gib(totalmem())} memory (${gib(freemem())} free), node ${process.version}`;
}

function report(runs) {
  const results = Object.fromEntries(
    Object.entries(runs).map(([backend, byWorkload]) => [
      backend,
      Object.fromEntries(
        Object.entries(byWorkload).map(([name, list]) => [name, { ...median(list), list }]),
      ),
    ]),
  );
  const lines = [
    `machine: ${machine()}`,
    `runs: ${settings.rounds} rounds of ${settings.durationSeconds} s per workload and backend (median round shown) after ${settings.warmupSeconds} s warm-up; ${settings.connections} connections, ${settings.users} users, mixed cycle ${settings.mixCycle}`,
    '',
    '| workload | backend | req/s | p50 ms | p99 ms | requests | non-2xx | errors | req/s of each round |',
    '|---|---|---|---|---|---|---|---|---|',
  ];
  for (const workload of Object.keys(workloads)) {
    for (const backend of settings.backends) {
      const r = results[backend][workload];
      lines.push(
        `| ${workload} | ${backend} | ${Math.round(r.rps)} | ${r.p50} | ${r.p99} | ${r.requests} | ${r.non2xx} | ${r.errors} | ${r.list.map((run) => Math.round(run.rps)).join(', ')} |`,
      );
    }
  }
  if (results.memory !== undefined && results.redis !== undefined) {
    lines.push('', '| workload | redis/memory req/s | redis/memory p99 |', '|---|---|---|');
    for (const workload of Object.keys(workloads)) {
      const [m, r] = [results.memory[workload], results.redis[workload]];
      lines.push(`| ${workload} | ${(r.rps / m.rps).toFixed(2)} | ${(r.p99 / m.p99).toFixed(2)} |`);
    }
  }
  console.log(lines.join('\n'));
}

const running = [];
try {
  for (const backend of settings.backends) running.push(await startBackend(backend));
  report(await runAll(running));
} finally {
  for (const target of running) await target.stop();
}
