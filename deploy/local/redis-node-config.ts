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
  masterPort: number | undefined,
  extra: readonly string[],
): void {
  const shared = readFileSync(join(confDir, 'redis.conf'), 'utf8');
  const local = [
    `port ${node.port}`,
    `bind ${loopback}`,
    `dir ${node.dir}`,
    `replica-announce-ip ${loopback}`,
  ];
  const replicaOf = masterPort === undefined ? [] : [`replicaof ${loopback} ${masterPort}`];
  writeFileSync(configPath(node), [shared, ...local, ...replicaOf, ...extra, ''].join('\n'));
}

/** `sentinel monitor` must precede every other `sentinel` line that names the master. */
export function writeSentinelConfig(
  node: NodePlace,
  masterName: string,
  masterPort: number,
  extra: readonly string[],
): void {
  const shared = readFileSync(join(confDir, 'sentinel.conf'), 'utf8').replaceAll(
    ' mymaster ',
    ` ${masterName} `,
  );
  const local = [
    `port ${node.port}`,
    `bind ${loopback}`,
    `dir ${node.dir}`,
    `sentinel announce-ip ${loopback}`,
  ];
  const monitor = `sentinel monitor ${masterName} ${loopback} ${masterPort} 2`;
  writeFileSync(configPath(node), [monitor, shared, ...local, ...extra, ''].join('\n'));
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
