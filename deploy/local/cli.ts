/**
 * The embedded default: `up` runs the whole topology in the foreground (Ctrl-C stops it),
 * `status` and `down` act on it from another terminal, and the fault subcommands ask the
 * running `up` to inject a fault through its control socket in `.local/`.
 *
 *   tsx deploy/local/cli.ts up [--instances N] [--dir PATH] [--netns]
 *   tsx deploy/local/cli.ts status | down
 *   tsx deploy/local/cli.ts kill-master | pause-master | restart-redis | restart-apps
 *   tsx deploy/local/cli.ts isolate-master [--seconds S]   (needs `up --netns`)
 */
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import {
  LocalStack,
  pidsFile,
  removeRecordedLab,
  type StackEndpoints,
  type StackPids,
  stackFile,
} from './local-stack.js';
import { readStatus, statusLine, statusShape } from './stack-status.js';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const statusEveryMs = 2_000;
const quietStatusMs = 60_000;
const downTimeoutMs = 30_000;

const faults = [
  'kill-master',
  'pause-master',
  'isolate-master',
  'restart-redis',
  'restart-apps',
] as const;
/** How long isolate-master holds the partition at least, and at most (it always heals). */
const isolationSeconds = { default: 15, max: 120 };
type Fault = (typeof faults)[number];

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: {
    instances: { type: 'string', default: '2' },
    dir: { type: 'string', default: join(repoRoot, '.local') },
    netns: { type: 'boolean', default: false },
    seconds: { type: 'string', default: String(isolationSeconds.default) },
  },
});
const command = positionals[0] ?? 'up';
const dir = resolve(values.dir);
const controlPath = join(dir, 'control.sock');

async function up(): Promise<void> {
  const instances = Number(values.instances);
  if (!Number.isInteger(instances) || instances < 1) throw new Error('--instances: expected >= 1');
  if (existsSync(pidsFile(dir))) {
    if ((await ask('ping').catch(() => undefined)) !== undefined) {
      throw new Error(`a stack already runs in ${dir}; stop it first (down)`);
    }
    await down(); // what a killed `up` left behind
  }

  const where = values.netns ? 'each in its own network namespace' : 'on loopback';
  console.log(
    `starting 3 redis-server, 3 redis-sentinel (${where}) and ${instances} instances in ${dir}`,
  );
  const stack = await LocalStack.start({
    dir,
    instances,
    network: values.netns,
    appEnv: { LOG_LEVEL: 'warn' },
  });
  printSummary(stack.endpoints(), (await stack.master()).port);

  let busy: Promise<unknown> = Promise.resolve();
  const control = createServer((socket) => {
    socket.once('data', (data) => {
      const request = data.toString().trim();
      busy = busy.then(async () => {
        const answer = await runControl(stack, request).catch((error: Error) => error.message);
        socket.end(`${answer}\n`);
        if (request === 'down') void shutdown('down');
      });
    });
  });
  rmSync(controlPath, { force: true });
  control.listen(controlPath);

  // A line when the master, a replica's state or the ready count changes, else once a minute.
  let lastShape = '';
  let lastPrintedAt = 0;
  const ticker = setInterval(async () => {
    const current = await readStatus(stack.endpoints());
    const shape = statusShape(current);
    if (shape === lastShape && Date.now() - lastPrintedAt < quietStatusMs) return;
    lastShape = shape;
    lastPrintedAt = Date.now();
    console.log(`${new Date().toISOString()} ${statusLine(current)}`);
  }, statusEveryMs);

  let stopping = false;
  const shutdown = async (reason: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`${reason}: stopping every instance and node`);
    clearInterval(ticker);
    control.close();
    await busy.catch(() => undefined);
    await stack.stop();
    rmSync(controlPath, { force: true });
    console.log('stopped; data kept in', join(dir, 'redis'));
  };
  process.once('SIGINT', () => void shutdown('SIGINT'));
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
}

async function runControl(stack: LocalStack, line: string): Promise<string> {
  const [request, argument] = line.split(' ');
  switch (request as Fault | 'down' | 'ping') {
    case 'ping':
      return 'pong';
    case 'kill-master':
      return JSON.stringify(await stack.killMaster());
    case 'pause-master':
      return JSON.stringify(await stack.pauseMaster());
    case 'isolate-master':
      return JSON.stringify(await stack.isolateMaster({ holdMs: Number(argument) * 1_000 }));
    case 'restart-redis':
      await stack.restartRedis();
      return 'every redis node restarted';
    case 'restart-apps':
      await stack.restartApps();
      return 'every instance restarted';
    case 'down':
      return 'stopping';
    default:
      return `unknown request ${line}`;
  }
}

