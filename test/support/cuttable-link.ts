import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { createConnection, createServer, type Server, type Socket } from 'node:net';

/*
 * The network between one desk and its team host, cut and mended as a laptop's Wi-Fi would be
 * (issue 12 scenario 8.4). A plain TCP relay holds the host's public port (TLS passes through
 * untouched, so names, certificates and the Host header stay the host's own) and forwards to the
 * port the host listens on. `cut(pid)` drops every connection of that process and refuses its new
 * ones until `mend()`; everyone else (another desk, a browser) keeps going. Which process holds a
 * connection is read from Linux's /proc: the relay sees the peer's port, /proc/net/tcp names that
 * socket's inode, and /proc/<pid>/fd holds the inode when the socket is the process's.
 */

export interface CuttableLink {
  /** Drops the process's connections now and refuses its new ones. */
  cut(pid: number): void;
  mend(): void;
  close(): Promise<void>;
}

const hexPort = (port: number) => port.toString(16).toUpperCase().padStart(4, '0');

/** The inode of the loopback TCP socket whose local port is `port` and peer port `peerPort`. */
function inodeOf(port: number, peerPort: number): string | undefined {
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    for (const line of readFileSync(file, 'utf8').split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      if (cols[1]?.endsWith(`:${hexPort(port)}`) && cols[2]?.endsWith(`:${hexPort(peerPort)}`)) return cols[9];
    }
  }
  return undefined;
}

/** Whether process `pid` holds the socket with this inode. */
function holds(pid: number, inode: string): boolean {
  const dir = `/proc/${pid}/fd`;
  try {
    return readdirSync(dir).some((fd) => {
      try {
        return readlinkSync(`${dir}/${fd}`) === `socket:[${inode}]`;
      } catch {
        return false;
      }
    });
  } catch {
    return false;
  }
}

export async function startCuttableLink(options: { port: number; targetPort: number }): Promise<CuttableLink> {
  const open = new Set<Socket>();
  let cutPid: number | null = null;
  const isCut = (socket: Socket) => {
    if (cutPid === null || socket.remotePort === undefined) return false;
    const inode = inodeOf(socket.remotePort, options.port);
    return inode !== undefined && holds(cutPid, inode);
  };
  const server: Server = createServer((socket) => {
    if (isCut(socket)) {
      socket.destroy();
      return;
    }
    const upstream = createConnection({ host: '127.0.0.1', port: options.targetPort });
    open.add(socket);
    const drop = () => {
      open.delete(socket);
      socket.destroy();
      upstream.destroy();
    };
    socket.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
    socket.pipe(upstream).pipe(socket);
  });
  await new Promise<void>((done, fail) => {
    server.once('error', fail);
    server.listen(options.port, '127.0.0.1', () => done());
  });
  return {
    cut(pid) {
      cutPid = pid;
      for (const socket of [...open]) if (isCut(socket)) socket.destroy();
    },
    mend() {
      cutPid = null;
    },
    close: () =>
      new Promise((done) => {
        for (const socket of open) socket.destroy();
        server.close(() => done());
      }),
  };
}
