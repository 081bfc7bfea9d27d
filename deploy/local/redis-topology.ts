/**
 * Runs Redis as local processes on loopback: one standalone server, or a master with
 * replicas watched by three sentinels (quorum 2). Every node starts from the shared
 * settings in deploy/redis/*.conf plus only the lines that depend on where it runs (port,
 * bind, dir, replicaof, `sentinel monitor`, announce address). Used by the storage tests,
 * by `npm start` and by chaos tests, so it imports nothing from the service. A chaos test
 * may place each node in a network namespace of its own (`network`) to cut links between
 * them; the launcher then runs it through `ip netns exec` on that namespace's address.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, openSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type Address,
  configPath,
  lastKnownMaster,
  loopback,
  type NodeRole,
  readLayout,
  sentinelMonitors,
  writeLayout,
  writeSentinelConfig,
  writeServerConfig,
} from './redis-node-config.js';

export type { NodeRole } from './redis-node-config.js';

const stopGraceMs = 5_000;
const readyTimeoutMs = 20_000;
const pollMs = 100;

/**
 * Sentinel lines that notice a dead master after 1 s instead of deploy/redis's 5 s, for tests
 * and chaos runs, where a failover costs only waiting. Every other setting stays shared.
 */
export const fastFailoverSentinelLines: readonly string[] = [
  'sentinel down-after-milliseconds mymaster 1000',
  'sentinel failover-timeout mymaster 5000',
];

export interface RedisNode {
  readonly name: string;
  /** The role the node started with; after a failover ask the sentinels (`currentMaster`). */
  readonly role: NodeRole;
  readonly port: number;
  /** Address it listens on: 127.0.0.1, or its own inside its network namespace. */
  readonly host: string;
  /** Data directory; holds the node's config file, AOF/RDB files and its log. */
  readonly dir: string;
  /** Pid of the running process, undefined while stopped. */
  readonly pid: number | undefined;
}

export interface TopologyOptions {
  /** Parent of the node directories; a fresh folder under os.tmpdir() when absent. */
  readonly dataDir?: string;
  /** Extra lines for every redis-server (after the shared ones, so they override them). */
  readonly redisLines?: readonly string[];
  /** Extra lines for every sentinel, for example a shorter down-after in a failover test. */
  readonly sentinelLines?: readonly string[];
  /** Runs each node in its own network namespace at its own address; loopback when absent. */
  readonly network?: NodeNetwork;
}

/** Where each node runs when not on loopback (deploy/local/network-lab.ts provides one). */
export interface NodeNetwork {
  placement(name: string): { readonly host: string; readonly netns: string };
}

export interface ReplicatedOptions extends TopologyOptions {
  /** Number of replicas of the master (default 2). */
  readonly replicas?: number;
  /** Name the sentinels monitor the master under (default `mymaster`). */
  readonly masterName?: string;
}

interface NodeState {
  name: string;
  role: NodeRole;
  port: number;
  host: string;
  /** Network namespace it runs in; undefined on loopback. */
  netns: string | undefined;
  dir: string;
  process: ChildProcess | undefined;
}

/** Every child still running, so a crashing test run leaves no Redis behind. */
const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

export class RedisTopology {
  readonly #nodes: NodeState[];
  readonly #ownsDataDir: boolean;

  constructor(
    readonly dataDir: string,
    ownsDataDir: boolean,
    nodes: NodeState[],
    /** Sentinel master name; empty for a standalone server. */
    readonly masterName: string,
  ) {
    this.#nodes = nodes;
    this.#ownsDataDir = ownsDataDir;
  }

