// The home page's own read: the project's most recently changed prompts, newest first, this
// project's only, and refused to roles without prompt:read.
import { beforeAll, describe, expect, it } from "vitest";
import { callerFor, createTestOrg, type TestOrg } from "@/test/support/factories";

let t: TestOrg;
let other: TestOrg;
beforeAll(async () => {
  t = await createTestOrg();
  other = await createTestOrg();
});

describe("home.recentPrompts", () => {
  it("lists the most recently changed prompts first, only this project's, up to the limit", async () => {
    const scope = { orgSlug: t.org.slug, projectSlug: t.project.slug };
    const editor = callerFor(t.users.editor);
    expect(await editor.home.recentPrompts(scope)).toEqual([]);
    for (const name of ["alpha", "beta", "gamma"])
      await editor.prompts.create({ ...scope, name, content: { type: "text", template: `${name} {{x}}` }, commitMessage: "first" });
    await callerFor(other.users.editor).prompts.create({
      orgSlug: other.org.slug,
      projectSlug: other.project.slug,
      name: "elsewhere",
      content: { type: "text", template: "x" },
      commitMessage: "first",
    });
    // A new version of the oldest makes it the most recent.
    await editor.prompts.createVersion({
      ...scope,
      name: "alpha",
      content: { type: "text", template: "alpha v2 {{x}}" },
      commitMessage: "second",
      basedOnVersion: 1,
    });
    const recent = await editor.home.recentPrompts({ ...scope, limit: 2 });
    expect(recent.map((p) => [p.name, p.latestVersion])).toEqual([
      ["alpha", 2],
      ["gamma", 1],
    ]);
    expect((await callerFor(t.users.viewer).home.recentPrompts(scope)).map((p) => p.name)).toEqual(["alpha", "gamma", "beta"]);
  });
});
