// A database that refuses connections (PostgreSQL restarting, a failover) is a 503 with
// Retry-After on every surface applications and browsers call, never a 500: OpenTelemetry
// exporters and HTTP clients retry a 503. This file's Keel points at a port nothing listens on.
import { randomBytes, randomUUID } from "node:crypto";
import { encode } from "next-auth/jwt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startPublicApi, type RunningApi } from "@/test/support/public-api";
import { sessionCookieName } from "../auth/cookies";
import { DATABASE_UNAVAILABLE_MESSAGE } from "./unavailable";

process.env.DATABASE_URL = "postgresql://postgres@127.0.0.1:1/keel_unreachable";
process.env.KEEL_SECRET ??= "test-secret-".padEnd(40, "x");

const secret = `sk-keel-${randomBytes(32).toString("base64url")}`;
const auth = { authorization: `Bearer ${secret}` };
let api: RunningApi;

beforeAll(async () => {
  api = await startPublicApi();
});
afterAll(async () => {
  await api?.close();
});

async function expectUnavailable(response: Response) {
  expect(response.status).toBe(503);
  expect(response.headers.get("retry-after")).toBe("2");
  expect(await response.text()).toContain(DATABASE_UNAVAILABLE_MESSAGE);
}

describe("with the database unreachable", () => {
  it("the public prompt API answers 503 with Retry-After", async () => {
    await expectUnavailable(await fetch(`${api.base}/api/public/v1/prompts/greeting?label=production`, { headers: auth }));
  });

  it("OTLP ingestion answers 503 with Retry-After, so exporters retry the batch", async () => {
    const body = JSON.stringify({ resourceSpans: [] });
    await expectUnavailable(
      await fetch(`${api.base}/api/public/otel/v1/traces`, { method: "POST", headers: { ...auth, "content-type": "application/json" }, body }),
    );
  });

  it("the gateway answers 503 with Retry-After in the OpenAI error shape", async () => {
    const response = await fetch(`${api.base}/api/gateway/v1/chat/completions`, {
      method: "POST",
      headers: { ...auth, "content-type": "application/json" },
      body: JSON.stringify({ model: "gpt-4o-mini", messages: [{ role: "user", content: "Hi" }] }),
    });
    expect(response.status).toBe(503);
    expect(response.headers.get("retry-after")).toBe("2");
    expect(await response.json()).toMatchObject({ error: { type: "service_unavailable", message: DATABASE_UNAVAILABLE_MESSAGE } });
  });
});

describe("with the database unreachable, for a signed-in browser", () => {
  // A well-formed session token (signed with this instance's secret): only its lookup needs the database.
  const cookie = async () => {
    const token = await encode({ token: { uid: randomUUID(), sv: 1, sid: randomUUID() }, secret: process.env.KEEL_SECRET! });
    return `${sessionCookieName()}=${token}`;
  };

  it("a tRPC call answers 503 with Retry-After, also when the session lookup is what failed", async () => {
    const { GET } = await import("@/app/api/trpc/[trpc]/route");
    const input = encodeURIComponent(JSON.stringify({ json: { orgSlug: "acme", projectSlug: "support-assistant" } }));
    const response = await GET(new Request(`http://localhost/api/trpc/projects.get?input=${input}`, { headers: { cookie: await cookie() } }));
    expect(response.status).toBe(503);
    expect(response.headers.get("retry-after")).toBe("2");
    const body = (await response.json()) as { error: { json: { message: string; data: { code: string } } } };
    expect(body.error.json).toMatchObject({ message: DATABASE_UNAVAILABLE_MESSAGE, data: { code: "SERVICE_UNAVAILABLE" } });
  });
});
