// Keel's egress policy against real sockets: forbidden targets are refused before anything is
// sent (a listening server on loopback proves nothing arrives), names are checked after
// resolution on the address actually connected to, redirects are not followed, allow-listed
// targets work, and provider errors do not tell closed, refused and reset ports apart.
import dns from "node:dns";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { createProvider } from "../providers";
import { ProviderError } from "../providers/errors";
import { parseEgressAllow, refusalOf } from "./egress-allow";
import { checkUrlForSave, EgressRefusedError, egressFetch, egressPost, refusalOfUrl } from "./egress";
import { FORBIDDEN_TARGETS } from "@/test/support/egress-targets";

type Victim = { server: Server; port: number; hits: number };

async function listen(host: string, handler?: (victim: Victim) => Parameters<typeof createServer>[1]): Promise<Victim> {
  const victim: Victim = { server: undefined as unknown as Server, port: 0, hits: 0 };
  victim.server = createServer((req, res) => {
    victim.hits++;
    if (handler) return handler(victim)!(req, res);
    res.writeHead(200, { "content-type": "application/json" });
    res.end('{"secret":"internal answer"}');
  });
  await new Promise<void>((resolve) => victim.server.listen(0, host, resolve));
  victim.port = (victim.server.address() as AddressInfo).port;
  return victim;
}

let v4: Victim;
let v6: Victim;
beforeAll(async () => {
  v4 = await listen("127.0.0.1");
  v6 = await listen("::1");
});
afterAll(async () => {
  await Promise.all([v4, v6].map((v) => new Promise((resolve) => v.server.close(resolve))));
});
afterEach(() => {
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
  v4.hits = 0;
  v6.hits = 0;
});

const FORBIDDEN = FORBIDDEN_TARGETS.map(([name, url, reason]) => [name, () => url({ v4: v4.port, v6: v6.port }), reason] as const);

describe("KEEL_EGRESS_ALLOW", () => {
  it("takes CIDRs, single addresses and host names", () => {
    const policy = parseEgressAllow(" 127.0.0.0/8, ::1/128 ,[fd00::]/8, 10.1.2.3, LocalHost, models.internal., ");
    expect(policy.cidrs.map(([a, bits]) => `${a.toString()}/${bits}`)).toEqual(["127.0.0.0/8", "::1/128", "fd00::/8", "10.1.2.3/32"]);
    expect([...policy.hosts]).toEqual(["localhost", "models.internal"]);
    expect(parseEgressAllow(undefined).cidrs).toEqual([]);
  });

  it.each(["10.0.0.256", "2130706433", "10.0.0.0/33", "http://models.internal", "models internal", "::1/129", "*.internal"])(
    "refuses %s, naming it",
    (entry) => {
      expect(() => parseEgressAllow(`127.0.0.0/8,${entry}`)).toThrow(`"${entry}" is neither a CIDR`);
    },
  );
});

describe("which addresses are refused", () => {
  const none = parseEgressAllow("");
  it.each([
    ["127.0.0.1", "loopback address"],
    ["::1", "loopback address"],
    ["0.0.0.0", "unspecified address"],
    ["::", "unspecified address"],
    ["10.0.0.1", "private address"],
    ["172.16.0.1", "private address"],
    ["172.31.255.255", "private address"],
    ["192.168.0.1", "private address"],
    ["169.254.169.254", "link-local address"],
    ["fe80::1", "link-local address"],
    ["fd12:3456::1", "private address"],
    ["224.0.0.1", "multicast address"],
    ["ff02::1", "multicast address"],
    ["100.64.0.1", "shared (carrier-grade NAT) address"],
    ["::ffff:127.0.0.1", "IPv4-mapped IPv6 address"],
    ["::ffff:8.8.8.8", "IPv4-mapped IPv6 address"],
    ["::7f00:1", "reserved address"],
    ["255.255.255.255", "broadcast address"],
  ])("%s is a %s", (address, reason) => {
    expect(refusalOf(none, address)).toBe(reason);
  });

  it.each(["8.8.8.8", "172.32.0.1", "1.1.1.1", "2606:4700:4700::1111"])("%s is public", (address) => {
    expect(refusalOf(none, address)).toBeNull();
  });

  it("allows what the operator's CIDRs cover, IPv4-mapped forms included", () => {
    const policy = parseEgressAllow("127.0.0.0/8,10.20.0.0/16");
    expect(refusalOf(policy, "127.0.0.5")).toBeNull();
    expect(refusalOf(policy, "::ffff:127.0.0.1")).toBeNull();
    expect(refusalOf(policy, "10.20.3.4")).toBeNull();
    expect(refusalOf(policy, "10.21.3.4")).toBe("private address");
    expect(refusalOf(policy, "::1")).toBe("loopback address");
  });
});

