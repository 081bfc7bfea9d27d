/**
 * A private network for the Redis nodes of one run, so a chaos test can cut links that
 * loopback cannot: each node gets a network namespace of its own and an address on a /24
 * picked per run, joined by a veth pair to a bridge in the root namespace. The bridge holds
 * the /24's first address, so processes of the root namespace (the service instances) reach
 * every node, and a partition is a set of `unreachable` routes inside the namespaces on
 * either side of it. Needs root and iproute2 only (no iptables or nftables).
 *
 * Every namespace, link and bridge is named after a random run id and deleted by those
 * names; nothing else on the machine is touched.
 */
import { execFile } from 'node:child_process';
import { randomBytes, randomInt } from 'node:crypto';

const ipTimeoutMs = 10_000;
const subnetAttempts = 20;
/** Node addresses start here on the /24 (.1 is the bridge). */
const firstNodeOctet = 10;

/** Where a node runs: its address and the namespace that holds it. */
export interface NodePlacement {
  readonly host: string;
  readonly netns: string;
}

/** The names a lab created, enough to delete it from another process (`cli.ts down`). */
export interface LabRecord {
  readonly subnet: string;
  readonly bridge: string;
  readonly links: readonly string[];
  readonly namespaces: readonly string[];
}

export class NetworkLab {
  readonly #placements: Map<string, NodePlacement & { link: string }>;
  /** Active cuts as [namespace, address] pairs: what heal() removes. */
  #cuts: [string, string][] = [];

  private constructor(
    readonly record: LabRecord,
    placements: Map<string, NodePlacement & { link: string }>,
  ) {
    this.#placements = placements;
  }

  /** Creates the bridge and one namespace per node name; deletes what it made on failure. */
  static async create(nodeNames: readonly string[]): Promise<NetworkLab> {
    const runId = randomBytes(3).toString('hex');
    const subnet = await unusedSubnet();
    const prefix = subnet.slice(0, subnet.lastIndexOf('.'));
    const placements = new Map(
      nodeNames.map((name, index) => [
        name,
        {
          host: `${prefix}.${firstNodeOctet + index}`,
          netns: `authha-${runId}-${name}`,
          link: `ha${runId}v${index}`,
        },
      ]),
    );
    const record: LabRecord = {
      subnet: `${subnet}/24`,
      bridge: `ha${runId}br`,
      links: [...placements.values()].map((place) => place.link),
      namespaces: [...placements.values()].map((place) => place.netns),
    };

    const lab = new NetworkLab(record, placements);
    try {
      await ip('link', 'add', 'name', record.bridge, 'type', 'bridge');
      await ip('addr', 'add', `${prefix}.1/24`, 'dev', record.bridge);
      await ip('link', 'set', record.bridge, 'up');
      await assertSubnetOurs(record);
      for (const place of placements.values()) await addNode(place, record.bridge);
      return lab;
    } catch (error) {
      await destroyLab(record);
      throw error;
    }
  }

  placement(name: string): NodePlacement {
    const place = this.#placements.get(name);
    if (place === undefined) throw new Error(`the network lab has no node named ${name}`);
    return { host: place.host, netns: place.netns };
  }

  /**
   * Cuts `name` off from `peers` in both directions: each side gets an `unreachable` route
   * to the other's address, so packets between them are never sent, while both still reach
   * the bridge's address (the root namespace) and every other node.
   */
  async cut(name: string, peers: readonly string[]): Promise<void> {
    const node = this.placement(name);
    for (const peer of peers.map((peerName) => this.placement(peerName))) {
      await this.#addCut(node.netns, peer.host);
      await this.#addCut(peer.netns, node.host);
    }
  }

  /** Removes every cut, newest first. */
  async heal(): Promise<void> {
    while (this.#cuts.length > 0) {
      const [netns, address] = this.#cuts.pop() as [string, string];
      await ip('-n', netns, 'route', 'del', 'unreachable', `${address}/32`);
    }
  }

  async destroy(): Promise<void> {
    this.#cuts = [];
    await destroyLab(this.record);
  }

  async #addCut(netns: string, address: string): Promise<void> {
    await ip('-n', netns, 'route', 'add', 'unreachable', `${address}/32`);
    this.#cuts.push([netns, address]);
  }
}

/**
 * Deletes the links (each veth takes its peer with it), the namespaces and the bridge a lab
 * recorded; names already gone are skipped, so a half-made lab is removed too.
 */
export async function destroyLab(record: LabRecord): Promise<void> {
  for (const link of record.links) await ip('link', 'del', link).catch(() => undefined);
  for (const netns of record.namespaces) await ip('netns', 'del', netns).catch(() => undefined);
  await ip('link', 'del', record.bridge).catch(() => undefined);
}

/** A namespace with loopback up and one end of a veth pair whose other end joins the bridge. */
async function addNode(place: NodePlacement & { link: string }, bridge: string): Promise<void> {
  await ip('netns', 'add', place.netns);
  await ip('link', 'add', place.link, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', place.netns);
  await ip('link', 'set', place.link, 'master', bridge, 'up');
  await ip('-n', place.netns, 'link', 'set', 'lo', 'up');
  await ip('-n', place.netns, 'addr', 'add', `${place.host}/24`, 'dev', 'eth0');
  await ip('-n', place.netns, 'link', 'set', 'eth0', 'up');
}

/** A 10.2xx.y.0 network that no address or route of the root namespace overlaps. */
async function unusedSubnet(): Promise<string> {
  const inUse = `${await ip('-4', '-o', 'addr', 'show')}\n${await ip('-4', 'route', 'show')}`;
  for (let attempt = 0; attempt < subnetAttempts; attempt += 1) {
    const prefix = `10.${randomInt(200, 250)}.${randomInt(0, 256)}`;
    if (!inUse.includes(` ${prefix}.`)) return `${prefix}.0`;
  }
  throw new Error(`no unused 10.200-249.x.0/24 network after ${subnetAttempts} attempts`);
}

/** Another run may have picked the same /24 at the same moment: then give up, loudly. */
async function assertSubnetOurs(record: LabRecord): Promise<void> {
  const routes = (await ip('-4', 'route', 'show', record.subnet)).split('\n').filter(Boolean);
  if (routes.length !== 1) throw new Error(`${record.subnet} is routed twice; run again`);
}

function ip(...args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('ip', args, { timeout: ipTimeoutMs }, (error, stdout, stderr) => {
      if (error === null) return resolve(stdout);
      reject(new Error(`ip ${args.join(' ')}: ${stderr.trim() || error.message}`));
    });
  });
}
