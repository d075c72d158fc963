// Prompt versions and labels: gap-free numbering under concurrency, immutability, conflicts,
// label history and protected environments.
import { beforeAll, describe, expect, it } from "vitest";
import pg from "pg";
import { getDb } from "../../db/client";
import { callerFor, createTestOrg, type TestOrg } from "@/test/support/factories";

let t: TestOrg;
const scope = () => ({ orgSlug: t.org.slug, projectSlug: t.project.slug });
const editor = () => callerFor(t.users.editor);
beforeAll(async () => {
  t = await createTestOrg();
});

describe("prompt versions", () => {
  it("50 concurrent saves get exactly versions 1..50", async () => {
    await editor().prompts.create({ ...scope(), name: "race", content: { type: "text", template: "v0" }, commitMessage: "start" });
    const saves = Array.from({ length: 50 }, (_, i) =>
      editor().prompts.createVersion({
        ...scope(),
        name: "race",
        content: { type: "text", template: `v${i + 1} {{x}}` },
        commitMessage: `save ${i}`,
        basedOnVersion: null,
      }),
    );
    const results = await Promise.all(saves);
    expect(results.map((r) => r.version).sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i + 2));
    const versions = await getDb().promptVersion.findMany({ where: { prompt: { name: "race", projectId: t.project.id } }, select: { version: true } });
    expect(versions.map((v) => v.version).sort((a, b) => a - b)).toEqual(Array.from({ length: 51 }, (_, i) => i + 1));
  }, 60_000);

  it("records variables, author and a content hash; refuses a save identical to the latest", async () => {
    const created = await editor().prompts.create({
      ...scope(),
      name: "support/triage",
      description: "Routes tickets",
      tags: ["support"],
      content: {
        type: "chat",
        messages: [
          { role: "system", content: "You triage for {{company}}." },
          { role: "user", content: "{{ticket}}" },
        ],
        config: { model: "gpt-4o-mini", temperature: 0.2 },
      },
      commitMessage: "Initial",
    });
    expect(created.version).toBe(1);
    const v1 = await editor().prompts.version({ ...scope(), name: "support/triage", version: 1 });
    expect(v1).toMatchObject({ variables: ["company", "ticket"], authorLabel: t.users.editor.email, contentHash: expect.stringMatching(/^[0-9a-f]{64}$/) });
    await expect(
      editor().prompts.createVersion({
        ...scope(),
        name: "support/triage",
        content: {
          type: "chat",
          messages: [
            { role: "system", content: "You triage for {{company}}." },
            { role: "user", content: "{{ticket}}" },
          ],
          config: { temperature: 0.2, model: "gpt-4o-mini" },
        },
        commitMessage: "again",
        basedOnVersion: 1,
      }),
    ).rejects.toMatchObject({ code: "CONFLICT", message: expect.stringMatching(/identical to version 1/) });
  });

  it("warns instead of branching when someone saved in between", async () => {
    await editor().prompts.create({ ...scope(), name: "edit-race", content: { type: "text", template: "a" }, commitMessage: "1" });
    await callerFor(t.users.admin).prompts.createVersion({
      ...scope(),
      name: "edit-race",
      content: { type: "text", template: "b" },
      commitMessage: "2",
      basedOnVersion: 1,
    });
    await expect(
      editor().prompts.createVersion({ ...scope(), name: "edit-race", content: { type: "text", template: "c" }, commitMessage: "3", basedOnVersion: 1 }),
    ).rejects.toMatchObject({
      code: "CONFLICT",
      message: expect.stringMatching(/Version 2 was saved by admin-.*after you started from version 1/),
    });
  });

  it("refuses a type change, duplicate names and bad names with clear 4xx", async () => {
    await expect(
      editor().prompts.createVersion({
        ...scope(),
        name: "edit-race",
        content: { type: "chat", messages: [{ role: "user", content: "x" }] },
        commitMessage: "x",
        basedOnVersion: null,
      }),
    ).rejects.toMatchObject({ code: "BAD_REQUEST" });
    await expect(
      editor().prompts.create({ ...scope(), name: "edit-race", content: { type: "text", template: "x" }, commitMessage: "x" }),
    ).rejects.toMatchObject({ code: "CONFLICT" });
    await expect(
      editor().prompts.create({ ...scope(), name: "/leading-slash", content: { type: "text", template: "x" }, commitMessage: "x" }),
    ).rejects.toMatchObject({ code: "BAD_REQUEST" });
  });

  it("refuses a provider connection of another project at save, naming config.providerId", async () => {
    const other = await createTestOrg();
    const theirs = await getDb().providerConnection.findFirstOrThrow({ where: { projectId: other.project.id }, select: { id: true } });
    const ours = await getDb().providerConnection.findFirstOrThrow({ where: { projectId: t.project.id }, select: { id: true } });
    const save = (providerId: string) =>
      editor().prompts.create({
        ...scope(),
        name: `provider-${providerId.slice(0, 8)}`,
        content: { type: "text", template: "hi", config: { providerId } },
        commitMessage: "first",
      });
    await expect(save(theirs.id)).rejects.toMatchObject({
      code: "NOT_FOUND",
      message: expect.stringMatching(/provider connection/),
      cause: { field: "config.providerId" },
    });
    expect(await getDb().prompt.count({ where: { projectId: t.project.id, name: `provider-${theirs.id.slice(0, 8)}` } })).toBe(0);
    await expect(save(ours.id)).resolves.toMatchObject({ version: 1 });
  });

  it("versions cannot be changed in the database", async () => {
    const client = new pg.Client({ connectionString: process.env.DATABASE_URL });
    await client.connect();
    try {
      await expect(client.query("UPDATE prompt_versions SET template = 'x'")).rejects.toThrow(/immutable/);
      await expect(client.query("DELETE FROM prompt_versions")).rejects.toThrow(/immutable/);
    } finally {
      await client.end();
    }
  });
});

