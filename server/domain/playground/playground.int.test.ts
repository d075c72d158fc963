// Playground and providers end to end: encrypted keys, the real client over real HTTP to a local
// OpenAI-compatible server, streaming, cost, rate limits.
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { getDb } from "../../db/client";
import { callerFor, createTestOrg, type TestOrg } from "@/test/support/factories";
import { startFakeOpenAI, type FakeProviderServer } from "@/test/support/fake-openai";
import type { PlaygroundEvent } from "./run";

let t: TestOrg;
let fake: FakeProviderServer;
const scope = () => ({ orgSlug: t.org.slug, projectSlug: t.project.slug });
const API_KEY = "sk-live-very-secret-key-000111";

async function collect(stream: unknown): Promise<PlaygroundEvent[]> {
  const events: PlaygroundEvent[] = [];
  for await (const e of stream as AsyncIterable<PlaygroundEvent>) events.push(e);
  return events;
}

beforeAll(async () => {
  // The local fake/receiver listens on loopback, which Keel's egress policy refuses unless allowed.
  vi.stubEnv("KEEL_EGRESS_ALLOW", "127.0.0.0/8");
  t = await createTestOrg();
  fake = await startFakeOpenAI();
  await callerFor(t.users.editor).prompts.create({
    ...scope(),
    name: "support/reply",
    content: {
      type: "chat",
      messages: [
        { role: "system", content: "You answer for {{company}}." },
        { role: "user", content: "{{question}}" },
      ],
      config: { temperature: 0.3 },
    },
    commitMessage: "first",
  });
});
afterAll(async () => {
  vi.unstubAllEnvs();
  await fake.close();
});

describe("providers", () => {
  it("store API keys encrypted, never return them, and keep them out of the audit log", async () => {
    const created = await callerFor(t.users.admin).providers.create({
      ...scope(),
      name: "Local OpenAI",
      kind: "openai_compatible",
      baseUrl: fake.url,
      apiKey: API_KEY,
      defaultModel: "gpt-4o-mini",
    });
    const row = await getDb().providerConnection.findUniqueOrThrow({ where: { id: created.id } });
    expect(row.apiKeyEncrypted).toMatch(/^v1:/);
    expect(row.apiKeyEncrypted).not.toContain(API_KEY);
    const listed = await callerFor(t.users.viewer).providers.list(scope());
    expect(JSON.stringify(listed)).not.toContain(API_KEY);
    expect(listed.map((p) => p.name)).toEqual(expect.arrayContaining(["Simulated", "Local OpenAI"]));
    expect(listed.find((p) => p.name === "Simulated")).toMatchObject({ builtIn: true, kind: "simulated" });
    const events = await getDb().auditEvent.findMany({
      where: { orgId: t.org.id, action: { startsWith: "provider." } },
      select: { before: true, after: true },
    });
    expect(events.length).toBeGreaterThan(0);
    expect(JSON.stringify(events)).not.toContain(API_KEY);
  });

  it("refuses changing or deleting the built-in Simulated provider", async () => {
    const simulated = (await callerFor(t.users.admin).providers.list(scope())).find((p) => p.builtIn)!;
    await expect(callerFor(t.users.admin).providers.delete({ ...scope(), id: simulated.id })).rejects.toMatchObject({ code: "BAD_REQUEST" });
  });
});

describe("playground", () => {
  it("streams a version on the Simulated provider with usage, deterministically", async () => {
    const simulated = (await callerFor(t.users.editor).providers.list(scope())).find((p) => p.builtIn)!;
    const input = {
      ...scope(),
      providerId: simulated.id,
      source: { kind: "version" as const, name: "support/reply", version: 1 },
      variables: { company: "Acme", question: "Where is my order?", extra: "x" },
    };
    const events = await collect(await callerFor(t.users.editor).playground.run(input));
    expect(events[0]).toEqual({
      type: "rendered",
      messages: [
        { role: "system", content: "You answer for Acme." },
        { role: "user", content: "Where is my order?" },
      ],
      missing: [],
      unused: ["extra"],
      defaulted: [],
    });
    expect(events.filter((e) => e.type === "delta").length).toBeGreaterThan(1);
    const done = events.at(-1) as Extract<PlaygroundEvent, { type: "done" }>;
    expect(done.type).toBe("done");
    expect(done.text).toMatch(/^\[Simulated\]/);
    expect(done.usage.inputTokens).toBeGreaterThan(0);
    const again = await collect(await callerFor(t.users.editor).playground.run(input));
    expect((again.at(-1) as typeof done).text).toBe(done.text);
  });

  it("calls a real OpenAI-compatible server over HTTP with the decrypted key, streams, and prices the run", async () => {
    const provider = (await callerFor(t.users.editor).providers.list(scope())).find((p) => p.name === "Local OpenAI")!;
    fake.reset();
    const events = await collect(
      await callerFor(t.users.editor).playground.run({
        ...scope(),
        providerId: provider.id,
        source: { kind: "draft", content: { type: "text", template: "Say hi to {{name}}", config: {} } },
        variables: { name: "Ada" },
      }),
    );
    expect(fake.requests).toHaveLength(1);
    expect(fake.requests[0]!.headers.authorization).toBe(`Bearer ${API_KEY}`);
    expect(fake.requests[0]!.body).toMatchObject({ model: "gpt-4o-mini", stream: true, messages: [{ role: "user", content: "Say hi to Ada" }] });
    const done = events.at(-1) as Extract<PlaygroundEvent, { type: "done" }>;
    expect(done).toMatchObject({ type: "done", model: expect.stringContaining("gpt-4o-mini") });
    expect(done.text).toContain("Say hi to Ada");
    expect(done.costUsd).toBeGreaterThan(0);
  });

  it("reports provider errors in the stream without leaking the key", async () => {
    const provider = (await callerFor(t.users.editor).providers.list(scope())).find((p) => p.name === "Local OpenAI")!;
    fake.failNext(5, 401, {}, `invalid key ${API_KEY}`);
    const events = await collect(
      await callerFor(t.users.editor).playground.run({
        ...scope(),
        providerId: provider.id,
        source: { kind: "version", name: "support/reply", version: 1 },
        variables: { company: "Acme", question: "?" },
      }),
    );
    const last = events.at(-1)!;
    expect(last.type).toBe("error");
    expect(JSON.stringify(events)).not.toContain(API_KEY);
    fake.reset();
  });

  it("is rate limited per user", async () => {
    const simulated = (await callerFor(t.users.admin).providers.list(scope())).find((p) => p.builtIn)!;
    const run = () =>
      callerFor(t.users.admin).playground.run({
        ...scope(),
        providerId: simulated.id,
        source: { kind: "draft", content: { type: "text", template: "x", config: {} } },
        variables: {},
      });
    for (let i = 0; i < 30; i++) await run();
    await expect(run()).rejects.toMatchObject({ code: "TOO_MANY_REQUESTS" });
  });

  it("refuses viewers and unknown providers", async () => {
    await expect(
      callerFor(t.users.viewer).playground.run({
        ...scope(),
        providerId: "0190a2b4-0000-7000-8000-000000000000",
        source: { kind: "version", name: "support/reply", version: 1 },
        variables: {},
      }),
    ).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(
      callerFor(t.users.editor).playground.run({
        ...scope(),
        providerId: "0190a2b4-0000-7000-8000-000000000000",
        source: { kind: "version", name: "support/reply", version: 1 },
        variables: {},
      }),
    ).rejects.toMatchObject({ code: "NOT_FOUND" });
  });
});
