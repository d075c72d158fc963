// A TCP proxy in front of PostgreSQL that a test can take down and bring back: `down()` cuts every
// connection and refuses new ones (as a restarting server does), `up()` accepts again on the same
// port. Keel under test is pointed at `url`; the database itself is never touched.
import net from "node:net";

export type TcpProxy = { url: string; down(): Promise<void>; up(): Promise<void>; close(): Promise<void> };

export async function startTcpProxy(targetUrl: string): Promise<TcpProxy> {
  const target = new URL(targetUrl);
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(Number(target.port || 5432), target.hostname);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on("close", () => sockets.delete(socket));
      socket.on("error", () => {});
    }
    client.pipe(upstream).pipe(client);
    client.on("close", () => upstream.destroy());
    upstream.on("close", () => client.destroy());
  });
  const listen = (port: number) =>
    new Promise<number>((resolve) => server.listen(port, "127.0.0.1", () => resolve((server.address() as net.AddressInfo).port)));
  const port = await listen(0);
  const url = new URL(targetUrl);
  url.hostname = "127.0.0.1";
  url.port = String(port);
  const down = async () => {
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const socket of sockets) socket.destroy();
    await closed;
  };
  return {
    url: url.toString(),
    down,
    up: async () => void (await listen(port)),
    close: () => (server.listening ? down() : Promise.resolve()),
  };
}
