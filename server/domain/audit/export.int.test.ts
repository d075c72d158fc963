// Audit exports end to end on real PostgreSQL: streamed over the public API and the session
// route, signed manifests, offline verification (signature, file hash, row hashes, the chain of a
// contiguous export), every kind of tampering caught with a precise message, filters, empty
// ranges, bad input, and the export itself audited. The CLI writes and verifies the same files.
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditEventsOf, callerFor, createTestOrg, lastSeq, sessionCookieFor, type TestOrg } from "@/test/support/factories";
import { bearer, createKey, startPublicApi, type RunningApi, type TestKey } from "@/test/support/public-api";
import { createHash, generateKeyPairSync, sign } from "node:crypto";
import { manifestPayload, publicKeyId, readPublicKey, verifyExport, type ExportManifest } from "../../audit/export-format";
import { httpHandlers } from "../../api/http-handlers";
import { getDb } from "../../db/client";

let srv: RunningApi;
let t: TestOrg;
let key: TestKey;
const scope = () => ({ orgSlug: t.org.slug, projectSlug: t.project.slug });

async function exportViaApi(query: string) {
  const response = await fetch(`${srv.base}/api/public/v1/audit/export?${query}`, { headers: bearer(key) });
  const file = Buffer.from(await response.arrayBuffer());
  const id = response.headers.get("keel-export-id");
  return {
    status: response.status,
    file,
    id,
    body: response.status === 200 ? null : (JSON.parse(file.toString()) as { error: { message: string; field?: string } }),
  };
}

async function manifestOf(id: string): Promise<ExportManifest> {
  const response = await fetch(`${srv.base}/api/public/v1/audit/exports/${id}/manifest`, { headers: bearer(key) });
  expect(response.status).toBe(200);
  return (await response.json()) as ExportManifest;
}

async function publicKey() {
  const status = await callerFor(t.users.auditor).audit.status({ orgSlug: t.org.slug });
  return readPublicKey(status.signingKey!.publicKey);
}

beforeAll(async () => {
  srv = await startPublicApi();
  t = await createTestOrg();
  // Organization-wide (an owner's): a project key would export only its project's events.
  key = await callerFor(t.users.owner).apiKeys.create({ ...scope(), name: "compliance", scopes: ["audit:read"], orgWide: true });
  const editor = callerFor(t.users.editor);
  await editor.prompts.create({
    ...scope(),
    name: "faq",
    content: { type: "text", template: 'Quote "this", a comma, and a\nnew line {{q}}' },
    commitMessage: 'first, with "quotes"',
  });
  await editor.prompts.createVersion({ ...scope(), name: "faq", content: { type: "text", template: "v2 {{q}}" }, commitMessage: "second", basedOnVersion: 1 });
  await editor.datasets.create({ ...scope(), name: "golden" });
});
afterAll(() => srv.close());

