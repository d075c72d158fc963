// Variables are a contract: a version declares descriptions and defaults, and the evaluation
// worker, the gateway, the playground and the pre-run coverage check apply one rule to the same
// data (a value, "" included, wins; else the default; else "Missing variables: <names>").
// Declarations are stored with the version, hashed, served by the public API and validated.
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { getDb } from "../../db/client";
import { callerFor, createTestOrg, type TestOrg } from "@/test/support/factories";
import { startFakeOpenAI, type FakeProviderServer } from "@/test/support/fake-openai";
import { createKey, setLabel, startPublicApi, type RunningApi, type TestKey } from "@/test/support/public-api";
import { processRun } from "../evaluations/worker";
import type { PlaygroundEvent } from "../playground/run";

let t: TestOrg;
let fake: FakeProviderServer;
let api: RunningApi;
let key: TestKey;
let providerId: string;
const scope = () => ({ orgSlug: t.org.slug, projectSlug: t.project.slug });
const editor = () => callerFor(t.users.editor);

const TEMPLATE = "Hi {{name}}, in a {{tone}} tone. {{sign}}";
// tone has a default, sign an empty default, name none (required).
const DETAILS = {
  tone: { description: "How to sound", default: "calm" },
  sign: { description: "", default: "" },
  name: { description: "The customer's first name", default: null },
};
// The same three inputs everywhere: defaults fill tone and sign; "" is a value; no name fails.
const INPUTS: Record<string, string>[] = [{ name: "Ada" }, { name: "", tone: "stern" }, { tone: "warm" }];
const RENDERED = ["Hi Ada, in a calm tone. ", "Hi , in a stern tone. "];

beforeAll(async () => {
  vi.stubEnv("KEEL_EGRESS_ALLOW", "127.0.0.0/8");
  [api, fake] = await Promise.all([startPublicApi(), startFakeOpenAI()]);
  t = await createTestOrg();
  key = await createKey(t, ["gateway:invoke", "prompts:read", "prompts:write"]);
  providerId = (
    await callerFor(t.users.admin).providers.create({
      ...scope(),
      name: "Local",
      kind: "openai_compatible",
      baseUrl: fake.url,
      apiKey: "sk-test-1234567890",
      defaultModel: "gpt-4o-mini",
    })
  ).id;
  await editor().prompts.create({
    ...scope(),
    name: "greet",
    content: { type: "text", template: TEMPLATE, config: { providerId }, variableDetails: DETAILS },
    commitMessage: "v1",
  });
  await setLabel(t, "greet", "production", 1);
  await editor().datasets.create({ ...scope(), name: "people" });
  await editor().datasets.addItems({ ...scope(), name: "people", items: INPUTS.map((input) => ({ input })) });
});
afterAll(async () => {
  vi.unstubAllEnvs();
  await Promise.all([fake.close(), api.close()]);
  const { stopBoss } = await import("../../queue/boss");
  await stopBoss();
});

const lastUserText = () => {
  const body = fake.requests.at(-1)!.body as { messages: { role: string; content: string }[] };
  return body.messages.at(-1)!.content;
};

