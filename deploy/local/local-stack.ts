/**
 * The whole embedded topology in one object: 3 redis-server (1 master, 2 replicas), 3
 * sentinels and N service instances in Sentinel mode, all on loopback, with their data and
 * endpoints under one directory (`.local/` for `npm start`, a temp dir in tests). The CLI
 * and the chaos tests both drive it; faults are methods so a test runs them in-process.
 * With `network` set, every Redis node and sentinel runs in a network namespace of its own
 * (network-lab.ts), which the isolate-master fault needs; the instances stay on loopback.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { destroyLab, type LabRecord, NetworkLab } from './network-lab.js';
import {
  cliAt,
  freePorts,
  openReplicated,
  type RedisNode,
  type RedisTopology,
  replicatedNodeNames,
  resumeReplicated,
} from './redis-topology.js';
import { ServiceInstance } from './service-instances.js';

export interface StackOptions {
  /** Holds redis/ (nodes), apps/ (logs), data/ (signing key) and the endpoint files. */
  readonly dir: string;
  /** Service instances (default 2). */
  readonly instances?: number;
  /** Extra sentinel lines; tests shorten failure detection here, and say so. */
  readonly sentinelLines?: readonly string[];
  /** Extra redis-server lines; a test may shorten `min-replicas-max-lag` here, and says so. */
  readonly redisLines?: readonly string[];
  /** Each Redis node in its own network namespace (needs root and iproute2); default false. */
  readonly network?: boolean;
  /** Extra environment for every instance (for example LOG_LEVEL). */
  readonly appEnv?: Readonly<Record<string, string>>;
}

/** The live endpoints, written to `<dir>/stack.json` for scripts and load tests. */
export interface StackEndpoints {
  readonly apps: string[];
  readonly sentinels: string[];
  readonly redis: string[];
  readonly masterName: string;
  readonly sentinelPassword?: string;
}

/** Pids of every process of a running stack, written to `<dir>/pids.json`. */
export interface StackPids {
  readonly up: number;
  readonly processes: { name: string; pid: number; port: number }[];
}

/** What isolateMaster saw, in ms from the cut. */
export interface IsolationReport {
  readonly isolated: string;
  readonly promoted: string;
  /** Until the sentinels named a new master that answers as one. */
  readonly failoverMs: number;
  /** Until the isolated master counted no good replica, so refused writes. */
  readonly writesRefusedMs: number;
  /** Until the partition healed. */
  readonly healedMs: number;
  /** Until the old master replicated from the promoted one, its link up. */
  readonly rejoinedMs: number;
}

export interface IsolationOptions {
  /** Shortest time the partition lasts, from the cut (default 0: heal once both are seen). */
  readonly holdMs?: number;
  /** Runs while the partition holds, after the promotion and the write refusal were seen. */
  readonly whileIsolated?: (isolated: RedisNode) => Promise<void>;
}

const refusalTimeoutMs = 30_000;
const rejoinTimeoutMs = 30_000;

export class LocalStack {
  private constructor(
    readonly options: StackOptions,
    public topology: RedisTopology,
    readonly apps: ServiceInstance[],
    readonly lab: NetworkLab | undefined,
  ) {}

  /** Starts (or resumes, on the data of an earlier start) everything; resolves when healthy. */
  static async start(options: StackOptions): Promise<LocalStack> {
    mkdirSync(join(options.dir, 'apps'), { recursive: true });
    const lab = options.network ? await openLab(options.dir) : undefined;
    const topology = await openReplicated({
      dataDir: join(options.dir, 'redis'),
      replicas: 2,
      sentinelLines: options.sentinelLines ?? [],
      redisLines: options.redisLines ?? [],
      network: lab,
    }).catch(async (error: unknown) => {
      await closeLab(options.dir, lab);
      throw error;
    });
    const appPorts = await stableAppPorts(options.dir, options.instances ?? 2);
    const env = {
      LOG_LEVEL: 'info',
      ...options.appEnv,
      STORAGE_BACKEND: 'redis',
      REDIS_SENTINELS: topology.sentinelList,
      REDIS_MASTER_NAME: topology.masterName,
      DATA_DIR: join(options.dir, 'data'),
    };
    const apps = appPorts.map(
      (port, index) =>
        new ServiceInstance(
          `app-${index}`,
          port,
          join(options.dir, 'apps', `app-${index}.log`),
          env,
        ),
    );

    const stack = new LocalStack(options, topology, apps, lab);
    try {
      await Promise.all(apps.map((app) => app.start()));
    } catch (error) {
      await stack.stop();
      throw error;
    }
    stack.writeFiles();
    return stack;
  }