describe("audit exports", () => {
  it("stream the whole chain as JSON Lines with a signed manifest that verifies offline", async () => {
    const before = await lastSeq(t.org.id);
    const { status, file, id } = await exportViaApi("format=jsonl");
    expect(status).toBe(200);
    const lines = file.toString().trimEnd().split("\n");
    expect(lines.length).toBe(Number(before));
    expect(JSON.parse(lines[0]!)).toMatchObject({ seq: "1", prevHash: "0".repeat(64) });
    expect(lines[0]).toMatch(/^\{"seq":"1","createdAt":"/);
    const manifest = await manifestOf(id!);
    expect(manifest).toMatchObject({
      rowCount: Number(before),
      firstSeq: "1",
      lastSeq: String(before),
      contiguous: true,
      format: "jsonl",
      exporter: { type: "api_key", label: key.publicKey },
    });
    const result = verifyExport(file, manifest, await publicKey());
    expect(result).toMatchObject({ ok: true, rows: Number(before) });
    expect(result.checks).toContain("hash chain intact from the genesis hash");
    // Exporting is audited: when the rows leave and when the manifest is signed.
    const events = await auditEventsOf(t.org.id, before);
    expect(events.map((e) => e.action)).toEqual(["audit.signing_key.created", "audit.exported", "audit.export.signed"]);
  });

  it("stream CSV through the session route; quotes, commas, new lines and nulls survive the round trip", async () => {
    const cookie = await sessionCookieFor(t.users.auditor);
    const response = await httpHandlers["audit.export"](new Request(`http://keel.test/api/audit/${t.org.slug}/export?format=csv`, { headers: { cookie } }), {
      params: Promise.resolve({ org: t.org.slug }),
    });
    expect(response.status).toBe(200);
    const file = Buffer.from(await response.arrayBuffer());
    const id = response.headers.get("keel-export-id")!;
    const manifestResponse = await httpHandlers["audit.manifest"](
      new Request(`http://keel.test/api/audit/${t.org.slug}/exports/${id}/manifest`, { headers: { cookie } }),
      { params: Promise.resolve({ org: t.org.slug, id }) },
    );
    const manifest = (await manifestResponse.json()) as ExportManifest;
    expect(verifyExport(file, manifest, await publicKey())).toMatchObject({ ok: true });
    expect(file.toString()).toContain('first, with \\""quotes\\""');
  });

  it("catch every kind of tampering, each with a precise message", async () => {
    const { file, id } = await exportViaApi("format=jsonl");
    const manifest = await manifestOf(id!);
    const pk = await publicKey();
    const problem = (f: Buffer, m: ExportManifest = manifest) => {
      const r = verifyExport(f, m, pk);
      return r.ok ? "ok" : r.problem;
    };
    const flipped = Buffer.from(file);
    flipped[200] = flipped[200]! ^ 1;
    expect(problem(flipped)).toMatch(/the file's SHA-256 is [0-9a-f]{64}, the manifest says [0-9a-f]{64}: the file was changed/);
    const lines = file.toString().trimEnd().split("\n");
    const withoutRow = Buffer.from(`${[...lines.slice(0, 2), ...lines.slice(3)].join("\n")}\n`);
    expect(problem(withoutRow)).toMatch(new RegExp(`it has ${lines.length - 1} rows, the manifest says ${lines.length}`));
    const swapped = Buffer.from(`${[lines[1], lines[0], ...lines.slice(2)].join("\n")}\n`);
    expect(problem(swapped)).toMatch(/the file was changed/);
    const truncated = file.subarray(0, file.length - 40);
    expect(problem(truncated)).toMatch(/cut short/);
    expect(problem(file, { ...manifest, rowCount: manifest.rowCount - 1 })).toMatch(/manifest's signature does not match/);
    // A rewritten file with a manifest re-hashed to match still fails: the signature covers the hash.
    const edited = Buffer.from(file.toString().replace('"faq"', '"fax"'));
    expect(problem(edited, { ...manifest, fileSha256: createHash("sha256").update(edited).digest("hex") })).toMatch(/signature does not match/);
    // Even a forger holding a signing key (here one of our own) who re-signs a manifest for an
    // edited file is caught by the row hashes.
    const { publicKey: forgerPublic, privateKey: forgerPrivate } = generateKeyPairSync("ed25519");
    const forgerPem = forgerPublic.export({ type: "spki", format: "pem" }).toString();
    const forged = { ...manifest, fileSha256: createHash("sha256").update(edited).digest("hex"), publicKeyId: publicKeyId(forgerPem) };
    const resigned = { ...forged, signature: sign(null, Buffer.from(manifestPayload(forged)), forgerPrivate).toString("base64") };
    const forgedResult = verifyExport(edited, resigned, readPublicKey(forgerPem));
    expect(forgedResult.ok ? "ok" : forgedResult.problem).toMatch(/^row \d+ \(event \d+\) was altered: its content does not hash to its recorded hash$/);
    expect(problem(file)).toBe("ok");
  });

  it("filter by group, words, time and target; a range without events is an empty file with a valid manifest", async () => {
    const deployments = await exportViaApi(`format=jsonl&action=group:prompts&q=faq`);
    const manifest = await manifestOf(deployments.id!);
    expect(manifest.contiguous).toBe(false);
    const rows = deployments.file
      .toString()
      .trimEnd()
      .split("\n")
      .map((l) => JSON.parse(l) as { action: string });
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.every((r) => r.action.startsWith("prompt."))).toBe(true);
    expect(verifyExport(deployments.file, manifest, await publicKey())).toMatchObject({ ok: true, rows: rows.length });

    // The actor filter is the beginning of the email or key id, in any case.
    const byActor = await exportViaApi(`format=jsonl&actor=${t.users.editor.email.slice(0, 10).toUpperCase()}`);
    const actors = byActor.file
      .toString()
      .trimEnd()
      .split("\n")
      .map((l) => (JSON.parse(l) as { actorLabel: string }).actorLabel);
    expect(actors.length).toBeGreaterThan(0);
    expect(new Set(actors)).toEqual(new Set([t.users.editor.email]));

    // Outcome and target filters (a denied attempt first: an editor may not create API keys).
    await expect(callerFor(t.users.editor).apiKeys.create({ ...scope(), name: "nope", scopes: ["prompts:read"] })).rejects.toMatchObject({ code: "FORBIDDEN" });
    const denied = await exportViaApi("format=jsonl&outcome=denied&targetType=procedure&targetId=apiKeys.create");
    const deniedRows = denied.file
      .toString()
      .trimEnd()
      .split("\n")
      .map((l) => JSON.parse(l) as { outcome: string; targetId: string });
    expect(deniedRows).toEqual([expect.objectContaining({ outcome: "denied", targetId: "apiKeys.create" })]);

    const empty = await exportViaApi("format=csv&from=2000-01-01T00:00:00Z&to=2000-01-02T00:00:00Z");
    expect(empty.status).toBe(200);
    const emptyManifest = await manifestOf(empty.id!);
    expect(emptyManifest).toMatchObject({ rowCount: 0, firstSeq: null, lastSeq: null, chainHash: null });
    expect(verifyExport(empty.file, emptyManifest, await publicKey())).toMatchObject({ ok: true, rows: 0 });
  });

  it("refuse bad filters naming the field; an unknown export has no manifest", async () => {
    expect(await exportViaApi("format=xml")).toMatchObject({ status: 400, body: { error: { field: "format" } } });
    expect(await exportViaApi("from=yesterday")).toMatchObject({ status: 400, body: { error: { field: "from" } } });
    expect(await exportViaApi("action=prompt.eaten")).toMatchObject({ status: 400, body: { error: { field: "action" } } });
    expect(await exportViaApi("targetType=planet")).toMatchObject({ status: 400, body: { error: { field: "targetType" } } });
    expect(await exportViaApi("from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z")).toMatchObject({ status: 400, body: { error: { field: "to" } } });
    const unknown = await fetch(`${srv.base}/api/public/v1/audit/exports/${crypto.randomUUID()}/manifest`, { headers: bearer(key) });
    expect(unknown.status).toBe(404);
    const noScope = await createKey(t, ["prompts:read"]);
    expect((await fetch(`${srv.base}/api/public/v1/audit/export`, { headers: bearer(noScope) })).status).toBe(403);
  });

  it("the CLI writes the file and its manifest, and verifies them offline; a truncated copy says where it stops", async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "keel-audit-"));
    const out = path.join(dir, "audit.jsonl");
    const run = (args: string[]) =>
      promisify(execFile)(process.execPath, ["bin/keel.mjs", ...args], { env: { ...process.env, KEEL_SECRET: "s".repeat(32) }, cwd: process.cwd() }).then(
        (r) => ({ code: 0, out: r.stdout, err: r.stderr }),
        (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, out: e.stdout, err: e.stderr }),
      );
    const exported = await run(["audit", "export", "--org", t.org.slug, "--format", "jsonl", "--out", out]);
    expect(exported.err).not.toMatch(/error/i);
    expect(exported.code).toBe(0);
    const status = await callerFor(t.users.auditor).audit.status({ orgSlug: t.org.slug });
    const pem = path.join(dir, "key.pem");
    writeFileSync(pem, status.signingKey!.publicKey);
    const verified = await run(["audit", "verify-export", out, `${out}.manifest.json`, "--public-key", pem]);
    expect(verified.out).toContain("VERIFIED");
    expect(verified.code).toBe(0);
    const manifest = JSON.parse(readFileSync(`${out}.manifest.json`, "utf8")) as ExportManifest;
    expect(manifest.exporter.label).toMatch(/^cli:/);
    writeFileSync(out, readFileSync(out).subarray(0, 100));
    const cut = await run(["audit", "verify-export", out, `${out}.manifest.json`, "--public-key", pem]);
    expect(cut.code).toBe(3);
    expect(cut.out).toMatch(/FAILED: .*stops in the middle of line 1/);
    expect(await getDb().auditExport.count({ where: { orgId: t.org.id } })).toBeGreaterThanOrEqual(5);
  }, 120_000); // three CLI processes, each compiling its TypeScript on start: slow on a loaded CI machine
});