  get nodes(): RedisNode[] {
    return this.#nodes.map(({ name, role, port, host, dir, process }) => ({
      name,
      role,
      port,
      host,
      dir,
      pid: process?.pid,
    }));
  }

  /** The data nodes (master first, then replicas) as they started. */
  get servers(): RedisNode[] {
    return this.nodes.filter((node) => node.role !== 'sentinel');
  }

  get sentinels(): RedisNode[] {
    return this.nodes.filter((node) => node.role === 'sentinel');
  }

  /** `redis://` URL of the first server: the standalone server or the initial master. */
  get url(): string {
    const first = this.#nodes[0];
    return `redis://${first?.host}:${first?.port}`;
  }

  /** `host:port,...` of the sentinels, the form REDIS_SENTINELS takes. */
  get sentinelList(): string {
    return this.sentinels.map((node) => `${node.host}:${node.port}`).join(',');
  }

  /** The master's port as the first answering sentinel reports it. */
  async currentMaster(): Promise<number> {
    for (const sentinel of this.sentinels) {
      const reply = await cli(
        sentinel.port,
        ['SENTINEL', 'get-master-addr-by-name', this.masterName],
        sentinel.host,
      );
      const port = Number(reply?.split('\n')[1]);
      if (Number.isInteger(port) && port > 0) return port;
    }
    throw new Error('no sentinel knows the master');
  }

  /** SIGTERM, then SIGKILL if the node has not exited within a bound. */
  async stopNode(name: string): Promise<void> {
    const node = this.#find(name);
    const child = node.process;
    if (child === undefined) return;
    child.kill('SIGCONT'); // a paused process cannot handle SIGTERM
    child.kill('SIGTERM');
    if (!(await exited(child, stopGraceMs))) {
      child.kill('SIGKILL');
      await exited(child, stopGraceMs);
    }
    node.process = undefined;
  }

  /** SIGKILL: no shutdown save, no goodbye to replicas or sentinels. */
  async killNode(name: string): Promise<void> {
    const node = this.#find(name);
    const child = node.process;
    if (child === undefined) return;
    child.kill('SIGKILL');
    await exited(child, stopGraceMs);
    node.process = undefined;
  }

  /** SIGSTOP: the process holds its sockets but answers nothing, like a hung host. */
  pauseNode(name: string): void {
    this.#find(name).process?.kill('SIGSTOP');
  }

  resumeNode(name: string): void {
    this.#find(name).process?.kill('SIGCONT');
  }

  /** Starts a stopped node again on its data directory and config file, then waits for it. */
  async restartNode(name: string): Promise<void> {
    const node = this.#find(name);
    if (node.process !== undefined) throw new Error(`${name} is still running`);
    node.process = launch(node);
    await waitFor(`${name} answers PING`, async () => (await cliAt(node, ['PING'])) === 'PONG');
  }

  /**
   * Starts a stopped server again as a replica of the master the sentinels name now, never
   * as the master it may have been: its data may be older than its successor's.
   */
  async rejoinAsReplica(name: string): Promise<void> {
    const node = this.#find(name);
    const masterPort = await this.currentMaster();
    if (masterPort === node.port) throw new Error(`${name} is the master the sentinels name`);
    const master = this.#nodes.find((candidate) => candidate.port === masterPort);
    if (master === undefined)
      throw new Error(`the sentinels name an unknown master :${masterPort}`);
    node.role = 'replica';
    writeServerConfig(node, master, readLayout(this.dataDir)?.redisLines ?? []);
    await this.restartNode(name);
  }

  /**
   * Stops every node and removes owned data. Sentinels go first, so they start no failover;
   * then the master, while its replicas still run, since its shutdown waits for them to
   * catch up; then the replicas.
   */
  async stop(): Promise<void> {
    await Promise.all(this.sentinels.map((node) => this.stopNode(node.name)));
    const running = this.servers.filter((node) => node.pid !== undefined);
    const roles = await Promise.all(running.map((node) => cliAt(node, ['ROLE'])));
    const isMaster = (index: number) => roles[index]?.startsWith('master') === true;
    await Promise.all(running.filter((_, i) => isMaster(i)).map((n) => this.stopNode(n.name)));
    await Promise.all(running.filter((_, i) => !isMaster(i)).map((n) => this.stopNode(n.name)));
    if (this.#ownsDataDir) rmSync(this.dataDir, { recursive: true, force: true });
  }

  /** The mutable node records, for the start functions of this module only. */
  get internalNodes(): NodeState[] {
    return this.#nodes;
  }

  #find(name: string): NodeState {
    const node = this.#nodes.find((candidate) => candidate.name === name);
    if (node === undefined) throw new Error(`no node named ${name}`);
    return node;
  }
}

/** One redis-server without replicas, so it accepts writes with no replica confirming them. */
export async function startStandalone(options: TopologyOptions = {}): Promise<RedisTopology> {
  const { dataDir, owned } = prepareDataDir(options.dataDir);
  const [port] = await freePorts(1);
  const node = newNode('redis-0', 'master', port as number, dataDir, options.network);
  writeServerConfig(node, undefined, ['min-replicas-to-write 0', ...(options.redisLines ?? [])]);

  const topology = new RedisTopology(dataDir, owned, [node], '');
  try {
    node.process = launch(node);
    await waitFor('redis-0 answers PING', async () => (await cliAt(node, ['PING'])) === 'PONG');
    return topology;
  } catch (error) {
    await topology.stop();
    throw error;
  }
}

