import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * Binds the server to host:port (0: any free port) and resolves with the port it got; rejects
 * when the address cannot be bound (in use, no such interface).
 */
export async function listenOn(server: Server, o: { host: string; port: number }): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  // SAFETY: a server listening on a TCP host and port has an AddressInfo address.
  return (server.address() as AddressInfo).port;
}

/** Stops listening and drops open connections (keep-alive ones too); resolves once closed. */
export function closeServer(server: Server): Promise<void> {
  return new Promise<void>((resolve) => {
    server.closeAllConnections();
    server.close(() => {
      resolve();
    });
  });
}