function printSummary(endpoints: StackEndpoints, masterPort: number): void {
  const master = endpoints.redis.find((address) => address.endsWith(`:${masterPort}`));
  const replicas = endpoints.redis.filter((address) => address !== master);
  const first = endpoints.apps[0];
  console.log(
    [
      'ready',
      `  service:   ${endpoints.apps.join('  ')}`,
      `  master:    ${master}   replicas: ${replicas.join('  ')}`,
      `  sentinels: ${endpoints.sentinels.join('  ')} (master name ${endpoints.masterName})`,
      `  endpoints: ${stackFile(dir)}`,
      '  try:',
      `    curl -s -XPOST ${first}/v1/users -H 'content-type: application/json' \\`,
      `      -d '{"email":"me@example.test","password":"correct horse battery"}'`,
      `    curl -s -XPOST ${first}/v1/sessions -H 'content-type: application/json' \\`,
      `      -d '{"email":"me@example.test","password":"correct horse battery"}'`,
      'Ctrl-C stops everything.',
    ].join('\n'),
  );
}

async function status(): Promise<void> {
  if (!existsSync(stackFile(dir))) throw new Error(`no running stack in ${dir}; run npm start`);
  const endpoints = JSON.parse(readFileSync(stackFile(dir), 'utf8')) as StackEndpoints;
  const current = await readStatus(endpoints);
  console.log(statusLine(current));
  for (const app of current.apps) console.log(`  ${app.url} ${app.ready ? 'ready' : 'NOT READY'}`);
}

/** Sends one request to the running `up`; rejects when none listens. */
function ask(request: string): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    const socket = createConnection(controlPath, () => socket.write(`${request}\n`));
    let answer = '';
    socket.on('data', (chunk) => {
      answer += chunk.toString();
    });
    socket.once('end', () => resolvePromise(answer.trim()));
    socket.once('error', reject);
  });
}

/**
 * Asks `up` to stop; if it is gone, stops the processes it left by their pids (only those
 * whose command line still names this stack's directory or entry point, in case a pid was
 * reused). Waits until none of them runs.
 */
async function down(): Promise<void> {
  if (!existsSync(pidsFile(dir))) {
    console.log(`nothing running in ${dir}`);
    return;
  }
  const pids = JSON.parse(readFileSync(pidsFile(dir), 'utf8')) as StackPids;
  const ours = pids.processes.filter(isOurs).map((entry) => entry.pid);
  const answered = await ask('down').catch(() => undefined);
  if (answered === undefined) for (const pid of ours) signal(pid, 'SIGTERM');

  const all = [pids.up, ...ours];
  const deadline = Date.now() + downTimeoutMs;
  while (all.some(isAlive) && Date.now() < deadline) {
    await new Promise((resolvePromise) => setTimeout(resolvePromise, 200));
  }
  for (const pid of ours.filter(isAlive)) signal(pid, 'SIGKILL');
  await removeRecordedLab(dir); // namespaces a killed `up --netns` left, by their names
  rmSync(pidsFile(dir), { force: true });
  rmSync(stackFile(dir), { force: true });
  console.log('stack stopped');
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Redis retitles its process `redis-server 127.0.0.1:PORT`; instances run main.ts. */
function isOurs(entry: { pid: number; port: number }): boolean {
  try {
    const commandLine = readFileSync(`/proc/${entry.pid}/cmdline`, 'utf8');
    if (commandLine.includes(join('app', 'src', 'main.ts'))) return true;
    return /redis-(server|sentinel)/.test(commandLine) && commandLine.includes(`:${entry.port}`);
  } catch {
    return false;
  }
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    // Already gone: nothing to stop.
  }
}

async function main(): Promise<void> {
  if (command === 'up') return up();
  if (command === 'status') return status();
  if (command === 'down') return down();
  if (command === 'isolate-master') {
    const seconds = Number(values.seconds);
    if (!(seconds >= 0 && seconds <= isolationSeconds.max)) {
      throw new Error(`--seconds: expected 0 to ${isolationSeconds.max}`);
    }
    console.log(await ask(`${command} ${seconds}`));
    return;
  }
  if ((faults as readonly string[]).includes(command)) {
    console.log(await ask(command));
    return;
  }
  throw new Error(`unknown command ${command}; expected up, status, down, ${faults.join(', ')}`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exitCode = 1;
});
