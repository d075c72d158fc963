import { createServer, request, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { closeWithDeadline } from "./shutdown";

let server: Server;
afterEach(() => server?.closeAllConnections());

function listen(handler: Parameters<typeof createServer>[1]): Promise<number> {
  server = createServer(handler);
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve((server.address() as AddressInfo).port)));
}

describe("closeWithDeadline", () => {
  it("lets a request in flight finish, then closes without cutting anything", async () => {
    const port = await listen((_req, res) => setTimeout(() => res.end("done"), 150));
    const response = new Promise<string>((resolve, reject) => {
      request({ port, host: "127.0.0.1" }, (res) => {
        let body = "";
        res.on("data", (chunk: Buffer) => (body += chunk.toString()));
        res.on("end", () => resolve(body));
      })
        .on("error", reject)
        .end();
    });
    await new Promise((resolve) => setTimeout(resolve, 30));
    const closing = closeWithDeadline(server, 5_000);
    expect(await response).toBe("done");
    expect(await closing).toEqual({ cut: 0 });
  });

  it("cuts a stream whose client stopped reading once the deadline passes", async () => {
    const chunk = Buffer.alloc(64 * 1024, "x");
    // An export that never ends; the client reads nothing, so the server's writes back up.
    const port = await listen((_req, res) => {
      const write = () => {
        while (res.write(chunk));
        res.once("drain", write);
      };
      write();
    });
    const req = request({ port, host: "127.0.0.1" }, (res) => res.pause());
    req.on("error", () => {});
    req.end();
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(await closeWithDeadline(server, 300)).toEqual({ cut: 1 });
    req.destroy();
  });
});