/** A master, `replicas` replicas and three sentinels; resolves once replication is up. */
export async function startReplicated(options: ReplicatedOptions = {}): Promise<RedisTopology> {
  const replicaCount = options.replicas ?? 2;
  const masterName = options.masterName ?? 'mymaster';
  const { dataDir, owned } = prepareDataDir(options.dataDir);
  const ports = await freePorts(replicaCount + 4);

  const nodes = replicatedNodeNames(replicaCount).map((name, index) => {
    const role = name.startsWith('sentinel') ? 'sentinel' : index === 0 ? 'master' : 'replica';
    return newNode(name, role, ports[index] as number, dataDir, options.network);
  });
  const master = nodes[0] as NodeState;
  const redisLines = options.redisLines ?? [];
  const sentinelLines = options.sentinelLines ?? [];
  for (const node of nodes) {
    if (node.role === 'sentinel') writeSentinelConfig(node, masterName, master, sentinelLines);
    else writeServerConfig(node, node.role === 'replica' ? master : undefined, redisLines);
  }
  writeLayout(dataDir, { masterName, nodes: nodes.map(placeOf), redisLines, sentinelLines });

  return bringUp(new RedisTopology(dataDir, owned, nodes, masterName));
}

/**
 * Starts the replicated topology an earlier start left in `dataDir`, on the same ports and
 * each node on its own data. The master is the one the sentinels last recorded (after a
 * failover it is no longer redis-0), so an old master never comes back as master over the
 * newer data of its successor. Sentinels keep the config files they rewrote themselves.
 */
export async function resumeReplicated(
  dataDir: string,
  network?: NodeNetwork,
): Promise<RedisTopology> {
  const layout = readLayout(dataDir);
  if (layout === undefined) throw new Error(`${dataDir} holds no topology to resume`);
  const places = layout.nodes.map((place) =>
    newNode(place.name, place.role, place.port, dataDir, network),
  );
  const sentinels = places.filter((node) => node.role === 'sentinel');
  const initialMaster = places.find((node) => node.role === 'master');
  const masterPort = lastKnownMaster(sentinels, layout.masterName) ?? initialMaster?.port;
  const master = places.find((node) => node.port === masterPort);
  if (master === undefined) throw new Error(`${dataDir}: no master in the layout`);

  const nodes = places.map((node): NodeState => {
    if (node.role === 'sentinel') {
      // Kept as the sentinel rewrote it, unless it names the master at another address.
      if (!sentinelMonitors(node, layout.masterName, master)) {
        writeSentinelConfig(node, layout.masterName, master, layout.sentinelLines);
      }
      return node;
    }
    const role = node.port === master.port ? 'master' : 'replica';
    writeServerConfig(
      { ...node, role },
      role === 'replica' ? master : undefined,
      layout.redisLines,
    );
    return { ...node, role };
  });
  await assertPortsFree(nodes.filter((node) => node.netns === undefined).map((node) => node.port));

  return bringUp(new RedisTopology(dataDir, false, nodes, layout.masterName));
}

/** Resumes the topology in `dataDir` when there is one, or starts a new one there. */
export async function openReplicated(
  options: ReplicatedOptions & { dataDir: string },
): Promise<RedisTopology> {
  if (readLayout(options.dataDir) !== undefined) {
    return resumeReplicated(options.dataDir, options.network);
  }
  return startReplicated(options);
}

/** Servers first, replication up, then sentinels until they agree; stops all on failure. */
async function bringUp(topology: RedisTopology): Promise<RedisTopology> {
  const servers = topology.internalNodes.filter((node) => node.role !== 'sentinel');
  const sentinels = topology.internalNodes.filter((node) => node.role === 'sentinel');
  const replicas = servers.filter((node) => node.role === 'replica');
  const masterName = topology.masterName;
  try {
    for (const server of servers) server.process = launch(server);
    await waitFor('replication links up', async () => {
      const infos = await Promise.all(replicas.map((s) => cliAt(s, ['INFO', 'replication'])));
      return infos.every((info) => info?.includes('master_link_status:up') === true);
    });
    for (const sentinel of sentinels) sentinel.process = launch(sentinel);
    await waitFor('sentinels know the master, its replicas and each other', async () => {
      const views = await Promise.all(
        sentinels.map((s) => cliAt(s, ['SENTINEL', 'master', masterName])),
      );
      return views.every(
        (view) =>
          field(view, 'num-slaves') === replicas.length &&
          field(view, 'num-other-sentinels') === sentinels.length - 1 &&
          field(view, 'port') === servers.find((node) => node.role === 'master')?.port,
      );
    });
    return topology;
  } catch (error) {
    await topology.stop();
    throw error;
  }
}

