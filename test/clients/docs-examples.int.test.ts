// The gateway examples in docs/api.md, run as a reader would run them: each is a file in
// docs/examples/ that the doc shows verbatim (checked here), executed as its own process (node,
// bash + curl) against a real Keel on a port, with the demo's support/reply prompt (its versions,
// production on version 2, which needs `policy`) calling the fake provider. The AI SDK, LangChain
// (@langchain/openai, in this client kit) and the openai client are the real packages.
import { execFile } from "node:child_process";
import { copyFile, mkdtemp, readFile, readdir, rm } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { startPublicApi, createKey, seedPrompt, addVersion, setLabel, type RunningApi, type TestKey } from "@/test/support/public-api";
import { startFakeOpenAI, type FakeProviderServer } from "@/test/support/fake-openai";
import { callerFor, createTestOrg, type TestOrg } from "@/test/support/factories";
import { replyVersions } from "@/server/domain/seed/demo";

const run = promisify(execFile);
const root = join(import.meta.dirname, "../..");
const examples = join(root, "docs/examples");
let api: RunningApi;
let fake: FakeProviderServer;
let t: TestOrg;
let key: TestKey;
let workdir: string;

beforeAll(async () => {
  vi.stubEnv("KEEL_EGRESS_ALLOW", "127.0.0.0/8");
  [api, fake] = await Promise.all([startPublicApi(), startFakeOpenAI()]);
  t = await createTestOrg();
  key = await createKey(t, ["gateway:invoke"]);
  const scope = { orgSlug: t.org.slug, projectSlug: t.project.slug };
  const providerId = (
    await callerFor(t.users.admin).providers.create({
      ...scope,
      name: "Fake",
      kind: "openai_compatible",
      baseUrl: fake.url,
      apiKey: "sk-test-1234567890",
      defaultModel: "gpt-4o-mini",
    })
  ).id;
  // The demo's prompt, calling the fake instead of the simulated provider so the test sees what the model got.
  const [first, ...rest] = replyVersions.map((v) => ({ ...v.content, config: { ...v.content.config, providerId } }));
  await seedPrompt(t, "support/reply", first!);
  for (const v of rest) await addVersion(t, "support/reply", v);
  await setLabel(t, "support/reply", "production", 2);
  // Examples run from inside the client kit so their imports resolve to its packages (LangChain) and the root's.
  workdir = await mkdtemp(join(import.meta.dirname, ".run-"));
});
afterAll(async () => {
  vi.unstubAllEnvs();
  await rm(workdir, { recursive: true, force: true });
  await api.close();
  await fake.close();
});
beforeEach(() => fake.reset());

async function runExample(file: string): Promise<string> {
  await copyFile(join(examples, file), join(workdir, file));
  const [command, args] = file.endsWith(".sh") ? ["bash", [file]] : [process.execPath, [file]];
  const { stdout } = await run(command, args, {
    cwd: workdir,
    env: { PATH: process.env.PATH, NODE_ENV: "production", KEEL: api.base, KEEL_SECRET_KEY: key.secret },
    timeout: 60_000,
  });
  return stdout;
}

/** What the model received: the demo's v2 system prompt with company and policy filled in, the question, then the example's own message. */
function expectRendered() {
  const sent = fake.requests.at(-1)!.body as { model: string; temperature: number; messages: { role: string; content: string }[] };
  expect(sent.model).toBe("gpt-4o-mini");
  expect(sent.temperature).toBe(0.3);
  expect(sent.messages[0]!.content).toMatch(/^You are the support assistant for Acme\./);
  expect(sent.messages[0]!.content).toMatch(/Policy:\nRefunds within 30 days of delivery\.$/);
  expect(sent.messages[1]).toEqual({ role: "user", content: "Where is my order?" });
  return sent;
}

describe("docs/api.md gateway examples", () => {
  it("shows every example file verbatim, and the README's call sends the same variables", async () => {
    const doc = await readFile(join(root, "docs/api.md"), "utf8");
    const blocks = [...doc.matchAll(/^```[a-z]*\n([\s\S]*?)^```$/gm)].map((m) => m[1]!.trim());
    const files = (await readdir(examples)).sort();
    expect(files).toEqual(["gateway-ai-sdk.mjs", "gateway-curl.sh", "gateway-langchain.mjs", "gateway-openai.mjs", "promptfooconfig.yaml"]);
    for (const file of files) expect(blocks, file).toContain((await readFile(join(examples, file), "utf8")).trim());
    const variables = /^\s*variables: .*$/m.exec(await readFile(join(examples, "gateway-openai.mjs"), "utf8"))![0].trim();
    expect(await readFile(join(root, "README.md"), "utf8")).toContain(variables);
  });

  it("the openai client example answers from the demo prompt (the call without `policy` was a 400)", async () => {
    expect(await runExample("gateway-openai.mjs")).toBe("Echo: Where is my order?\n");
    expectRendered();
    const before = await fetch(`${api.base}/api/gateway/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${key.secret}`, "content-type": "application/json" },
      body: JSON.stringify({
        model: "prompt:support/reply@production",
        messages: [],
        variables: { question: "Where is my order?", customer_name: "Sam", order_id: "A-1042", company: "Acme" },
      }),
    });
    expect(before.status).toBe(400);
    expect(((await before.json()) as { error: { message: string } }).error.message).toMatch(/^Missing variables: policy \(prompt /);
  });

  it("the curl example answers a chat.completion", async () => {
    const body = JSON.parse(await runExample("gateway-curl.sh")) as { object: string; choices: { message: { content: string } }[] };
    expect(body.object).toBe("chat.completion");
    expect(body.choices[0]!.message.content).toBe("Echo: Where is my order?");
    expectRendered();
  });

  it("the AI SDK example sends its variables in a header and in metadata, and Keel strips them before the provider", async () => {
    expect(await runExample("gateway-ai-sdk.mjs")).toBe("Echo: Please keep it short.\n");
    const sent = expectRendered();
    expect(sent.messages.at(-1)).toEqual({ role: "user", content: "Please keep it short." });
    expect(sent).not.toHaveProperty("metadata");
  });

  it("the LangChain example sends its variables in a default header and modelKwargs", async () => {
    expect(await runExample("gateway-langchain.mjs")).toBe("Echo: Please keep it short.\n");
    const sent = expectRendered();
    expect(sent.messages.at(-1)).toEqual({ role: "user", content: "Please keep it short." });
  });
});
