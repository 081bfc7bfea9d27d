/**
 * The config files of the local Redis nodes: the shared settings of deploy/redis/*.conf plus
 * only the lines that depend on where a node runs, and the layout file that lets a later
 * start find the same nodes on the same ports with their last known roles.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const confDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'redis');
const layoutFile = 'topology.json';

export const loopback = '127.0.0.1';

export type NodeRole = 'master' | 'replica' | 'sentinel';

/** What a node's config depends on. */
export interface NodePlace {
  readonly name: string;
  readonly role: NodeRole;
  readonly port: number;
  readonly dir: string;
  /** The address it binds and announces: loopback, or its own in a network namespace. */
  readonly host: string;
}

/** Where a server replicates from, or the master a sentinel monitors. */
export interface Address {
  readonly host: string;
  readonly port: number;
}

/** Written at the first start; read by every later start on the same data directory. */
export interface TopologyLayout {
  readonly masterName: string;
  readonly nodes: readonly { name: string; role: NodeRole; port: number }[];
  readonly redisLines: readonly string[];
  readonly sentinelLines: readonly string[];
}

export function configPath(node: NodePlace): string {
  return join(node.dir, node.role === 'sentinel' ? 'sentinel.conf' : 'redis.conf');
}

/** Shared settings, then the node's own lines; later lines override earlier ones. */
export function writeServerConfig(
  node: NodePlace,
  master: Address | undefined,
  extra: readonly string[],
): void {
  const shared = readFileSync(join(confDir, 'redis.conf'), 'utf8');
  const local = [
    `port ${node.port}`,
    `bind ${node.host}`,
    ...outsideLoopback(node),
    `dir ${node.dir}`,
    `replica-announce-ip ${node.host}`,
  ];
  const replicaOf = master === undefined ? [] : [`replicaof ${master.host} ${master.port}`];
  writeFileSync(configPath(node), [shared, ...local, ...replicaOf, ...extra, ''].join('\n'));
}

/** `sentinel monitor` must precede every other `sentinel` line that names the master. */
export function writeSentinelConfig(
  node: NodePlace,
  masterName: string,
  master: Address,
  extra: readonly string[],
): void {
  const shared = readFileSync(join(confDir, 'sentinel.conf'), 'utf8').replaceAll(
    ' mymaster ',
    ` ${masterName} `,
  );
  const local = [
    `port ${node.port}`,
    `bind ${node.host}`,
    ...outsideLoopback(node),
    `dir ${node.dir}`,
    `sentinel announce-ip ${node.host}`,
  ];
  const monitor = `sentinel monitor ${masterName} ${master.host} ${master.port} 2`;
  writeFileSync(configPath(node), [monitor, shared, ...local, ...extra, ''].join('\n'));
}

/**
 * Whether a sentinel's own (possibly rewritten) config monitors `master` at that address; a
 * sentinel last run at other addresses (a network lab of an earlier run) needs a new file.
 */
export function sentinelMonitors(node: NodePlace, masterName: string, master: Address): boolean {
  const path = configPath(node);
  if (!existsSync(path)) return false;
  const monitor = `sentinel monitor ${masterName} ${master.host} ${master.port} `;
  return readFileSync(path, 'utf8')
    .split('\n')
    .some((line) => line.startsWith(monitor));
}

/**
 * Protected mode refuses every client but loopback while no password is set. A node on its
 * own address in a network namespace is reachable only through the run's private bridge,
 * and the service reaches it from there.
 */
function outsideLoopback(node: NodePlace): string[] {
  return node.host === loopback ? [] : ['protected-mode no'];
}

export function writeLayout(dataDir: string, layout: TopologyLayout): void {
  writeFileSync(join(dataDir, layoutFile), `${JSON.stringify(layout, null, 2)}\n`);
}

/** The layout of an earlier start, or undefined when the directory holds none. */
export function readLayout(dataDir: string): TopologyLayout | undefined {
  const path = join(dataDir, layoutFile);
  if (!existsSync(path)) return undefined;
  return JSON.parse(readFileSync(path, 'utf8')) as TopologyLayout;
}

/**
 * The master as the sentinels last recorded it in their own config files (they rewrite
 * `sentinel monitor` after a failover); the newest config epoch wins. Undefined when no
 * sentinel file names one.
 */
export function lastKnownMaster(sentinels: readonly NodePlace[], masterName: string) {
  let best: { port: number; epoch: number } | undefined;
  for (const sentinel of sentinels) {
    const path = configPath(sentinel);
    if (!existsSync(path)) continue;
    const text = readFileSync(path, 'utf8');
    const monitor = new RegExp(`^sentinel monitor ${masterName} \\S+ (\\d+) \\d+$`, 'm').exec(text);
    if (monitor === null) continue;
    const epoch = new RegExp(`^sentinel config-epoch ${masterName} (\\d+)$`, 'm').exec(text);
    const candidate = { port: Number(monitor[1]), epoch: Number(epoch?.[1] ?? 0) };
    if (best === undefined || candidate.epoch > best.epoch) best = candidate;
  }
  return best?.port;
}