describe("labels", () => {
  it("move with history that answers which version was live at a time", async () => {
    await editor().prompts.create({ ...scope(), name: "greeting", content: { type: "text", template: "v1" }, commitMessage: "1" });
    await editor().prompts.createVersion({ ...scope(), name: "greeting", content: { type: "text", template: "v2" }, commitMessage: "2", basedOnVersion: 1 });
    await editor().prompts.createVersion({ ...scope(), name: "greeting", content: { type: "text", template: "v3" }, commitMessage: "3", basedOnVersion: 2 });
    const first = await editor().prompts.moveLabel({ ...scope(), name: "greeting", label: "staging", version: 1 });
    expect(first).toMatchObject({ fromVersion: null, version: 1, changed: true });
    const between = new Date();
    await new Promise((r) => setTimeout(r, 20));
    await editor().prompts.moveLabel({ ...scope(), name: "greeting", label: "staging", version: 3 });

    // Moving it again to the same version is an idempotent no-op: no history entry, no error.
    expect(await editor().prompts.moveLabel({ ...scope(), name: "greeting", label: "staging", version: 3 })).toMatchObject({ changed: false });
    const history = await editor().prompts.labelHistory({ ...scope(), name: "greeting", label: "staging" });
    expect(history.map((h) => [h.fromVersion, h.toVersion])).toEqual([
      [1, 3],
      [null, 1],
    ]);
    expect((await editor().prompts.versionAt({ ...scope(), name: "greeting", label: "staging", at: between })).version).toBe(1);
    expect((await editor().prompts.versionAt({ ...scope(), name: "greeting", label: "staging", at: new Date() })).version).toBe(3);
    expect((await editor().prompts.versionAt({ ...scope(), name: "greeting", label: "staging", at: new Date(0) })).version).toBeNull();

    const event = await getDb().auditEvent.findFirst({ where: { orgId: t.org.id, action: "prompt.label.moved" }, orderBy: { seq: "desc" } });
    expect(event).toMatchObject({ before: { label: "staging", version: 1, name: "greeting" }, after: { label: "staging", version: 3, name: "greeting" } });
  });

  it("refuses moving a protected label for everyone, records the refusal, and refuses `latest` and unknown versions", async () => {
    await callerFor(t.users.owner).environments.setProtected({ ...scope(), name: "production", protected: true });
    for (const user of [t.users.editor, t.users.owner]) {
      await expect(callerFor(user).prompts.moveLabel({ ...scope(), name: "greeting", label: "production", version: 2 })).rejects.toMatchObject({
        code: "FORBIDDEN",
        message: expect.stringMatching(/protected/),
      });
    }
    const denied = await getDb().auditEvent.findFirst({
      where: { orgId: t.org.id, action: "access.denied", targetId: "prompts.moveLabel" },
      orderBy: { seq: "desc" },
    });
    expect(denied).toMatchObject({ outcome: "denied", after: { reason: expect.stringMatching(/protected/) } });
    await expect(editor().prompts.moveLabel({ ...scope(), name: "greeting", label: "latest", version: 1 })).rejects.toMatchObject({ code: "BAD_REQUEST" });
    await expect(editor().prompts.moveLabel({ ...scope(), name: "greeting", label: "staging", version: 99 })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(editor().prompts.moveLabel({ ...scope(), name: "greeting", label: "nowhere", version: 1 })).rejects.toMatchObject({ code: "NOT_FOUND" });
  });

  it("a prompt in another project cannot be reached", async () => {
    const other = await createTestOrg();
    await expect(
      callerFor(other.users.owner).prompts.get({ orgSlug: other.org.slug, projectSlug: other.project.slug, name: "greeting" }),
    ).rejects.toMatchObject({ code: "NOT_FOUND" });
  });
});
