// The downloadable verifier stays one thing: the generated module the route serves is the file
// Keel runs, and the hash published in the docs is that file's.
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { generatedVerifierModule, verifierFile } from "./generate";
import { KEEL_VERIFY_SHA256, KEEL_VERIFY_SOURCE } from "./source.generated";

describe("keel-verify.mjs", () => {
  it("is what the route serves (run `npm run gen:verifier` after changing it)", () => {
    expect(readFileSync(new URL("./source.generated.ts", import.meta.url), "utf8")).toBe(generatedVerifierModule());
    expect(KEEL_VERIFY_SOURCE).toBe(verifierFile().toString("utf8"));
    expect(KEEL_VERIFY_SHA256).toBe(createHash("sha256").update(verifierFile()).digest("hex"));
  });

  it("has its SHA-256 published in docs/audit-verification.md", () => {
    const doc = readFileSync(new URL("../../../docs/audit-verification.md", import.meta.url), "utf8");
    expect(doc).toContain(`<!-- keel-verify-sha256 -->\n\`${KEEL_VERIFY_SHA256}\``);
  });

  it("imports nothing but Node's own modules", () => {
    const imports = [...KEEL_VERIFY_SOURCE.matchAll(/^import .* from "([^"]+)";$/gm)].map((m) => m[1]);
    expect(imports.length).toBeGreaterThan(0);
    expect(imports.every((m) => m!.startsWith("node:"))).toBe(true);
    expect(KEEL_VERIFY_SOURCE).not.toMatch(/\brequire\(|import\(/);
  });
});
