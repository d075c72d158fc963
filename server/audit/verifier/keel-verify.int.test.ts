// The auditor's path without Keel: the verifier downloaded from the audit page, copied alone into
// an empty directory, run with plain `node` on a real export (verifies) and on the same export cut
// short (fails, saying so); and the documented sha256sum/openssl/jq steps, run as written in
// docs/audit-verification.md, accept the real manifest and refuse an altered one.
import { execFile, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { beforeAll, describe, expect, it } from "vitest";
import { callerFor, createTestOrg, sessionCookieFor, type TestOrg } from "@/test/support/factories";
import { httpHandlers } from "../../api/http-handlers";

const run = promisify(execFile);
let t: TestOrg;
let dir: string;
const EXPORT = "audit.jsonl";
const MANIFEST = "audit.jsonl.manifest.json";
const KEY = "keel-audit.pem";

/** The bare environment of an auditor's machine: no Keel, no NODE_OPTIONS, no loaders. */
const bareEnv = { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: os.tmpdir(), LANG: "C.UTF-8" } as unknown as NodeJS.ProcessEnv;

async function node(args: string[]) {
  try {
    const { stdout } = await run(process.execPath, args, { cwd: dir, env: bareEnv });
    return { code: 0, stdout };
  } catch (error) {
    const e = error as { code: number; stdout: string };
    return { code: e.code, stdout: e.stdout };
  }
}

beforeAll(async () => {
  t = await createTestOrg();
  const scope = { orgSlug: t.org.slug, projectSlug: t.project.slug };
  await callerFor(t.users.editor).prompts.create({
    ...scope,
    name: "faq",
    content: { type: "text", template: 'Q: {{q}}, "quoted"\nnext line' },
    commitMessage: "first",
  });
  const cookie = await sessionCookieFor(t.users.auditor);
  const get = async (id: "audit.export" | "audit.manifest" | "audit.verifier", url: string, params: Record<string, string>) => {
    const response = await httpHandlers[id](new Request(`http://keel.test${url}`, { headers: { cookie } }), {
      params: Promise.resolve({ org: t.org.slug, ...params }),
    });
    expect(response.status).toBe(200);
    return response;
  };
  const exported = await get("audit.export", `/api/audit/${t.org.slug}/export?format=jsonl`, {});
  const file = Buffer.from(await exported.arrayBuffer());
  const exportId = exported.headers.get("keel-export-id")!;
  const manifest = await (await get("audit.manifest", `/api/audit/${t.org.slug}/exports/${exportId}/manifest`, { id: exportId })).text();
  const verifier = await get("audit.verifier", `/api/audit/${t.org.slug}/verifier`, {});
  expect(verifier.headers.get("content-disposition")).toBe('attachment; filename="keel-verify.mjs"');
  const verifierBytes = Buffer.from(await verifier.arrayBuffer());
  expect(createHash("sha256").update(verifierBytes).digest("hex")).toBe(verifier.headers.get("keel-verifier-sha256"));
  const status = await callerFor(t.users.auditor).audit.status({ orgSlug: t.org.slug });

  dir = mkdtempSync(path.join(os.tmpdir(), "keel-auditor-"));
  expect(readdirSync(dir)).toEqual([]);
  writeFileSync(path.join(dir, "keel-verify.mjs"), verifierBytes);
  writeFileSync(path.join(dir, EXPORT), file);
  writeFileSync(path.join(dir, MANIFEST), manifest);
  writeFileSync(path.join(dir, KEY), status.signingKey!.publicKey);
  // The same export, cut short in the middle of its last line.
  writeFileSync(path.join(dir, "cut.jsonl"), file.subarray(0, file.length - 25));
});

describe("keel-verify.mjs, alone in an empty directory", () => {
  it("verifies a real export", async () => {
    const { code, stdout } = await node(["keel-verify.mjs", EXPORT, MANIFEST, "--public-key", KEY]);
    expect(stdout).toContain("ok: manifest signature valid (Ed25519");
    expect(stdout).toContain("ok: hash chain intact from the genesis hash");
    expect(stdout).toMatch(/^VERIFIED: \d+ events$/m);
    expect(code).toBe(0);
  });

  it("detects a truncated export and says where", async () => {
    const { code, stdout } = await node(["keel-verify.mjs", "cut.jsonl", MANIFEST, "--public-key", KEY]);
    expect(stdout).toMatch(
      /^FAILED: the file's SHA-256 is [0-9a-f]{64}, the manifest says [0-9a-f]{64}: the file was changed; the file stops in the middle of line \d+ \(row \d+\): it is cut short$/m,
    );
    expect(code).toBe(3);
  });

  it("explains its usage when called wrongly", async () => {
    const { code } = await node(["keel-verify.mjs", EXPORT]);
    expect(code).toBe(2);
  });
});

const hasTools = ["openssl version", "jq --version", "sha256sum --version"].every((c) => spawnSync("sh", ["-c", c]).status === 0);

describe.skipIf(!hasTools)("the documented sha256sum / openssl / jq steps", () => {
  const steps = () => {
    const doc = readFileSync(new URL("../../../docs/audit-verification.md", import.meta.url), "utf8");
    const block = /<!-- keel-openssl-steps[^>]*-->\n```sh\n([\s\S]*?)```/.exec(doc)?.[1];
    expect(block).toBeTruthy();
    return block!;
  };
  const shell = (manifest: string) =>
    spawnSync("sh", ["-ec", steps()], {
      cwd: dir,
      env: { ...bareEnv, FILE: EXPORT, MANIFEST: manifest, KEY } as unknown as NodeJS.ProcessEnv,
      encoding: "utf8",
    });

  it("accept the real manifest, key and file", () => {
    const r = shell(MANIFEST);
    expect(r.stdout + r.stderr).toContain("Signature Verified Successfully");
    expect(r.stdout).toContain("Key id matches");
    expect(r.stdout).toContain(`${EXPORT}: OK`);
    expect(r.status).toBe(0);
  });

  it("refuse a manifest whose signed fields were altered", () => {
    const altered = JSON.parse(readFileSync(path.join(dir, MANIFEST), "utf8")) as { rowCount: number };
    altered.rowCount += 1;
    writeFileSync(path.join(dir, "altered.manifest.json"), JSON.stringify(altered, null, 2));
    const r = shell("altered.manifest.json");
    expect(r.stdout + r.stderr).toMatch(/Signature Verification Failure/);
    expect(r.status).not.toBe(0);
  });

  it("the verifier's published hash checks with sha256sum", () => {
    const doc = readFileSync(new URL("../../../docs/audit-verification.md", import.meta.url), "utf8");
    const sha = /<!-- keel-verify-sha256 -->\n`([0-9a-f]{64})`/.exec(doc)![1];
    const r = spawnSync("sh", ["-c", `echo "${sha}  keel-verify.mjs" | sha256sum -c -`], { cwd: dir, encoding: "utf8" });
    expect(r.stdout).toContain("keel-verify.mjs: OK");
  });
});
