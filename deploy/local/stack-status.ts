/**
 * The live state of a running stack, read from its endpoints only (so `status` works from
 * another process): the master the sentinels name, each replica's lag, each instance's
 * readiness.
 */
import type { StackEndpoints } from './local-stack.js';
import { cli } from './redis-topology.js';

export interface ReplicaStatus {
  readonly address: string;
  readonly state: string;
  /** Bytes of the master's replication stream the replica has not acknowledged. */
  readonly lagBytes: number;
  /** Seconds since the replica last acknowledged. */
  readonly lagSeconds: number;
}

export interface StackStatus {
  readonly master: string | undefined;
  readonly replicas: readonly ReplicaStatus[];
  readonly apps: readonly { url: string; ready: boolean }[];
}

export async function readStatus(endpoints: StackEndpoints): Promise<StackStatus> {
  const master = await masterAddress(endpoints);
  const [host, port] = master?.split(':') ?? [];
  const info =
    master === undefined ? undefined : await cli(Number(port), ['INFO', 'replication'], host);
  const apps = await Promise.all(
    endpoints.apps.map(async (url) => ({ url, ready: await isReady(url) })),
  );
  return { master, replicas: replicasOf(info), apps };
}

/** One line for the live display of `up`. */
export function statusLine(status: StackStatus): string {
  const ready = status.apps.filter((app) => app.ready).length;
  const replicas = status.replicas
    .map((r) => `${r.address} ${r.state} lag ${r.lagBytes} B/${r.lagSeconds} s`)
    .join(', ');
  return `master ${status.master ?? 'unknown'} | replicas ${replicas || 'none'} | instances ready ${ready}/${status.apps.length}`;
}

/** What the live display reports a change of: master, replica states, ready count. */
export function statusShape(status: StackStatus): string {
  const replicas = status.replicas.map((r) => `${r.address}=${r.state}`).join(',');
  return `${status.master}|${replicas}|${status.apps.filter((app) => app.ready).length}`;
}

async function masterAddress(endpoints: StackEndpoints): Promise<string | undefined> {
  for (const sentinel of endpoints.sentinels) {
    const [sentinelHost, port] = sentinel.split(':');
    const ask = ['SENTINEL', 'get-master-addr-by-name', endpoints.masterName];
    const reply = await cli(Number(port), ask, sentinelHost);
    const [host, masterPort] = reply?.split('\n') ?? [];
    if (host !== undefined && masterPort !== undefined) return `${host}:${masterPort}`;
  }
  return undefined;
}

/** Parses the `slaveN:ip=…,port=…,state=…,offset=…,lag=…` lines of INFO replication. */
function replicasOf(info: string | undefined): ReplicaStatus[] {
  if (info === undefined) return [];
  const masterOffset = Number(/master_repl_offset:(\d+)/.exec(info)?.[1] ?? 0);
  return info
    .split('\n')
    .filter((line) => /^slave\d+:/.test(line))
    .map((line) => {
      const fields = new Map(
        line
          .slice(line.indexOf(':') + 1)
          .trim()
          .split(',')
          .map((pair) => pair.split('=') as [string, string]),
      );
      return {
        address: `${fields.get('ip')}:${fields.get('port')}`,
        state: fields.get('state') ?? 'unknown',
        lagBytes: Math.max(0, masterOffset - Number(fields.get('offset') ?? 0)),
        lagSeconds: Number(fields.get('lag') ?? 0),
      };
    });
}

async function isReady(url: string): Promise<boolean> {
  try {
    const response = await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(2_000) });
    return response.status === 200;
  } catch {
    return false;
  }
}
