// The client IP and X-Forwarded-Host as the custom server passes them on, over real HTTP.
import { createServer, request, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { createRequestHandler } from "./request-handler";
import { rejectCrossSite } from "../api/http-context";
import { setting } from "../env";
import type { TrustProxy } from "../env";

let server: Server | undefined;
afterEach(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

/** What Next would see: the stamped client IP, X-Forwarded-Host, and the same-origin check's verdict. */
async function start(trustProxy: TrustProxy) {
  server = createServer(
    createRequestHandler({
      dev: false,
      trustProxy,
      tls: false,
      next: (req: IncomingMessage, res) => {
        const headers = new Headers();
        for (const [k, v] of Object.entries(req.headers)) if (typeof v === "string") headers.set(k, v);
        const refused = rejectCrossSite(new Request(`http://keel.internal${req.url}`, { method: req.method, headers }));
        res
          .writeHead(200, { "content-type": "application/json" })
          .end(JSON.stringify({ ip: req.headers["x-keel-client-ip"], forwardedHost: req.headers["x-forwarded-host"] ?? null, csrf: refused?.status ?? 200 }));
      },
    }),
  );
  await new Promise<void>((resolve) => server!.listen(0, "127.0.0.1", resolve));
  return (server.address() as AddressInfo).port;
}

function call(port: number, headers: Record<string, string>, method = "GET"): Promise<{ ip: string; forwardedHost: string | null; csrf: number }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port, path: "/api/trpc/x", method, headers }, (res) => {
      let body = "";
      res.on("data", (c: Buffer) => (body += c.toString()));
      res.on("end", () => resolve(JSON.parse(body) as { ip: string; forwardedHost: string | null; csrf: number }));
    });
    req.on("error", reject);
    req.end();
  });
}

const spoofed = { "x-forwarded-for": "6.6.6.6, 203.0.113.9" };

describe("client IP behind proxies", () => {
  it("ignores X-Forwarded-For unless KEEL_TRUST_PROXY is set", async () => {
    const port = await start(false);
    expect((await call(port, spoofed)).ip).toBe("127.0.0.1");
  });

  it("takes the right-most address a trusted proxy did not add, never the client-written left-most one", async () => {
    // One hop (KEEL_TRUST_PROXY=1 or true): the proxy appended the address it saw.
    expect((await call(await start(setting("KEEL_TRUST_PROXY", { KEEL_TRUST_PROXY: "true" })), spoofed)).ip).toBe("203.0.113.9");
    server!.close();
    // Two hops: a CDN in front of the load balancer.
    expect((await call(await start(2), { "x-forwarded-for": "6.6.6.6, 198.51.100.4, 10.0.0.2" })).ip).toBe("198.51.100.4");
    server!.close();
    // A CIDR list: every trusted address is skipped from the right.
    expect((await call(await start(["loopback", "10.0.0.0/8"]), { "x-forwarded-for": "6.6.6.6, 198.51.100.4, 10.0.0.2" })).ip).toBe("198.51.100.4");
  });

  it("does not believe forwarded headers from a peer outside the trusted ranges", async () => {
    const port = await start(["10.0.0.0/8"]);
    const seen = await call(port, { ...spoofed, "x-forwarded-host": "evil.example" });
    expect(seen.ip).toBe("127.0.0.1");
    expect(seen.forwardedHost).toBeNull();
  });
});

describe("X-Forwarded-Host and the same-origin check", () => {
  it("drops a client-sent X-Forwarded-Host without a trusted proxy, so it cannot vouch for another origin", async () => {
    const port = await start(false);
    const forged = await call(port, { "x-forwarded-host": "evil.example", origin: "http://evil.example" }, "POST");
    expect(forged.forwardedHost).toBeNull();
    expect(forged.csrf).toBe(403);
    expect((await call(port, { origin: `http://127.0.0.1:${port}` }, "POST")).csrf).toBe(200);
  });

  it("honours X-Forwarded-Host from a trusted proxy", async () => {
    const port = await start(1);
    const proxied = await call(port, { "x-forwarded-host": "keel.example.com", origin: "https://keel.example.com", "x-forwarded-for": "198.51.100.4" }, "POST");
    expect(proxied.forwardedHost).toBe("keel.example.com");
    expect(proxied.csrf).toBe(200);
  });
});
