// Property-based: generated and malformed inputs thrown at every procedure (as an owner, so the
// permission check passes and the input reaches validation and the domain) never produce a
// server error. Over HTTP, malformed requests get a 4xx without stack traces or SQL.
import fc from "fast-check";
import { TRPCError } from "@trpc/server";
import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { beforeAll, describe, expect, it } from "vitest";
import { appRouter } from "./root";
import { createContext } from "./trpc";
import { listProcedures } from "../rbac/permissions-doc";
import { callerFor, callPath, createTestOrg, testRequest, type TestOrg } from "@/test/support/factories";

const procedures = listProcedures(appRouter);
let t: TestOrg;
beforeAll(async () => {
  t = await createTestOrg();
});

const nasty = fc.oneof(
  fc.string(),
  fc.string({ unit: "binary" }),
  fc.constantFrom("\u0000", "a\u0000b", "'; DROP TABLE users; --", "../../etc/passwd", "{{x}}", "x".repeat(10_000), "🦀".repeat(300), "-1", "NaN", ""),
  // Boundaries that slip past naive checks: beyond int4 / int8 / double precision.
  fc.constantFrom(2 ** 31, 2 ** 53 + 2, 2n ** 63n, -(2n ** 63n) - 1n, "9223372036854775808", 1e308, -0),
  fc.integer(),
  fc.double(),
  fc.bigInt(),
  fc.boolean(),
  fc.constant(null),
  fc.constant(undefined),
  fc.uuid(),
  fc.array(fc.string(), { maxLength: 5 }),
  fc.date({ noInvalidDate: false }),
);

const inputs = fc.oneof(
  fc.anything(),
  // The right scope, then garbage in every other field name the procedures use.
  fc.record(
    {
      orgSlug: fc.oneof(fc.constant("__ORG__"), nasty),
      projectSlug: fc.oneof(fc.constant("__PROJECT__"), nasty),
      userId: nasty, id: nasty, email: nasty, name: nasty, role: nasty, scopes: fc.oneof(nasty, fc.array(nasty)),
      password: nasty, currentPassword: nasty, newPassword: nasty, token: nasty, slug: nasty,
      cursor: nasty, limit: nasty, seq: nasty, actor: nasty, action: nasty, targetType: nasty, targetId: nasty, outcome: nasty,
    },
    { requiredKeys: [] },
  ),
);

function withScope(input: unknown): unknown {
  if (!input || typeof input !== "object" || Array.isArray(input)) return input;
  const out: Record<string, unknown> = { ...(input as Record<string, unknown>) };
  if (out.orgSlug === "__ORG__") out.orgSlug = t.org.slug;
  if (out.projectSlug === "__PROJECT__") out.projectSlug = t.project.slug;
  return out;
}

describe("no procedure answers generated input with a server error", () => {
  for (const p of procedures) {
    it(p.path, async () => {
      await fc.assert(
        fc.asyncProperty(inputs, async (raw) => {
          try {
            await callPath(callerFor(t.users.owner), p.path, withScope(raw));
          } catch (error) {
            if (!(error instanceof TRPCError)) throw error;
            if (error.code === "INTERNAL_SERVER_ERROR") throw new Error(`${p.path} answered 500 for ${JSON.stringify(raw)?.slice(0, 300)}: ${String(error.cause)}`);
          }
        }),
        { numRuns: 40 },
      );
    }, 60_000);
  }
});

describe("over HTTP", () => {
  const handle = (req: Request) =>
    fetchRequestHandler({ endpoint: "/api/trpc", req, router: appRouter, createContext: () => createContext(null, testRequest()), allowMethodOverride: false });

  it("answers malformed requests with a 4xx, no stack and no SQL", async () => {
    const requests = [
      new Request("http://keel.test/api/trpc/setup.createFirstOwner", { method: "POST", body: "{not json", headers: { "content-type": "application/json" } }),
      new Request("http://keel.test/api/trpc/setup.createFirstOwner", { method: "POST", body: JSON.stringify({ json: { email: 5 } }), headers: { "content-type": "application/json" } }),
      new Request("http://keel.test/api/trpc/setup.createFirstOwner", { method: "GET" }),
      new Request("http://keel.test/api/trpc/account.describePasswordLink?input=%7B%22json%22%3A%7B%22token%22%3A%22%00%22%7D%7D", { method: "GET" }),
      new Request("http://keel.test/api/trpc/no.such.procedure", { method: "GET" }),
      new Request("http://keel.test/api/trpc/members.list?input=garbage", { method: "GET" }),
    ];
    for (const req of requests) {
      const res = await handle(req);
      const body = await res.text();
      expect(res.status, `${req.method} ${req.url} → ${body}`).toBeGreaterThanOrEqual(400);
      expect(res.status, `${req.method} ${req.url} → ${body}`).toBeLessThan(500);
      expect(body).not.toMatch(/"stack"|\n\s+at |SELECT |INSERT |prisma/i);
    }
  });

  it("names the bad field in the message", async () => {
    const res = await handle(
      new Request("http://keel.test/api/trpc/setup.createFirstOwner", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ json: { name: "A", email: "not-an-email", password: "long-enough-password", organizationName: "O", organizationSlug: "o-o", projectName: "P", projectSlug: "p-p" } }),
      }),
    );
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: { json: { message: string; data: { field?: string } } } };
    expect(body.error.json.message).toMatch(/^email: /);
    expect(body.error.json.data.field).toBe("email");
  });
});
