// Who sees which audit events through an export: a project API key its project's only, an
// organization-wide key (owners only) the whole organization's; and the session export link
// refuses cross-site requests before it records anything.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TRPCError } from "@trpc/server";
import { auditEventsOf, callerFor, createTestOrg, lastSeq, sessionCookieFor, type TestOrg } from "@/test/support/factories";
import { bearer, createKey, startPublicApi, type RunningApi, type TestKey } from "@/test/support/public-api";
import { httpHandlers } from "../api/http-handlers";
import { getDb } from "../db/client";

let srv: RunningApi;
let t: TestOrg;
let other: { id: string; slug: string };
let projectKey: TestKey;

type Row = { projectId: string | null; action: string };

async function exportWith(key: TestKey, query = "") {
  const response = await fetch(`${srv.base}/api/public/v1/audit/export?${query}`, { headers: bearer(key) });
  const text = await response.text();
  const rows =
    response.status === 200
      ? text
          .trimEnd()
          .split("\n")
          .filter(Boolean)
          .map((l) => JSON.parse(l) as Row)
      : [];
  return { status: response.status, rows, id: response.headers.get("keel-export-id"), text };
}

beforeAll(async () => {
  srv = await startPublicApi();
  t = await createTestOrg();
  const owner = callerFor(t.users.owner);
  await owner.orgs.createProject({ orgSlug: t.org.slug, name: "Other", slug: `other-${t.org.slug}`.slice(0, 40) });
  other = await getDb().project.findFirstOrThrow({ where: { orgId: t.org.id, slug: { startsWith: "other-" } }, select: { id: true, slug: true } });
  const editor = callerFor(t.users.editor);
  await editor.prompts.create({
    orgSlug: t.org.slug,
    projectSlug: t.project.slug,
    name: "mine",
    content: { type: "text", template: "hi" },
    commitMessage: "first",
  });
  await editor.prompts.create({
    orgSlug: t.org.slug,
    projectSlug: other.slug,
    name: "theirs",
    content: { type: "text", template: "hi" },
    commitMessage: "first",
  });
  projectKey = await createKey(t, ["audit:read"]);
});
afterAll(() => srv.close());

describe("audit:read API keys", () => {
  it("a project key exports only its project's events, and says so in the manifest", async () => {
    const all = await auditEventsOf(t.org.id);
    expect(all.some((e) => e.projectId === null)).toBe(true);
    expect(all.some((e) => e.projectId === other.id)).toBe(true);

    const exp = await exportWith(projectKey);
    expect(exp.status).toBe(200);
    expect(exp.rows.length).toBeGreaterThan(0);
    expect(new Set(exp.rows.map((r) => r.projectId))).toEqual(new Set([t.project.id]));
    const manifest = await fetch(`${srv.base}/api/public/v1/audit/exports/${exp.id}/manifest`, { headers: bearer(projectKey) });
    expect(manifest.status).toBe(200);
    const body = (await manifest.json()) as { filters: Record<string, string | null>; contiguous: boolean; rowCount: number };
    expect(body.filters.project).toBe(t.project.slug);
    expect(body.contiguous).toBe(false);
    expect(body.rowCount).toBe(exp.rows.length);
  });

  it("a project key cannot ask for another project's events", async () => {
    const exp = await exportWith(projectKey, `project=${other.slug}`);
    expect(exp.status).toBe(403);
    expect(exp.text).toMatch(/only its own project/);
  });

  it("only an owner creates an organization-wide key; it exports the whole organization", async () => {
    const scope = { orgSlug: t.org.slug, projectSlug: t.project.slug };
    const before = await lastSeq(t.org.id);
    const refused = callerFor(t.users.admin).apiKeys.create({ ...scope, name: "wide", scopes: ["audit:read"], orgWide: true });
    await expect(refused).rejects.toSatisfy((e: unknown) => e instanceof TRPCError && e.code === "FORBIDDEN");
    expect(await getDb().apiKey.count({ where: { orgId: t.org.id, orgWide: true } })).toBe(0);
    const denied = await auditEventsOf(t.org.id, before);
    expect(denied.map((e) => [e.action, e.outcome])).toEqual([["access.denied", "denied"]]);

    const created = await callerFor(t.users.owner).apiKeys.create({ ...scope, name: "wide", scopes: ["audit:read"], orgWide: true });
    expect(created.orgWide).toBe(true);
    const event = (await auditEventsOf(t.org.id, before)).find((e) => e.action === "apikey.created");
    expect((event?.after as { orgWide?: boolean } | null)?.orgWide).toBe(true);

    const wide = await exportWith(created);
    expect(wide.status).toBe(200);
    const projects = new Set(wide.rows.map((r) => r.projectId));
    expect(projects.has(null)).toBe(true);
    expect(projects.has(other.id)).toBe(true);
    // The project key cannot read the organization-wide export's manifest.
    const manifest = await fetch(`${srv.base}/api/public/v1/audit/exports/${wide.id}/manifest`, { headers: bearer(projectKey) });
    expect(manifest.status).toBe(404);
  });
});

describe("the session audit export link", () => {
  const url = () => `http://keel.test/api/audit/${t.org.slug}/export?format=jsonl`;
  const get = async (headers: Record<string, string>) =>
    httpHandlers["audit.export"](new Request(url(), { headers: { cookie: await sessionCookieFor(t.users.auditor), host: "keel.test", ...headers } }), {
      params: Promise.resolve({ org: t.org.slug }),
    });

  it("refuses a cross-site request before recording anything", async () => {
    const before = await lastSeq(t.org.id);
    const attempts: Record<string, string>[] = [
      { "sec-fetch-site": "cross-site" },
      { "sec-fetch-site": "same-site" },
      { referer: "https://evil.example/page" },
      { origin: "https://evil.example" },
    ];
    for (const headers of attempts) {
      const response = await get(headers);
      expect(response.status, JSON.stringify(headers)).toBe(403);
    }
    expect(await lastSeq(t.org.id)).toBe(before);
  });

  it("serves a link followed inside Keel, or typed into the address bar", async () => {
    const allowed: Record<string, string>[] = [
      { "sec-fetch-site": "same-origin", referer: `http://keel.test/o/${t.org.slug}/audit` },
      { "sec-fetch-site": "none" },
    ];
    for (const headers of allowed) {
      const before = await lastSeq(t.org.id);
      const response = await get(headers);
      expect(response.status).toBe(200);
      await response.arrayBuffer();
      expect((await auditEventsOf(t.org.id, before)).map((e) => e.action)).toContain("audit.exported");
    }
  });
});
