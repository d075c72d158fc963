// Langfuse prompt management against Keel with the real clients: @langfuse/client 5.11.1
// (prompt.create, prompt.update, api.prompts.list) and the legacy `langfuse` v3 (createPrompt,
// updatePrompt). Writes are audited with the API key as the actor; protected environments refuse.
import { LangfuseClient } from "@langfuse/client";
import { configureGlobalLogger, LogLevel } from "@langfuse/core";
import { Langfuse } from "langfuse";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { getDb } from "@/server/db/client";
import { auditEventsOf, createTestOrg, lastSeq, type TestOrg } from "@/test/support/factories";
import { basic, createKey, protect, startPublicApi, type RunningApi, type TestKey } from "@/test/support/public-api";

let srv: RunningApi;
let t: TestOrg;
let key: TestKey;
let readOnly: TestKey;
let langfuse: LangfuseClient;

const send = (method: string, path: string, body?: unknown, k: TestKey = key) =>
  fetch(`${srv.base}${path}`, {
    method,
    headers: { ...basic(k), "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });

beforeAll(async () => {
  configureGlobalLogger({ level: LogLevel.NONE });
  srv = await startPublicApi();
  t = await createTestOrg();
  key = await createKey(t, ["prompts:write"]);
  readOnly = await createKey(t, ["prompts:read"], "reader");
  await protect(t, "production");
  langfuse = new LangfuseClient({ publicKey: key.publicKey, secretKey: key.secret, baseUrl: srv.base });
});
afterAll(() => srv.close());

describe("@langfuse/client 5 prompt management", () => {
  it("prompt.create makes a text prompt with labels, then a new version; each write is audited", async () => {
    const before = await lastSeq(t.org.id);
    const created = await langfuse.prompt.create({
      name: "movie-critic",
      type: "text",
      prompt: "As a {{criticLevel}} critic, do you like {{movie}}?",
      config: { model: "gpt-4o-mini", temperature: 0.7, max_tokens: 200 },
      labels: ["staging"],
      tags: ["demo"],
      commitMessage: "first draft",
    });
    expect(created.name).toBe("movie-critic");
    expect(created.version).toBe(1);
    expect(created.labels).toEqual(["latest", "staging"]);
    expect(created.config).toEqual({ model: "gpt-4o-mini", temperature: 0.7, maxTokens: 200 });
    expect(created.compile({ criticLevel: "expert", movie: "Dune" })).toBe("As a expert critic, do you like Dune?");

    const second = await langfuse.prompt.create({ name: "movie-critic", prompt: "As an {{criticLevel}} critic, rate {{movie}}.", labels: ["development"] });
    expect(second.version).toBe(2);
    expect(second.labels).toEqual(["development", "latest"]);
    expect(second.commitMessage).toBe("Saved through the Langfuse API");

    const events = await auditEventsOf(t.org.id, before);
    expect(events.map((e) => e.action)).toEqual([
      "prompt.created",
      "prompt.version.created",
      "prompt.label.moved",
      "prompt.version.created",
      "prompt.label.moved",
    ]);
    expect(events.every((e) => e.actorType === "api_key" && e.actorLabel === key.publicKey)).toBe(true);

    // The same content again reuses the newest version instead of storing a duplicate.
    const again = await langfuse.prompt.create({ name: "movie-critic", prompt: "As an {{criticLevel}} critic, rate {{movie}}." });
    expect(again.version).toBe(2);
    expect(await getDb().promptVersion.count({ where: { prompt: { projectId: t.project.id, name: "movie-critic" } } })).toBe(2);
  });

  it("prompt.create makes a chat prompt in a folder and refuses placeholders with a 400 naming them", async () => {
    const chat = await langfuse.prompt.create({
      name: "support/reply",
      type: "chat",
      prompt: [
        { role: "system", content: "You are a support agent for {{company}}." },
        { role: "user", content: "{{question}}" },
      ],
    });
    expect(chat.type).toBe("chat");
    expect(chat.version).toBe(1);
    expect(chat.compile({ company: "Acme", question: "Where is my order?" })).toEqual([
      { role: "system", content: "You are a support agent for Acme." },
      { role: "user", content: "Where is my order?" },
    ]);
    const fetched = await langfuse.prompt.get("support/reply", { label: "latest", type: "chat", cacheTtlSeconds: 0 });
    expect(fetched.version).toBe(1);

    const res = await send("POST", "/api/public/v2/prompts", {
      name: "with-history",
      type: "chat",
      prompt: [
        { role: "system", content: "Hi" },
        { type: "placeholder", name: "history" },
      ],
    });
    expect(res.status).toBe(400);
    expect(JSON.stringify(await res.json())).toMatch(/prompt\.1: placeholder messages/);
    await expect(
      langfuse.prompt.create({ name: "with-history", type: "chat", prompt: [{ type: "placeholder" as never, name: "history" }] as never }),
    ).rejects.toThrow(/placeholder/);
    expect(await getDb().prompt.count({ where: { projectId: t.project.id, name: "with-history" } })).toBe(0);
  });

  it("prompt.update moves unprotected labels; a protected environment refuses with 403, the SDK throws and the refusal is recorded", async () => {
    const before = await lastSeq(t.org.id);
    const updated = await langfuse.prompt.update({ name: "movie-critic", version: 1, newLabels: ["development"] });
    expect(updated.labels).toEqual(["development", "staging"]);
    const moved = (await auditEventsOf(t.org.id, before)).filter((e) => e.action === "prompt.label.moved");
    expect(moved).toHaveLength(1);
    expect(moved[0]!.after).toMatchObject({ name: "movie-critic", label: "development", version: 1 });

    const seq = await lastSeq(t.org.id);
    const refused = langfuse.prompt.update({ name: "movie-critic", version: 2, newLabels: ["staging", "production"] });
    await expect(refused).rejects.toMatchObject({ statusCode: 403 });
    await expect(langfuse.prompt.update({ name: "movie-critic", version: 2, newLabels: ["production"] })).rejects.toThrow(/protected environment/);
    const events = await auditEventsOf(t.org.id, seq);
    expect(events.map((e) => [e.action, e.outcome])).toEqual([
      ["access.denied", "denied"],
      ["access.denied", "denied"],
    ]);
    expect(events[0]!.targetId).toBe("PATCH /api/public/v2/prompts/{name}/versions/{version}");
    // All or nothing: staging did not move either.
    const labels = await getDb().promptLabel.findMany({ where: { prompt: { projectId: t.project.id, name: "movie-critic" } }, orderBy: { name: "asc" } });
    expect(labels.map((l) => [l.name, l.version])).toEqual([
      ["development", 1],
      ["staging", 1],
    ]);

    // Creating with a protected label refuses as well, and saves nothing.
    await expect(langfuse.prompt.create({ name: "movie-critic", prompt: "v3 {{movie}}", labels: ["production"] })).rejects.toMatchObject({ statusCode: 403 });
    expect((await getDb().prompt.findFirstOrThrow({ where: { projectId: t.project.id, name: "movie-critic" } })).latestVersion).toBe(2);
  });

  it("api.prompts.list pages prompts with versions, labels, tags and filters", async () => {
    const all = await langfuse.api.prompts.list({});
    expect(all.meta).toEqual({ page: 1, limit: 50, totalItems: 2, totalPages: 1 });
    const critic = all.data.find((p) => p.name === "movie-critic")!;
    expect(critic).toMatchObject({ type: "text", versions: [1, 2], labels: ["development", "latest", "staging"], tags: ["demo"] });
    expect(critic.lastConfig).toEqual({});

    const staging = await langfuse.api.prompts.list({ label: "staging" });
    expect(staging.data.map((p) => [p.name, p.versions])).toEqual([["movie-critic", [1]]]);
    expect(staging.data[0]!.lastConfig).toEqual({ model: "gpt-4o-mini", temperature: 0.7, maxTokens: 200 });

    const paged = await langfuse.api.prompts.list({ limit: 1, page: 2 });
    expect(paged.meta).toEqual({ page: 2, limit: 1, totalItems: 2, totalPages: 2 });
    expect(paged.data.map((p) => p.name)).toEqual(["support/reply"]);
    expect((await langfuse.api.prompts.list({ tag: "demo" })).data.map((p) => p.name)).toEqual(["movie-critic"]);
    expect((await langfuse.api.prompts.list({ name: "support/reply" })).data).toHaveLength(1);
    expect((await langfuse.api.prompts.list({ fromUpdatedAt: new Date(Date.now() + 60_000).toISOString() })).data).toEqual([]);

    const reader = new LangfuseClient({ publicKey: readOnly.publicKey, secretKey: readOnly.secret, baseUrl: srv.base });
    expect((await reader.api.prompts.list({})).data).toHaveLength(2);
    await expect(reader.prompt.create({ name: "nope", prompt: "x" })).rejects.toMatchObject({ statusCode: 403 });
  });

  it("answers bad input with a 400 naming the field", async () => {
    const cases: [unknown, RegExp][] = [
      [{ name: "x", prompt: "hi", config: { supported_languages: ["en"] } }, /config\.supported_languages: is not a known field/],
      [{ name: "x", type: "chat", prompt: "hi" }, /prompt: must be a list of messages/],
      [{ name: "x", type: "chat", prompt: [{ role: "tool", content: "hi" }] }, /prompt\.0\.role/],
      [{ name: "x", prompt: "hi", labels: ["Prod"] }, /labels\.0/],
      [{ name: "bad name!", prompt: "hi" }, /name/],
    ];
    for (const [body, message] of cases) {
      const res = await send("POST", "/api/public/v2/prompts", body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(JSON.stringify(await res.json())).toMatch(message);
    }
    const unknownLabel = await send("POST", "/api/public/v2/prompts", { name: "x", prompt: "hi", labels: ["canary"] });
    expect(unknownLabel.status).toBe(404);
    expect(((await unknownLabel.json()) as { error: { message: string } }).error.message).toBe('This project has no environment "canary"');
    expect(await getDb().prompt.count({ where: { projectId: t.project.id, name: "x" } })).toBe(0);
    expect((await send("PATCH", "/api/public/v2/prompts/movie-critic/versions/9", { newLabels: ["staging"] })).status).toBe(404);
    expect((await send("PATCH", "/api/public/v2/prompts/movie-critic/versions/1", { newLabels: ["latest"] })).status).toBe(400);
    expect((await send("PATCH", "/api/public/v2/prompts/nope/versions/1", { newLabels: ["staging"] })).status).toBe(404);
  });
});

describe("langfuse v3 prompt management", () => {
  it("createPrompt and updatePrompt work against Keel", async () => {
    const v3 = new Langfuse({ publicKey: key.publicKey, secretKey: key.secret, baseUrl: srv.base, flushAt: 1 });
    const created = await v3.createPrompt({ name: "v3/greeting", prompt: "Hello {{name}}", labels: ["staging"], config: { model: "gpt-4o" } });
    expect(created.version).toBe(1);
    expect(created.labels).toEqual(["latest", "staging"]);
    expect(created.compile({ name: "Ada" })).toBe("Hello Ada");
    const chat = await v3.createPrompt({ name: "v3/chat", type: "chat", prompt: [{ role: "user", content: "Hi {{name}}" }] });
    expect(chat.type).toBe("chat");
    const fetched = await v3.getPrompt("v3/greeting", undefined, { label: "staging", cacheTtlSeconds: 0 });
    expect(fetched.prompt).toBe("Hello {{name}}");
    const updated = await v3.updatePrompt({ name: "v3/greeting", version: 1, newLabels: ["development"] });
    expect(updated.labels).toEqual(["development", "latest", "staging"]);

    // The v3 SDK never throws on an HTTP error: it logs it (here: the 403 with Keel's reason) and
    // returns what it got. Nothing is saved and the refusal is in the audit log.
    const seq = await lastSeq(t.org.id);
    const logged = vi.spyOn(console, "error").mockImplementation(() => {});
    try {
      await v3.createPrompt({ name: "v3/greeting", prompt: "Hello again {{name}}", labels: ["production"] });
      expect(logged.mock.calls.map((c) => c.join(" ")).join("\n")).toMatch(/403.*protected environment/s);
    } finally {
      logged.mockRestore();
    }
    expect((await getDb().prompt.findFirstOrThrow({ where: { projectId: t.project.id, name: "v3/greeting" } })).latestVersion).toBe(1);
    expect((await auditEventsOf(t.org.id, seq)).map((e) => [e.action, e.outcome])).toEqual([["access.denied", "denied"]]);
    await v3.shutdownAsync();
  });
});
