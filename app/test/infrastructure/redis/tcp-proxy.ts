import net from 'node:net';

/**
 * A TCP proxy on a free loopback port in front of one Redis server, for faults a real
 * network produces but a healthy loopback never does: replies held back (a reader that
 * falls behind) or a reply lost after the server ran the command (an ambiguous fault).
 */
export interface TcpProxy {
  readonly url: string;
  /** Holds every reply from the server until `release`, which delivers them in order. */
  hold(): void;
  release(): void;
  /**
   * The next request whose bytes contain `marker` still reaches the server, but its reply
   * never comes back: the proxy closes both sides of that connection instead.
   */
  dropReplyTo(marker: string): void;
  close(): Promise<void>;
}

export async function startTcpProxy(targetPort: number): Promise<TcpProxy> {
  let holding = false;
  let dropMarker: string | undefined;
  const flushers = new Set<() => void>();
  const sockets = new Set<net.Socket>();

  const server = net.createServer((client) => {
    const upstream = net.connect(targetPort, '127.0.0.1');
    const held: Buffer[] = [];
    let dropNextReply = false;
    const flush = () => {
      for (const chunk of held.splice(0)) client.write(chunk);
    };
    const end = () => {
      client.destroy();
      upstream.destroy();
      flushers.delete(flush);
    };
    sockets.add(client).add(upstream);
    flushers.add(flush);

    client.on('data', (chunk) => {
      if (dropMarker !== undefined && chunk.toString('latin1').includes(dropMarker)) {
        dropMarker = undefined;
        dropNextReply = true;
      }
      upstream.write(chunk);
    });
    upstream.on('data', (chunk) => {
      if (dropNextReply) return end();
      if (holding) held.push(chunk);
      else client.write(chunk);
    });
    for (const socket of [client, upstream]) {
      socket.on('error', end);
      socket.on('close', () => {
        sockets.delete(socket);
        end();
      });
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;

  return {
    url: `redis://127.0.0.1:${port}`,
    hold: () => {
      holding = true;
    },
    release: () => {
      holding = false;
      for (const flush of flushers) flush();
    },
    dropReplyTo: (marker) => {
      dropMarker = marker;
    },
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