  endpoints(): StackEndpoints {
    return {
      apps: this.apps.map((app) => app.url),
      sentinels: this.topology.sentinels.map((node) => `${node.host}:${node.port}`),
      redis: this.topology.servers.map((node) => `${node.host}:${node.port}`),
      masterName: this.topology.masterName,
    };
  }

  /** stack.json (endpoints) and pids.json (what `down` and `ps` checks look for). */
  writeFiles(): void {
    const processes = [
      ...this.topology.nodes.map(({ name, pid, port }) => ({ name, pid, port })),
      ...this.apps.map(({ name, pid, port }) => ({ name, pid, port })),
    ].filter(
      (entry): entry is { name: string; pid: number; port: number } => entry.pid !== undefined,
    );
    const pids: StackPids = { up: process.pid, processes };
    writeFileSync(stackFile(this.options.dir), `${JSON.stringify(this.endpoints(), null, 2)}\n`);
    writeFileSync(pidsFile(this.options.dir), `${JSON.stringify(pids, null, 2)}\n`);
  }

  /** The data node the sentinels currently name as master. */
  async master(): Promise<RedisNode> {
    const port = await this.topology.currentMaster();
    const node = this.topology.servers.find((server) => server.port === port);
    if (node === undefined) throw new Error(`the sentinels name an unknown master :${port}`);
    return node;
  }

  /** Waits until the sentinels name a master other than `port` that answers as one. */
  async waitForNewMaster(port: number, timeoutMs = 30_000): Promise<RedisNode> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const current = await this.master().catch(() => undefined);
      if (current !== undefined && current.port !== port) {
        if ((await cliAt(current, ['ROLE']))?.startsWith('master')) return current;
      }
      await sleep(200);
    }
    throw new Error(`no new master within ${timeoutMs} ms`);
  }

  /** Fault: SIGKILL the master; once a replica is promoted, it rejoins as a replica. */
  async killMaster(): Promise<{ killed: string; promoted: string }> {
    const master = await this.master();
    await this.topology.killNode(master.name);
    const promoted = await this.waitForNewMaster(master.port);
    await this.topology.rejoinAsReplica(master.name);
    this.writeFiles();
    return { killed: master.name, promoted: promoted.name };
  }

  /**
   * Fault: SIGSTOP the master until the sentinels have promoted a replica (longer than
   * failure detection by construction), then SIGCONT; the sentinels demote it on return.
   */
  async pauseMaster(): Promise<{ paused: string; promoted: string }> {
    const master = await this.master();
    this.topology.pauseNode(master.name);
    try {
      const promoted = await this.waitForNewMaster(master.port);
      return { paused: master.name, promoted: promoted.name };
    } finally {
      this.topology.resumeNode(master.name);
    }
  }

  /**
   * Fault: cut the master off from every sentinel and replica while the instances (root
   * namespace) still reach it. Waits for the promotion of a replica and for the old master
   * to refuse writes (`min-replicas-to-write`), holds the partition for `holdMs` in all,
   * heals it, then waits until the sentinels have turned the old master into a replica.
   */
  async isolateMaster(options: IsolationOptions = {}): Promise<IsolationReport> {
    const lab = this.lab;
    if (lab === undefined) {
      throw new Error('the stack runs on loopback; start it with `up --netns` to isolate nodes');
    }
    const master = await this.master();
    const peers = this.topology.nodes.filter((node) => node.name !== master.name);
    const cutAt = Date.now();
    const since = () => Date.now() - cutAt;

    await lab.cut(
      master.name,
      peers.map((node) => node.name),
    );
    let seen: { promoted: RedisNode; failoverMs: number; writesRefusedMs: number };
    try {
      const promoted = await this.waitForNewMaster(master.port);
      const failoverMs = since();
      await waitUntil(`${master.name} refuses writes`, refusalTimeoutMs, () =>
        refusesWrites(master),
      );
      seen = { promoted, failoverMs, writesRefusedMs: since() };
      await options.whileIsolated?.(master);
      await sleep(Math.max(0, (options.holdMs ?? 0) - since()));
    } finally {
      await lab.heal();
    }
    const healedMs = since();

    await waitUntil(`${master.name} replicates from ${seen.promoted.name}`, rejoinTimeoutMs, () =>
      replicatesFrom(master, seen.promoted),
    );
    return {
      isolated: master.name,
      promoted: seen.promoted.name,
      failoverMs: seen.failoverMs,
      writesRefusedMs: seen.writesRefusedMs,
      healedMs,
      rejoinedMs: since(),
    };
  }

  /** Fault: graceful stop of every Redis node, then a start on their data and last roles. */
  async restartRedis(): Promise<void> {
    await this.topology.stop();
    this.topology = await resumeReplicated(this.topology.dataDir, this.lab);
    this.writeFiles();
  }

  /** Fault: graceful stop and start of every service instance, one after the other. */
  async restartApps(): Promise<void> {
    for (const app of this.apps) {
      await app.stop();
      await app.start();
    }
    this.writeFiles();
  }

  /** Stops the instances, then Redis (sentinels first), then its network; removes the files. */
  async stop(): Promise<void> {
    await Promise.all(this.apps.map((app) => app.stop()));
    await this.topology.stop();
    await closeLab(this.options.dir, this.lab);
    rmSync(stackFile(this.options.dir), { force: true });
    rmSync(pidsFile(this.options.dir), { force: true });
  }
}

