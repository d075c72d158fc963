// Langfuse compatibility, checked with the real @langfuse/client pointed at Keel's request handler
// on a real port: text and chat prompts (one in a folder), by label, by version and by default
// (production), compile(), and the errors the client turns into its NotFoundError and
// UnauthorizedError.
import { LangfuseClient } from "@langfuse/client";
import { configureGlobalLogger, LogLevel, NotFoundError, UnauthorizedError } from "@langfuse/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestOrg, type TestOrg } from "@/test/support/factories";
import { addVersion, basic, chat, createKey, seedPrompt, setLabel, startPublicApi, text, type RunningApi, type TestKey } from "@/test/support/public-api";
import { langfusePromptResponse } from "./schemas";

let srv: RunningApi;
let t: TestOrg;
let key: TestKey;
let langfuse: LangfuseClient;

beforeAll(async () => {
  // The client logs every failed fetch; the failures here are the point of some tests.
  configureGlobalLogger({ level: LogLevel.NONE });
  srv = await startPublicApi();
  t = await createTestOrg();
  key = await createKey(t, ["prompts:read"]);
  await seedPrompt(t, "movie-critic", text("As a {{criticLevel}} critic, do you like {{movie}}?", { model: "gpt-4o-mini", temperature: 0.7 }), {
    tags: ["demo"],
  });
  await addVersion(t, "movie-critic", text("As an {{criticLevel}} movie critic, rate {{movie}} from 1 to 10."));
  await setLabel(t, "movie-critic", "production", 1);
  await setLabel(t, "movie-critic", "staging", 2);

  await seedPrompt(
    t,
    "support/reply",
    chat([
      { role: "system", content: "You are a support agent for {{company}}." },
      { role: "user", content: "{{question}}" },
    ]),
  );
  await addVersion(
    t,
    "support/reply",
    chat([
      { role: "system", content: "You are a friendly support agent for {{company}}." },
      { role: "user", content: "{{question}}" },
    ]),
  );
  await setLabel(t, "support/reply", "production", 1);
  await setLabel(t, "support/reply", "staging", 2);

  langfuse = new LangfuseClient({ publicKey: key.publicKey, secretKey: key.secret, baseUrl: srv.base });
});
afterAll(() => srv.close());

describe("@langfuse/client against Keel", () => {
  it("fetches a text prompt by label and compiles it", async () => {
    const prompt = await langfuse.prompt.get("movie-critic", { label: "staging", cacheTtlSeconds: 0 });
    expect(prompt.name).toBe("movie-critic");
    expect(prompt.version).toBe(2);
    expect(prompt.type).toBe("text");
    expect(prompt.labels).toEqual(["latest", "staging"]);
    expect(prompt.tags).toEqual(["demo"]);
    expect(prompt.compile({ criticLevel: "expert", movie: "Dune 2" })).toBe("As an expert movie critic, rate Dune 2 from 1 to 10.");
  });

  it("defaults to production, fetches by version, and passes config through", async () => {
    const production = await langfuse.prompt.get("movie-critic", { cacheTtlSeconds: 0 });
    expect(production.version).toBe(1);
    expect(production.config).toEqual({ model: "gpt-4o-mini", temperature: 0.7 });
    expect(production.compile({ criticLevel: "casual", movie: "Up" })).toBe("As a casual critic, do you like Up?");
    expect((await langfuse.prompt.get("movie-critic", { version: 2, cacheTtlSeconds: 0 })).version).toBe(2);
  });

  it("fetches a chat prompt in a folder (the client sends %2F) and compiles its messages", async () => {
    const prompt = await langfuse.prompt.get("support/reply", { type: "chat", label: "staging", cacheTtlSeconds: 0 });
    expect(prompt.type).toBe("chat");
    expect(prompt.version).toBe(2);
    const messages = prompt.compile({ company: "Acme", question: "Where is my order?" });
    expect(messages.map((m) => ("role" in m ? { role: m.role, content: m.content } : m))).toEqual([
      { role: "system", content: "You are a friendly support agent for Acme." },
      { role: "user", content: "Where is my order?" },
    ]);
  });

  it("returns Langfuse's shape exactly (checked against the documented schema)", async () => {
    const res = await fetch(`${srv.base}/api/public/v2/prompts/support%2Freply?label=production`, { headers: basic(key) });
    expect(res.status).toBe(200);
    expect(langfusePromptResponse.parse(await res.json())).toEqual({
      name: "support/reply",
      version: 1,
      type: "chat",
      prompt: [
        { role: "system", content: "You are a support agent for {{company}}." },
        { role: "user", content: "{{question}}" },
      ],
      config: {},
      labels: ["production"],
      tags: [],
      commitMessage: "first",
    });
    expect(res.headers.get("etag")).toBeTruthy();
  });

  it("makes the client throw NotFoundError for unknown prompts and labels, UnauthorizedError for bad keys", async () => {
    await expect(langfuse.prompt.get("nope", { cacheTtlSeconds: 0, maxRetries: 0 })).rejects.toBeInstanceOf(NotFoundError);
    await expect(langfuse.prompt.get("movie-critic", { label: "development", cacheTtlSeconds: 0, maxRetries: 0 })).rejects.toBeInstanceOf(NotFoundError);
    const wrong = new LangfuseClient({ publicKey: key.publicKey, secretKey: "sk-keel-wrong", baseUrl: srv.base });
    await expect(wrong.prompt.get("movie-critic", { cacheTtlSeconds: 0, maxRetries: 0 })).rejects.toBeInstanceOf(UnauthorizedError);
  });

  it("serves the fallback-free happy path from the cache after the first fetch", async () => {
    const before = srv.api.stats().promptCache.hits;
    await langfuse.prompt.get("movie-critic", { label: "staging", cacheTtlSeconds: 0 });
    await langfuse.prompt.get("movie-critic", { label: "staging", cacheTtlSeconds: 0 });
    expect(srv.api.stats().promptCache.hits).toBeGreaterThanOrEqual(before + 2);
  });
});
