/**
 * The whole embedded topology in one object: 3 redis-server (1 master, 2 replicas), 3
 * sentinels and N service instances in Sentinel mode, all on loopback, with their data and
 * endpoints under one directory (`.local/` for `npm start`, a temp dir in tests). The CLI
 * and the chaos tests both drive it; faults are methods so a test runs them in-process.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  cli,
  freePorts,
  openReplicated,
  type RedisNode,
  type RedisTopology,
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

export class LocalStack {
  private constructor(
    readonly options: StackOptions,
    public topology: RedisTopology,
    readonly apps: ServiceInstance[],
  ) {}

  /** Starts (or resumes, on the data of an earlier start) everything; resolves when healthy. */
  static async start(options: StackOptions): Promise<LocalStack> {
    mkdirSync(join(options.dir, 'apps'), { recursive: true });
    const topology = await openReplicated({
      dataDir: join(options.dir, 'redis'),
      replicas: 2,
      sentinelLines: options.sentinelLines ?? [],
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

    const stack = new LocalStack(options, topology, apps);
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
      sentinels: this.topology.sentinels.map((node) => `127.0.0.1:${node.port}`),
      redis: this.topology.servers.map((node) => `127.0.0.1:${node.port}`),
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
        if ((await cli(current.port, ['ROLE']))?.startsWith('master')) return current;
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

  // TODO(chaos): isolate-master (a master cut off from sentinels and replicas while clients
  // still reach it) needs every Redis node in its own network namespace at its own address
  // (`ip netns` + veth into a bridge, iproute2); the launcher binds loopback only so far.

  /** Fault: graceful stop of every Redis node, then a start on their data and last roles. */
  async restartRedis(): Promise<void> {
    await this.topology.stop();
    this.topology = await resumeReplicated(this.topology.dataDir);
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

  /** Stops the instances, then Redis (sentinels first); removes the endpoint files. */
  async stop(): Promise<void> {
    await Promise.all(this.apps.map((app) => app.stop()));
    await this.topology.stop();
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