describe("one rule everywhere", () => {
  it("the pre-run check reports the item that will fail and the items a default covers", async () => {
    const coverage = await editor().datasets.coverage({ ...scope(), name: "people", promptName: "greet", promptVersion: 1 });
    expect(coverage).toMatchObject({
      total: 3,
      failing: 1,
      usingDefaults: 2,
      failures: [{ error: "Missing variables: name", missing: ["name"], items: 1 }],
      variables: [
        { name: "name", missing: 1, default: null, description: "The customer's first name" },
        { name: "tone", missing: 1, default: "calm" },
        { name: "sign", missing: 3, default: "" },
      ],
    });
  });

  it("the evaluation worker renders and fails the same items", async () => {
    fake.reset();
    const created = await editor().runs.create({ ...scope(), prompt: { name: "greet", version: 1 }, dataset: { name: "people" }, providerId });
    for (let i = 0; i < 20; i++) if ((await processRun(created.id, { deadline: Date.now() + 10_000, log: () => {} })) !== "continue") break;
    const items = await getDb().evaluationRunItem.findMany({ where: { runId: created.id }, orderBy: { position: "asc" } });
    expect(items.map((i) => i.status)).toEqual(["done", "done", "error"]);
    expect(items.slice(0, 2).map((i) => (i.rendered as { content: string }[])[0]!.content)).toEqual(RENDERED);
    expect(items[2]!.error).toMatch(/^Missing variables: name \(/);
  });

  it("the playground applies it: a blank (absent) value uses the default or is refused with the same message", async () => {
    const source = { kind: "version" as const, name: "greet", version: 1 };
    for (const [i, variables] of INPUTS.slice(0, 2).entries()) {
      const stream = await editor().playground.run({ ...scope(), providerId, source, variables });
      const events: PlaygroundEvent[] = [];
      for await (const e of stream as AsyncIterable<PlaygroundEvent>) events.push(e);
      expect(events[0]).toMatchObject({ type: "rendered", messages: [{ role: "user", content: RENDERED[i] }] });
    }
    await expect(editor().playground.run({ ...scope(), providerId, source, variables: INPUTS[2]! })).rejects.toMatchObject({
      code: "BAD_REQUEST",
      message: expect.stringMatching(/^Missing variables: name \(/),
    });
    // A draft carries its own declarations.
    const draft = { kind: "draft" as const, content: { type: "text" as const, template: "{{x}}", variableDetails: { x: { default: "from the draft" } } } };
    const stream = await editor().playground.run({ ...scope(), providerId, source: draft, variables: {} });
    for await (const e of stream as AsyncIterable<PlaygroundEvent>) {
      expect(e).toMatchObject({ type: "rendered", messages: [{ content: "from the draft" }], defaulted: ["x"] });
      break;
    }
  });

  it("the gateway applies it: defaults fill in, no value and no default is a 400 with the same message", async () => {
    const call = (variables: Record<string, string>) =>
      fetch(`${api.base}/api/gateway/v1/chat/completions`, {
        method: "POST",
        headers: { authorization: `Bearer ${key.secret}`, "content-type": "application/json" },
        body: JSON.stringify({ model: "prompt:greet@production", messages: [], variables }),
      });
    for (const [i, variables] of INPUTS.slice(0, 2).entries()) {
      const res = await call(variables);
      expect(res.status).toBe(200);
      expect(lastUserText()).toBe(RENDERED[i]);
    }
    const refused = await call(INPUTS[2]!);
    expect(refused.status).toBe(400);
    expect(((await refused.json()) as { error: { message: string } }).error.message).toMatch(/^Missing variables: name \(prompt "greet"/);
  });
});

describe("declarations", () => {
  it("are served by the public API for every variable, and by the tRPC version", async () => {
    const res = await fetch(`${api.base}/api/public/v1/prompts/greet?version=1`, { headers: { authorization: `Bearer ${key.secret}` } });
    const body = (await res.json()) as { variables: string[]; variableDetails: unknown };
    expect(body.variables).toEqual(["name", "tone", "sign"]);
    expect(body.variableDetails).toEqual(DETAILS);
    const version = await editor().prompts.version({ ...scope(), name: "greet", version: 1 });
    expect(version.variableDetails).toEqual({ name: DETAILS.name, sign: DETAILS.sign, tone: DETAILS.tone });
  });

  it("are part of the content hash: a version differing only by a default is a new version; declaring nothing keeps the old hash", async () => {
    const v1 = await getDb().promptVersion.findFirstOrThrow({ where: { version: 1, prompt: { projectId: t.project.id, name: "greet" } } });
    const content = { type: "text" as const, template: TEMPLATE, config: { providerId } };
    const v2 = await editor().prompts.createVersion({
      ...scope(),
      name: "greet",
      content: { ...content, variableDetails: { ...DETAILS, tone: { description: "How to sound", default: "cheerful" } } },
      commitMessage: "cheerful",
      basedOnVersion: 1,
    });
    expect(v2.version).toBe(2);
    const row2 = await getDb().promptVersion.findFirstOrThrow({ where: { version: 2, prompt: { projectId: t.project.id, name: "greet" } } });
    expect(row2.contentHash).not.toBe(v1.contentHash);
    await expect(
      editor().prompts.createVersion({
        ...scope(),
        name: "greet",
        content: { ...content, variableDetails: { ...DETAILS, tone: { description: "How to sound", default: "cheerful" } } },
        commitMessage: "again",
        basedOnVersion: 2,
      }),
    ).rejects.toMatchObject({ code: "CONFLICT", message: expect.stringMatching(/Nothing changed/) });
    // Trivial declarations (no description, no default) are not stored: the same hash as none.
    await editor().prompts.create({
      ...scope(),
      name: "plain",
      content: { type: "text", template: "{{a}}", variableDetails: { a: { description: "", default: null } } },
      commitMessage: "v1",
    });
    const plain = await getDb().promptVersion.findFirstOrThrow({ where: { prompt: { projectId: t.project.id, name: "plain" } } });
    expect(plain.variableDetails).toEqual({});
    await expect(
      editor().prompts.createVersion({ ...scope(), name: "plain", content: { type: "text", template: "{{a}}" }, commitMessage: "same", basedOnVersion: 1 }),
    ).rejects.toMatchObject({ code: "CONFLICT" });
  });

  it("are validated: names must be used, defaults are bounded strings (4xx naming the field, nothing written)", async () => {
    const before = await getDb().promptVersion.count({ where: { prompt: { projectId: t.project.id } } });
    const save = (variableDetails: unknown, template = "{{a}}") =>
      editor().prompts.createVersion({
        ...scope(),
        name: "plain",
        content: { type: "text", template, variableDetails } as never,
        commitMessage: "x",
        basedOnVersion: 1,
      });
    await expect(save({ b: { default: "x" } })).rejects.toMatchObject({
      code: "BAD_REQUEST",
      message: expect.stringContaining("which the template does not use"),
    });
    await expect(save({ a: { default: 3 } })).rejects.toMatchObject({ code: "BAD_REQUEST" });
    await expect(save({ a: { default: "x".repeat(10_001) } })).rejects.toMatchObject({
      code: "BAD_REQUEST",
      message: expect.stringContaining("at most 10,000 characters"),
    });
    await expect(save({ "a b": {} })).rejects.toMatchObject({ code: "BAD_REQUEST" });
    // Over the public API: 400 with the field.
    const post = (body: unknown) =>
      fetch(`${api.base}/api/public/v1/prompts/plain/versions`, {
        method: "POST",
        headers: { authorization: `Bearer ${key.secret}`, "content-type": "application/json" },
        body: JSON.stringify(body),
      });
    const bad = await post({ type: "text", prompt: "{{a}}", variableDetails: { zz: { default: "x" } }, commitMessage: "x" });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(await bad.json())).toContain("variableDetails.zz");
    const ok = await post({ type: "text", prompt: "{{a}}", variableDetails: { a: { description: "the a", default: "A" } }, commitMessage: "with a default" });
    expect(ok.status).toBe(201);
    expect(((await ok.json()) as { variableDetails: unknown }).variableDetails).toEqual({ a: { description: "the a", default: "A" } });
    expect(await getDb().promptVersion.count({ where: { prompt: { projectId: t.project.id } } })).toBe(before + 1);
  });
});

describe("content that cannot be saved", () => {
  it("refuses empty templates and messages and {{ }} syntax errors with the position, over tRPC and the public API", async () => {
    const create = (content: unknown) =>
      editor().prompts.create({ ...scope(), name: `bad-${Math.random().toString(36).slice(2, 8)}`, content: content as never, commitMessage: "x" });
    await expect(create({ type: "text", template: "   " })).rejects.toMatchObject({
      code: "BAD_REQUEST",
      message: expect.stringContaining("The template is empty"),
    });
    await expect(
      create({
        type: "chat",
        messages: [
          { role: "system", content: "" },
          { role: "user", content: "" },
        ],
      }),
    ).rejects.toMatchObject({ code: "BAD_REQUEST", message: expect.stringContaining("Message 1 is empty") });
    await expect(create({ type: "text", template: "Hello\n{{name" })).rejects.toMatchObject({
      code: "BAD_REQUEST",
      message: expect.stringContaining("{{ is never closed with }} (line 2, column 1)"),
    });
    await expect(create({ type: "text", template: "Hello name}}" })).rejects.toMatchObject({
      code: "BAD_REQUEST",
      message: expect.stringContaining("}} closes no {{ (line 1, column 11)"),
    });
    const res = await fetch(`${api.base}/api/public/v1/prompts/broken/versions`, {
      method: "POST",
      headers: { authorization: `Bearer ${key.secret}`, "content-type": "application/json" },
      body: JSON.stringify({ type: "chat", messages: [{ role: "user", content: "Hi {{ first name }}" }], commitMessage: "x" }),
    });
    expect(res.status).toBe(400);
    expect(JSON.stringify(await res.json())).toMatch(/is not a variable name/);
    expect(await getDb().prompt.count({ where: { projectId: t.project.id, name: { in: ["broken"] } } })).toBe(0);
  });
});