function placeOf(node: NodeState) {
  return { name: node.name, role: node.role, port: node.port };
}

function prepareDataDir(dataDir: string | undefined): { dataDir: string; owned: boolean } {
  if (dataDir !== undefined) {
    mkdirSync(dataDir, { recursive: true });
    return { dataDir, owned: false };
  }
  return { dataDir: mkdtempSync(join(tmpdir(), 'redis-topology-')), owned: true };
}

/** Node names of a replicated topology: servers first (redis-0 the first master), sentinels. */
export function replicatedNodeNames(replicas: number): string[] {
  const servers = Array.from({ length: replicas + 1 }, (_, index) => `redis-${index}`);
  return [...servers, 'sentinel-0', 'sentinel-1', 'sentinel-2'];
}

function newNode(
  name: string,
  role: NodeRole,
  port: number,
  parent: string,
  network: NodeNetwork | undefined,
): NodeState {
  const dir = join(parent, name);
  mkdirSync(dir, { recursive: true });
  const place = network?.placement(name);
  const host = place?.host ?? loopback;
  return { name, role, port, host, netns: place?.netns, dir, process: undefined };
}

/** `ip netns exec` replaces itself with the binary, so the child's pid is the node's pid. */
function launch(node: NodeState): ChildProcess {
  const binary = node.role === 'sentinel' ? 'redis-sentinel' : 'redis-server';
  const log = openSync(join(node.dir, 'node.log'), 'a');
  const [command, args] =
    node.netns === undefined
      ? [binary, [configPath(node)]]
      : ['ip', ['netns', 'exec', node.netns, binary, configPath(node)]];
  const child = spawn(command, args, { stdio: ['ignore', log, log] });
  running.add(child);
  child.once('exit', () => running.delete(child));
  return child;
}

function exited(child: ChildProcess, timeoutMs: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), timeoutMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

/**
 * One command through redis-cli (at 127.0.0.1 unless `host` says otherwise); undefined when
 * the node does not answer in time. An error reply comes back as its text.
 */
export function cli(
  port: number,
  args: readonly string[],
  host = loopback,
): Promise<string | undefined> {
  return new Promise((resolve) => {
    execFile(
      'redis-cli',
      ['-h', host, '-p', String(port), ...args],
      { timeout: 2_000 },
      (error, stdout) => resolve(error ? undefined : stdout.trim()),
    );
  });
}

export function cliAt(node: Address, args: readonly string[]): Promise<string | undefined> {
  return cli(node.port, args, node.host);
}

/** A numeric field of a `SENTINEL master` reply (alternating name and value lines). */
function field(reply: string | undefined, name: string): number | undefined {
  const lines = reply?.split('\n') ?? [];
  const index = lines.indexOf(name);
  return index < 0 ? undefined : Number(lines[index + 1]);
}

async function waitFor(what: string, condition: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + readyTimeoutMs;
  while (Date.now() < deadline) {
    if (await condition()) return;
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
  throw new Error(`timed out after ${readyTimeoutMs} ms waiting until ${what}`);
}

/** Throws naming the first port something else already listens on. */
async function assertPortsFree(ports: readonly number[]): Promise<void> {
  for (const port of ports) {
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', () => reject(new Error(`port ${port} is taken; stop what uses it`)));
      server.listen(port, loopback, () => server.close(() => resolve()));
    });
  }
}

/** Ports the kernel hands out for port 0, released again for the nodes to bind. */
export async function freePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from({ length: count }, () => {
      const server = createServer();
      return new Promise<ReturnType<typeof createServer>>((resolve, reject) => {
        server.once('error', reject);
        server.listen(0, loopback, () => resolve(server));
      });
    }),
  );
  const ports = servers.map((server) => (server.address() as { port: number }).port);
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  return ports;
}