export function stackFile(dir: string): string {
  return join(dir, 'stack.json');
}

export function pidsFile(dir: string): string {
  return join(dir, 'pids.json');
}

/** The names of the running stack's network lab, so `down` can delete it after a crash. */
export function networkFile(dir: string): string {
  return join(dir, 'network.json');
}

/** Deletes the network lab a stack in `dir` recorded, if any (nothing else is touched). */
export async function removeRecordedLab(dir: string): Promise<void> {
  const path = networkFile(dir);
  if (!existsSync(path)) return;
  await destroyLab(JSON.parse(readFileSync(path, 'utf8')) as LabRecord);
  rmSync(path, { force: true });
}

/** A fresh lab for the stack's node names; its names are recorded before anything runs in it. */
async function openLab(dir: string): Promise<NetworkLab> {
  await removeRecordedLab(dir);
  const lab = await NetworkLab.create(replicatedNodeNames(2));
  writeFileSync(networkFile(dir), `${JSON.stringify(lab.record, null, 2)}\n`);
  return lab;
}

async function closeLab(dir: string, lab: NetworkLab | undefined): Promise<void> {
  if (lab === undefined) return;
  await lab.destroy();
  rmSync(networkFile(dir), { force: true });
}

/** The node counts no replica within `min-replicas-max-lag`, so it refuses every write. */
async function refusesWrites(node: RedisNode): Promise<boolean> {
  const info = await cliAt(node, ['INFO', 'replication']);
  return /^min_slaves_good_slaves:0\s*$/m.test(info ?? '');
}

async function replicatesFrom(node: RedisNode, master: RedisNode): Promise<boolean> {
  const info = (await cliAt(node, ['INFO', 'replication'])) ?? '';
  return (
    /^role:slave\s*$/m.test(info) &&
    new RegExp(`^master_port:${master.port}\\s*$`, 'm').test(info) &&
    /^master_link_status:up\s*$/m.test(info)
  );
}

async function waitUntil(what: string, timeoutMs: number, condition: () => Promise<boolean>) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await condition()) return;
    await sleep(200);
  }
  throw new Error(`not seen within ${timeoutMs} ms: ${what}`);
}

/** Ports of the instances: those of an earlier start (stable URLs), else free ones. */
async function stableAppPorts(dir: string, count: number): Promise<number[]> {
  const path = join(dir, 'apps', 'ports.json');
  const known = existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as number[]) : [];
  const fresh = await freePorts(Math.max(0, count - known.length));
  const ports = [...known, ...fresh].slice(0, count);
  writeFileSync(path, `${JSON.stringify(ports)}\n`);
  return ports;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
