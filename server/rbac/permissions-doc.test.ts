import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { appRouter } from "../api/root";
import { publicRoutes } from "../public-api/routes";
import { listProcedures, renderPermissionsDoc } from "./permissions-doc";

describe("docs/permissions.md", () => {
  it("is generated from the current registry and procedures (run `npm run docs:permissions`)", () => {
    const onDisk = readFileSync(new URL("../../docs/permissions.md", import.meta.url), "utf8");
    expect(onDisk).toBe(renderPermissionsDoc(listProcedures(appRouter), publicRoutes));
  });
  it("lists every procedure with an access declaration", () => {
    const procedures = listProcedures(appRouter);
    expect(procedures.length).toBeGreaterThan(10);
    for (const p of procedures) expect(["public", "authenticated", "org", "project"]).toContain(p.access.kind);
  });
});