describe("call time: forbidden targets are refused before anything is sent", () => {
  it.each(FORBIDDEN)("%s", async (_name, url, reason) => {
    const error = await egressFetch(url(), { method: "POST", body: "{}", signal: AbortSignal.timeout(5_000) }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EgressRefusedError);
    expect((error as Error).message).toMatch(/^refused by Keel's egress policy \(/);
    expect((error as Error).message).toMatch(reason);
    // The listening servers behind the loopback targets never saw a request.
    expect(v4.hits + v6.hits).toBe(0);
  });

  it("refuses them for provider calls, without retrying and without what was behind them", async () => {
    for (const [name, url, reason] of FORBIDDEN) {
      const provider = createProvider(
        { kind: "openai_compatible", baseUrl: url(), apiKey: "sk-test-1234567890", name: "Internal" },
        { retryBaseMs: 1, maxRetries: 2 },
      );
      const error = (await provider.complete({ model: "m", messages: [{ role: "user", content: "hi" }] }).catch((e: unknown) => e)) as ProviderError;
      expect(error, name).toBeInstanceOf(ProviderError);
      expect(error.message, name).toMatch(/^Keel did not call Internal: refused by Keel's egress policy \(/);
      expect(error.message, name).toMatch(reason);
      expect(error.message, name).not.toContain("internal answer");
      expect(error.retryable, name).toBe(false);
    }
    expect(v4.hits + v6.hits).toBe(0);
  });

  it("checks the address a name resolves to when connecting, not only when saved (DNS rebinding)", async () => {
    // At save the name resolves to a public address; when the call connects, to loopback.
    vi.spyOn(dns.promises, "lookup").mockResolvedValue([{ address: "93.184.216.34", family: 4 }] as never);
    expect(await refusalOfUrl(`http://rebind.example:${v4.port}/v1`)).toBeNull();
    const real = dns.lookup;
    vi.spyOn(dns, "lookup").mockImplementation(((hostname: string, options: dns.LookupOptions, callback: (...args: unknown[]) => void) =>
      hostname === "rebind.example" ? callback(null, [{ address: "127.0.0.1", family: 4 }]) : real(hostname, options, callback as never)) as never);
    const error = await egressFetch(`http://rebind.example:${v4.port}/v1`, { method: "POST", body: "{}" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EgressRefusedError);
    expect((error as Error).message).toBe("refused by Keel's egress policy (loopback address)");
    expect(v4.hits).toBe(0);
  });

  it("refuses a name when any of its addresses is refused", async () => {
    vi.spyOn(dns, "lookup").mockImplementation(((_hostname: string, _options: dns.LookupOptions, callback: (...args: unknown[]) => void) =>
      callback(null, [
        { address: "93.184.216.34", family: 4 },
        { address: "10.0.0.7", family: 4 },
      ])) as never);
    const error = await egressFetch("http://split.example/v1").catch((e: unknown) => e);
    expect((error as Error).message).toBe("refused by Keel's egress policy (private address)");
  });

  it("does not follow a redirect to loopback", async () => {
    // The redirecting server is allowed by name (localhost); the loopback address it points to is not.
    vi.stubEnv("KEEL_EGRESS_ALLOW", "localhost");
    const redirector = await listen("127.0.0.1", () => (_req, res) => {
      res.writeHead(307, { location: `http://127.0.0.1:${v4.port}/v1/chat/completions` });
      res.end();
    });
    try {
      const res = await egressFetch(`http://localhost:${redirector.port}/v1/chat/completions`, { method: "POST", body: "{}", redirect: "follow" });
      expect(res.status).toBe(307);
      const provider = createProvider({ kind: "openai_compatible", baseUrl: `http://localhost:${redirector.port}/v1`, name: "Redirecting" }, { maxRetries: 0 });
      const error = (await provider.complete({ model: "m", messages: [{ role: "user", content: "hi" }] }).catch((e: unknown) => e)) as ProviderError;
      expect(error).toMatchObject({ code: "http", status: 307 });
      expect((await egressPost(`http://localhost:${redirector.port}/hook`, { headers: {}, body: "{}" })).status).toBe(307);
      expect(redirector.hits).toBe(3);
      expect(v4.hits).toBe(0);
      // And followed by hand, the target itself is refused: the name was allowed, not its address.
      await expect(egressFetch(`http://127.0.0.1:${v4.port}/v1/chat/completions`)).rejects.toThrow(/loopback address/);
    } finally {
      await new Promise((resolve) => redirector.server.close(resolve));
    }
  });
});

describe("allow-listed targets", () => {
  it("reaches loopback when its CIDR is allowed", async () => {
    vi.stubEnv("KEEL_EGRESS_ALLOW", "127.0.0.0/8,::1/128");
    expect((await egressFetch(`http://127.0.0.1:${v4.port}/`)).status).toBe(200);
    expect((await egressFetch(`http://[::1]:${v6.port}/`)).status).toBe(200);
    expect((await egressPost(`http://127.0.0.1:${v4.port}/`, { headers: {}, body: "{}" })).status).toBe(200);
    expect(v4.hits + v6.hits).toBe(3);
  });

  it("reaches a host allowed by name, but not its address by itself", async () => {
    vi.stubEnv("KEEL_EGRESS_ALLOW", "localhost");
    expect((await egressFetch(`http://localhost:${v4.port}/`)).status).toBe(200);
    await expect(egressFetch(`http://127.0.0.1:${v4.port}/`)).rejects.toBeInstanceOf(EgressRefusedError);
    expect(v4.hits).toBe(1);
  });

  it("does not reuse a connection pooled under a wider policy", async () => {
    vi.stubEnv("KEEL_EGRESS_ALLOW", "127.0.0.0/8");
    expect((await egressFetch(`http://127.0.0.1:${v4.port}/`)).status).toBe(200);
    vi.stubEnv("KEEL_EGRESS_ALLOW", "");
    await expect(egressFetch(`http://127.0.0.1:${v4.port}/`)).rejects.toBeInstanceOf(EgressRefusedError);
    expect(v4.hits).toBe(1);
  });
});

describe("provider connection errors", () => {
  it("say the same for a closed port, a reset and a hang-up, with no error code", async () => {
    vi.stubEnv("KEEL_EGRESS_ALLOW", "127.0.0.0/8");
    const closed = await listen("127.0.0.1");
    await new Promise((resolve) => closed.server.close(resolve));
    const reset = await listen("127.0.0.1", () => (req) => req.socket.resetAndDestroy());
    const hangUp = await listen("127.0.0.1", () => (req) => req.socket.destroy());
    try {
      const messages = [];
      for (const [name, port] of [
        ["closed", closed.port],
        ["reset", reset.port],
        ["hang-up", hangUp.port],
      ] as const) {
        const provider = createProvider({ kind: "openai_compatible", baseUrl: `http://127.0.0.1:${port}/v1`, name: "Local" }, { maxRetries: 0 });
        const error = (await provider.complete({ model: "m", messages: [{ role: "user", content: "hi" }] }).catch((e: unknown) => e)) as ProviderError;
        expect(error, name).toMatchObject({ code: "network" });
        messages.push(error.message);
      }
      expect(new Set(messages)).toEqual(new Set(["Could not reach Local."]));
    } finally {
      await Promise.all([reset, hangUp].map((v) => new Promise((resolve) => v.server.close(resolve))));
    }
  });
});

describe("save-time check", () => {
  it.each(FORBIDDEN)("refuses %s with a 400 naming the field", async (_name, url, reason) => {
    const error = (await checkUrlForSave(url(), "baseUrl").catch((e: unknown) => e)) as { code: string; field: string; message: string };
    expect(error).toMatchObject({ code: "BAD_REQUEST", field: "baseUrl" });
    expect(error.message).toMatch(/^baseUrl: is refused by Keel's egress policy \(/);
    expect(error.message).toMatch(reason);
    expect(error.message).toContain("KEEL_EGRESS_ALLOW");
  });

  it("refuses other schemes, and accepts a public name that does not resolve here", async () => {
    await expect(checkUrlForSave("file:///etc/passwd", "url")).rejects.toMatchObject({
      code: "BAD_REQUEST",
      field: "url",
      message: "url: must be an http(s) URL",
    });
    await expect(checkUrlForSave("https://api.openai.invalid/v1", "baseUrl")).resolves.toBeUndefined();
    await expect(checkUrlForSave("https://8.8.8.8/v1", "baseUrl")).resolves.toBeUndefined();
  });

  it("accepts what the operator allows", async () => {
    vi.stubEnv("KEEL_EGRESS_ALLOW", "127.0.0.0/8,models.internal");
    await expect(checkUrlForSave(`http://127.0.0.1:${v4.port}/v1`, "baseUrl")).resolves.toBeUndefined();
    await expect(checkUrlForSave(`http://localhost:${v4.port}/v1`, "baseUrl")).resolves.toBeUndefined();
    await expect(checkUrlForSave("http://models.internal/v1", "baseUrl")).resolves.toBeUndefined();
    await expect(checkUrlForSave("http://10.0.0.1/v1", "baseUrl")).rejects.toMatchObject({ field: "baseUrl" });
  });
});
