// The prompt API over real HTTP: every status path, ETags and conditional requests, the path
// rules for names with folders, saving versions and moving labels on the audited path with the
// API key as the actor, and same-process cache invalidation.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getDb } from "../db/client";
import { createTestOrg, type TestOrg } from "@/test/support/factories";
import {
  addVersion,
  bearer,
  chat,
  createKey,
  protect,
  revokeKey,
  seedPrompt,
  setLabel,
  startPublicApi,
  text,
  type RunningApi,
  type TestKey,
} from "@/test/support/public-api";
import { errorResponse } from "./errors";
import { moveLabelResponse, promptListResponse, promptResponse, versionListResponse } from "./schemas";

let srv: RunningApi;
let t: TestOrg;
let read: TestKey;
let write: TestKey;
let ingest: TestKey;

const V1 = "/api/public/v1/prompts";

beforeAll(async () => {
  srv = await startPublicApi();
  t = await createTestOrg();
  [read, write, ingest] = await Promise.all([createKey(t, ["prompts:read"]), createKey(t, ["prompts:write"]), createKey(t, ["traces:ingest"])]);
  await seedPrompt(t, "greeting", text("Hello {{name}}!", { model: "gpt-4o-mini", temperature: 0.2 }), { tags: ["onboarding"], description: "Says hello" });
  await addVersion(t, "greeting", text("Hi {{name}}, welcome to {{product}}."));
  await setLabel(t, "greeting", "production", 1);
  await seedPrompt(
    t,
    "support/reply",
    chat([
      { role: "system", content: "You help {{customer}}." },
      { role: "user", content: "{{question}}" },
    ]),
    { tags: ["support"] },
  );
  await setLabel(t, "support/reply", "production", 1);
  // A prompt whose own name ends in "versions": reachable with %2F.
  await seedPrompt(t, "support/versions", text("about versions"));
  await setLabel(t, "support/versions", "production", 1);
});
afterAll(() => srv.close());

const get = (path: string, headers: Record<string, string> = bearer(read), method = "GET") => fetch(srv.base + path, { method, headers });
const send = (method: string, path: string, body: unknown, key: TestKey = write, headers: Record<string, string> = {}) =>
  fetch(srv.base + path, {
    method,
    headers: { ...bearer(key), "content-type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });

async function expectError(res: Response, status: number, code: string, message?: RegExp, field?: string) {
  expect(res.status).toBe(status);
  const body = errorResponse.parse(await res.json());
  expect(body.error.code).toBe(code);
  if (message) expect(body.error.message).toMatch(message);
  if (field) expect(body.error.field).toBe(field);
  return body;
}

describe("GET /api/public/v1/prompts/{name}", () => {
  it("serves the production version by default with a strong ETag and revalidation headers", async () => {
    const res = await get(`${V1}/greeting`);
    expect(res.status).toBe(200);
    const body = promptResponse.parse(await res.json());
    expect(body).toMatchObject({
      name: "greeting",
      version: 1,
      type: "text",
      prompt: "Hello {{name}}!",
      messages: null,
      variables: ["name"],
      config: { model: "gpt-4o-mini", temperature: 0.2 },
      labels: ["production"],
      tags: ["onboarding"],
      commitMessage: "first",
      contentHash: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    expect(res.headers.get("etag")).toMatch(new RegExp(`^"${body.contentHash.slice(0, 16)}-[\\w-]+"$`));
    expect(res.headers.get("cache-control")).toBe("private, max-age=0, must-revalidate");
    expect(res.headers.get("content-type")).toBe("application/json; charset=utf-8");
  });

  it("serves by label, `latest` and version number", async () => {
    expect(promptResponse.parse(await (await get(`${V1}/greeting?label=latest`)).json())).toMatchObject({
      version: 2,
      labels: ["latest"],
      variables: ["name", "product"],
    });
    expect(promptResponse.parse(await (await get(`${V1}/greeting?version=2`)).json())).toMatchObject({
      version: 2,
      prompt: "Hi {{name}}, welcome to {{product}}.",
    });
    expect(promptResponse.parse(await (await get(`${V1}/greeting?label=production`)).json())).toMatchObject({ version: 1 });
  });

  it("serves chat prompts as messages, for names with folders sent %2F-encoded or with raw slashes", async () => {
    const encoded = await get(`${V1}/support%2Freply`);
    const raw = await get(`${V1}/support/reply`);
    expect(encoded.status).toBe(200);
    expect(raw.status).toBe(200);
    const body = promptResponse.parse(await encoded.json());
    expect(await raw.json()).toEqual(body);
    expect(body).toMatchObject({
      name: "support/reply",
      type: "chat",
      prompt: null,
      messages: [
        { role: "system", content: "You help {{customer}}." },
        { role: "user", content: "{{question}}" },
      ],
      variables: ["customer", "question"],
    });
    // Trailing slash tolerated.
    expect((await get(`${V1}/support/reply/`)).status).toBe(200);
  });

  it("answers If-None-Match with 304 (strong, weak and listed tags), and HEAD without a body", async () => {
    const first = await get(`${V1}/greeting`);
    const etag = first.headers.get("etag")!;
    for (const ifNoneMatch of [etag, `W/${etag}`, `"nope", ${etag}`, "*"]) {
      const res = await get(`${V1}/greeting`, { ...bearer(read), "if-none-match": ifNoneMatch });
      expect(res.status).toBe(304);
      expect(res.headers.get("etag")).toBe(etag);
      expect(res.headers.get("cache-control")).toBe("private, max-age=0, must-revalidate");
      expect(await res.text()).toBe("");
    }
    expect((await get(`${V1}/greeting`, { ...bearer(read), "if-none-match": '"other"' })).status).toBe(200);
    const head = await get(`${V1}/greeting`, bearer(read), "HEAD");
    expect(head.status).toBe(200);
    expect(head.headers.get("etag")).toBe(etag);
    expect(await head.text()).toBe("");
  });

  it("changes the ETag when a label moves (labels are in the body), visible to the very next request", async () => {
    const before = await get(`${V1}/greeting?version=2`);
    const etag = before.headers.get("etag")!;
    expect(promptResponse.parse(await before.json()).labels).toEqual(["latest"]);
    expect((await get(`${V1}/greeting?version=2`, { ...bearer(read), "if-none-match": etag })).status).toBe(304);
    const hitsBefore = srv.api.stats().promptCache.hits;

    await setLabel(t, "greeting", "staging", 2);

    const after = await get(`${V1}/greeting?version=2`, { ...bearer(read), "if-none-match": etag });
    expect(after.status).toBe(200);
    expect(after.headers.get("etag")).not.toBe(etag);
    expect(after.headers.get("etag")!.split("-")[0]).toBe(etag.split("-")[0]); // same content
    expect(promptResponse.parse(await after.json()).labels).toEqual(["latest", "staging"]);
    expect(srv.api.stats().promptCache.hits).toBeGreaterThan(hitsBefore - 1);
  });

  it("refuses label and version together, and bad label, version and name values, with 400 naming the field", async () => {
    await expectError(await get(`${V1}/greeting?label=production&version=1`), 400, "BAD_REQUEST", /either label or version/, "version");
    await expectError(await get(`${V1}/greeting?version=abc`), 400, "BAD_REQUEST", /^version: /, "version");
    await expectError(await get(`${V1}/greeting?version=0`), 400, "BAD_REQUEST", /^version: /, "version");
    await expectError(await get(`${V1}/greeting?version=99999999999`), 400, "BAD_REQUEST", /^version: /, "version");
    await expectError(await get(`${V1}/greeting?label=Not%20A%20Label`), 400, "BAD_REQUEST", /^label: /, "label");
    await expectError(await get(`${V1}/has%20space`), 400, "BAD_REQUEST", /^name: /, "name");
    await expectError(await get(`${V1}/bad%ZZencoding`), 400, "BAD_REQUEST", /percent-encoding/);
  });

  it("answers 404 for an unknown prompt, label or version, saying which", async () => {
    await expectError(await get(`${V1}/nope`), 404, "NOT_FOUND", /No prompt named "nope"/, "name");
    await expectError(await get(`${V1}/greeting?label=development`), 404, "NOT_FOUND", /labelled "development"/, "label");
    await expectError(await get(`${V1}/greeting?version=7`), 404, "NOT_FOUND", /no version 7/, "version");
  });

  it("answers 401 for bad and revoked keys and 403 for a key without the scope", async () => {
    await expectError(await get(`${V1}/greeting`, { authorization: "Bearer sk-keel-wrong" }), 401, "UNAUTHORIZED");
    await expectError(await get(`${V1}/greeting`, {}), 401, "UNAUTHORIZED", /Send an API key/);
    const revoked = await createKey(t, ["prompts:read"], "revoked");
    await revokeKey(t, revoked.id);
    await expectError(await get(`${V1}/greeting`, bearer(revoked)), 401, "UNAUTHORIZED", /revoked/);
    await expectError(await get(`${V1}/greeting`, bearer(ingest)), 403, "FORBIDDEN", /lacks the prompts:read scope/);
    // prompts:write grants prompt:read too (SCOPE_PERMISSIONS).
    expect((await get(`${V1}/greeting`, bearer(write))).status).toBe(200);
  });

  it("never serves another project's prompt", async () => {
    const other = await createTestOrg();
    const otherKey = await createKey(other, ["prompts:read"]);
    await expectError(await get(`${V1}/greeting`, bearer(otherKey)), 404, "NOT_FOUND");
  });
});

describe("path rules for names with folders", () => {
  it("treats the last raw `/versions` as the suffix; a name ending in `versions` is reachable %2F-encoded", async () => {
    const own = promptResponse.parse(await (await get(`${V1}/support%2Fversions`)).json());
    expect(own).toMatchObject({ name: "support/versions", prompt: "about versions" });
    // Raw: /support/versions is the versions list of "support", which does not exist.
    await expectError(await get(`${V1}/support/versions`), 404, "NOT_FOUND", /No prompt named "support"/);
    // The versions of "support/versions", both ways.
    for (const path of [`${V1}/support%2Fversions/versions`, `${V1}/support/versions/versions`]) {
      const list = versionListResponse.parse(await (await get(path)).json());
      expect(list.name).toBe("support/versions");
    }
  });

  it("answers a method a path does not allow with 400 and an Allow header", async () => {
    const res = await send("PUT", `${V1}/greeting`, {});
    await expectError(res, 400, "BAD_REQUEST", /not allowed/);
    expect(res.headers.get("allow")).toBe("GET, HEAD");
  });
});

describe("GET /api/public/v1/prompts", () => {
  it("lists prompts by name with cursor pagination, search and tag filters", async () => {
    const first = promptListResponse.parse(await (await get(`${V1}?limit=2`)).json());
    expect(first.data.map((p) => p.name)).toEqual(["greeting", "support/reply"]);
    expect(first.nextCursor).toBe("support/reply");
    const second = promptListResponse.parse(await (await get(`${V1}?limit=2&cursor=${encodeURIComponent(first.nextCursor!)}`)).json());
    expect(second.data.map((p) => p.name)).toContain("support/versions");
    expect(promptListResponse.parse(await (await get(`${V1}?search=REPLY`)).json()).data.map((p) => p.name)).toEqual(["support/reply"]);
    const tagged = promptListResponse.parse(await (await get(`${V1}?tag=onboarding`)).json());
    expect(tagged.data).toEqual([expect.objectContaining({ name: "greeting", type: "text", description: "Says hello", latestVersion: 2 })]);
    expect(tagged.data[0]!.labels).toContainEqual({ name: "production", version: 1 });
    await expectError(await get(`${V1}?limit=500`), 400, "BAD_REQUEST", /^limit: /, "limit");
  });
});

describe("GET /api/public/v1/prompts/{name}/versions", () => {
  it("lists versions newest first with labels and authors, without content", async () => {
    const list = versionListResponse.parse(await (await get(`${V1}/greeting/versions`)).json());
    expect(list.name).toBe("greeting");
    expect(list.data.map((v) => v.version)).toEqual([2, 1]);
    expect(list.data[1]).toMatchObject({ labels: ["production"], author: { type: "system", label: "test" }, commitMessage: "first" });
    expect(list.data[0]!.labels).toContain("latest");
    await expectError(await get(`${V1}/nope/versions`), 404, "NOT_FOUND");
  });
});

describe("POST /api/public/v1/prompts/{name}/versions", () => {
  it("creates the prompt when new, audited with the API key as actor, and serves it at once", async () => {
    const res = await send("POST", `${V1}/agents%2Fplanner/versions`, {
      type: "chat",
      messages: [{ role: "system", content: "Plan for {{goal}}." }],
      config: { model: "gpt-4o", maxTokens: 500 },
      commitMessage: "From CI",
      description: "Plans things",
      tags: ["agents"],
    });
    expect(res.status).toBe(201);
    expect(res.headers.get("location")).toBe(`${V1}/agents%2Fplanner?version=1`);
    const created = promptResponse.parse(await res.json());
    expect(created).toMatchObject({
      name: "agents/planner",
      version: 1,
      type: "chat",
      labels: ["latest"],
      tags: ["agents"],
      variables: ["goal"],
      commitMessage: "From CI",
    });

    const events = await getDb().auditEvent.findMany({ where: { orgId: t.org.id, actorId: write.id }, orderBy: { seq: "asc" } });
    expect(events.map((e) => e.action)).toEqual(["prompt.created", "prompt.version.created"]);
    for (const e of events)
      expect(e).toMatchObject({
        actorType: "api_key",
        actorLabel: write.publicKey,
        actorRole: null,
        outcome: "success",
        requestId: expect.any(String),
        ip: "127.0.0.1",
      });
    const version = await getDb().promptVersion.findFirstOrThrow({ where: { prompt: { projectId: t.project.id, name: "agents/planner" } } });
    expect(version).toMatchObject({ authorType: "api_key", authorId: write.id, authorLabel: write.publicKey });

    expect(promptResponse.parse(await (await get(`${V1}/agents/planner?label=latest`)).json()).version).toBe(1);
  });

  it("saves the next version of an existing prompt, and the cached `latest` changes for the next request", async () => {
    await send("POST", `${V1}/notes/versions`, { type: "text", prompt: "v1 {{x}}", commitMessage: "one" });
    expect(promptResponse.parse(await (await get(`${V1}/notes?label=latest`)).json()).version).toBe(1);
    const res = await send("POST", `${V1}/notes/versions`, { type: "text", prompt: "v2 {{x}}", commitMessage: "two", basedOnVersion: 1 });
    expect(res.status).toBe(201);
    expect(promptResponse.parse(await res.json())).toMatchObject({ version: 2, prompt: "v2 {{x}}", messages: null });
    expect(promptResponse.parse(await (await get(`${V1}/notes?label=latest`)).json()).version).toBe(2);
  });

  it("refuses conflicts (identical content, stale basedOnVersion) with 409 and a type change with 400", async () => {
    await expectError(
      await send("POST", `${V1}/notes/versions`, { type: "text", prompt: "v2 {{x}}", commitMessage: "same" }),
      409,
      "CONFLICT",
      /identical to version 2/,
    );
    await expectError(
      await send("POST", `${V1}/notes/versions`, { type: "text", prompt: "v3", commitMessage: "late", basedOnVersion: 1 }),
      409,
      "CONFLICT",
      /after you started from version 1/,
      "basedOnVersion",
    );
    await expectError(
      await send("POST", `${V1}/notes/versions`, { type: "chat", messages: [{ role: "user", content: "x" }], commitMessage: "chat" }),
      400,
      "BAD_REQUEST",
      /is a text prompt/,
      "type",
    );
  });

  it("refuses bad bodies with 400 naming the field, malformed JSON with 400, and other media types with 415", async () => {
    await expectError(
      await send("POST", `${V1}/x/versions`, { type: "text", prompt: "hi" }),
      400,
      "BAD_REQUEST",
      /^commitMessage: is required/,
      "commitMessage",
    );
    await expectError(
      await send("POST", `${V1}/x/versions`, { type: "text", prompt: "hi", commitMessage: " " }),
      400,
      "BAD_REQUEST",
      /^commitMessage: is required: say what changed/,
      "commitMessage",
    );
    await expectError(
      await send("POST", `${V1}/x/versions`, { type: "chat", messages: [{ role: "robot", content: "x" }], commitMessage: "c" }),
      400,
      "BAD_REQUEST",
      /^messages\.0\.role: must be system, user or assistant/,
      "messages.0.role",
    );
    await expectError(
      await send("POST", `${V1}/x/versions`, { type: "poem", commitMessage: "c" }),
      400,
      "BAD_REQUEST",
      /^type: must be "text" or "chat"/,
      "type",
    );
    await expectError(
      await send("POST", `${V1}/x/versions`, { type: "text", prompt: "hi", commitMessage: "c", promt: "typo" }),
      400,
      "BAD_REQUEST",
      /^promt: is not a known field/,
      "promt",
    );
    await expectError(
      await send("POST", `${V1}/x/versions`, { type: "text", prompt: "hi", commitMessage: "c", config: { temperature: 9 } }),
      400,
      "BAD_REQUEST",
      /^config\.temperature: /,
      "config.temperature",
    );
    await expectError(await send("POST", `${V1}/x/versions`, '{"type": "text", "prompt": '), 400, "BAD_REQUEST", /not valid JSON/);
    await expectError(await send("POST", `${V1}/x/versions`, ""), 400, "BAD_REQUEST", /Send a JSON body/);
    await expectError(
      await send("POST", `${V1}/x/versions`, "type=text", write, { "content-type": "application/x-www-form-urlencoded" }),
      415,
      "UNSUPPORTED_MEDIA_TYPE",
    );
    expect(await getDb().prompt.count({ where: { projectId: t.project.id, name: "x" } })).toBe(0);
  });

  it("refuses bodies over 1 MiB with 413 before reading them, and templates over 1 MB", async () => {
    const huge = JSON.stringify({ type: "text", prompt: "x".repeat(1_100_000), commitMessage: "big" });
    await expectError(await send("POST", `${V1}/big/versions`, huge), 413, "PAYLOAD_TOO_LARGE", /1 MiB/);
    // Streamed without Content-Length: cut off while reading.
    const chunks = [Buffer.from(huge.slice(0, 600_000)), Buffer.from(huge.slice(600_000))];
    const streamed = await fetch(srv.base + `${V1}/big/versions`, {
      method: "POST",
      headers: { ...bearer(write), "content-type": "application/json" },
      body: new ReadableStream({ pull: (c) => (chunks.length ? c.enqueue(chunks.shift()!) : c.close()) }),
      duplex: "half",
    } as RequestInit);
    await expectError(streamed, 413, "PAYLOAD_TOO_LARGE");
    const template = JSON.stringify({ type: "text", prompt: "é".repeat(510_000), commitMessage: "big" }); // 1.02 MB of UTF-8 in a < 1 MiB body
    expect(Buffer.byteLength(template)).toBeLessThan(1_048_576);
    await expectError(await send("POST", `${V1}/big/versions`, template), 413, "PAYLOAD_TOO_LARGE", /^prompt: is larger than 1 MB/, "prompt");
    expect(await getDb().prompt.count({ where: { projectId: t.project.id, name: "big" } })).toBe(0);
  });

  it("needs prompts:write and records the refusal", async () => {
    await expectError(await send("POST", `${V1}/x/versions`, { type: "text", prompt: "hi", commitMessage: "c" }, read), 403, "FORBIDDEN", /prompts:write/);
    const denied = await getDb().auditEvent.findFirst({ where: { orgId: t.org.id, actorId: read.id, outcome: "denied" }, orderBy: { seq: "desc" } });
    expect(denied).toMatchObject({
      action: "access.denied",
      actorType: "api_key",
      targetType: "procedure",
      targetId: "POST /api/public/v1/prompts/{name}/versions",
    });
  });
});

describe("PUT /api/public/v1/prompts/{name}/labels/{label}", () => {
  it("moves an unprotected label, audited with the key as actor, and the next fetch by label sees it", async () => {
    await expectError(await get(`${V1}/support/reply?label=staging`), 404, "NOT_FOUND", /labelled "staging"/);
    await setLabel(t, "support/reply", "staging", 1);
    const v2 = await addVersion(t, "support/reply", chat([{ role: "system", content: "You help {{customer}} kindly." }]));
    expect(promptResponse.parse(await (await get(`${V1}/support/reply?label=staging`)).json()).version).toBe(1);

    const res = await send("PUT", `${V1}/support/reply/labels/staging`, { version: v2 });
    expect(res.status).toBe(200);
    expect(moveLabelResponse.parse(await res.json())).toEqual({ name: "support/reply", label: "staging", version: v2, previousVersion: 1, changed: true });
    expect(promptResponse.parse(await (await get(`${V1}/support/reply?label=staging`)).json()).version).toBe(v2);

    const event = await getDb().auditEvent.findFirst({ where: { orgId: t.org.id, action: "prompt.label.moved", actorId: write.id }, orderBy: { seq: "desc" } });
    expect(event).toMatchObject({
      actorType: "api_key",
      actorLabel: write.publicKey,
      before: { label: "staging", version: 1 },
      after: { label: "staging", version: v2 },
    });
    const history = await getDb().promptLabelEvent.findFirst({
      where: { label: "staging", prompt: { name: "support/reply", projectId: t.project.id } },
      orderBy: { at: "desc" },
    });
    expect(history).toMatchObject({ actorType: "api_key", actorLabel: write.publicKey, fromVersion: 1, toVersion: v2 });

    const again = moveLabelResponse.parse(await (await send("PUT", `${V1}/support%2Freply/labels/staging`, { version: v2 })).json());
    expect(again.changed).toBe(false);
  });

  it("refuses a protected label with 403 and the reason, recorded as a denied audit event", async () => {
    await protect(t, "production");
    const res = await send("PUT", `${V1}/greeting/labels/production`, { version: 2 });
    await expectError(res, 403, "FORBIDDEN", /protected environment/, "label");
    const denied = await getDb().auditEvent.findFirst({
      where: { orgId: t.org.id, outcome: "denied", action: "access.denied", targetId: "PUT /api/public/v1/prompts/{name}/labels/{label}" },
      orderBy: { seq: "desc" },
    });
    expect(denied).toMatchObject({
      actorType: "api_key",
      actorId: write.id,
      targetType: "procedure",
      after: { reason: expect.stringMatching(/protected/), name: "greeting", label: "production" },
    });
    expect(promptResponse.parse(await (await get(`${V1}/greeting`)).json()).version).toBe(1);
  });

  it("answers unknown prompts, labels and versions with 404, `latest` and bad bodies with 400, and read keys with 403", async () => {
    await expectError(await send("PUT", `${V1}/nope/labels/staging`, { version: 1 }), 404, "NOT_FOUND", /No prompt named "nope"/);
    await expectError(await send("PUT", `${V1}/greeting/labels/nowhere`, { version: 1 }), 404, "NOT_FOUND", /no environment "nowhere"/, "label");
    await expectError(await send("PUT", `${V1}/greeting/labels/staging`, { version: 99 }), 404, "NOT_FOUND", /no version 99/, "version");
    await expectError(await send("PUT", `${V1}/greeting/labels/latest`, { version: 1 }), 400, "BAD_REQUEST", /latest/, "label");
    await expectError(await send("PUT", `${V1}/greeting/labels/staging`, { version: "2" }), 400, "BAD_REQUEST", /^version: /, "version");
    await expectError(await send("PUT", `${V1}/greeting/labels/staging`, {}), 400, "BAD_REQUEST", /^version: is required/, "version");
    await expectError(await send("PUT", `${V1}/greeting/labels/Staging`, { version: 1 }), 400, "BAD_REQUEST", /^label: /, "label");
    await expectError(await send("PUT", `${V1}/greeting/labels/staging`, { version: 1 }, read), 403, "FORBIDDEN", /prompts:write/);
  });
});
