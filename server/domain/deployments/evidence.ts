import "server-only";
// The evidence pack of a deployment request: everything an approver needs to decide, and what
// compliance keeps: the request and its rules progress, the candidate and the deployed version
// (content, configuration, content hashes, a unified diff), the evaluation gate now and at
// request time, the comparison of the candidate's gate run with the deployed version's run on
// the same dataset version (with the significance verdict), the human-review summary, the
// decisions, and the audit events it covers (sequence numbers and hashes). Exported as JSON and
// as a printable HTML page; `packSha256` is the SHA-256 of the pack's canonical JSON.
import { createHash } from "node:crypto";
import { createTwoFilesPatch } from "diff";
import type { ReadDb } from "../../db/client";
import { canonicalJson, type JsonValue } from "../../audit/canonical";
import { DEPLOYMENT_STATE_LABELS, type GateResult } from "../../contracts/deployments";
import { compareRuns } from "../evaluations/results";
import { humanScoresOfRun } from "../reviews/human-scores";
import { evaluateGate } from "./gate";
import { getRequest, type Reader } from "./queries";
import { gateApplies } from "./rules";

type VersionRow = {
  version: number;
  type: string;
  template: string | null;
  messages: unknown;
  config: unknown;
  contentHash: string;
  commitMessage: string;
  authorLabel: string;
  createdAt: Date;
};

function contentText(v: VersionRow | null): string {
  if (!v) return "";
  const body =
    v.template ?? (Array.isArray(v.messages) ? (v.messages as { role: string; content: string }[]).map((m) => `[${m.role}]\n${m.content}`).join("\n\n") : "");
  return `${body}\n\n--- config ---\n${JSON.stringify(v.config, null, 2)}\n`;
}

export async function buildEvidencePack(db: ReadDb, projectId: string, number: number, reader: Reader) {
  const request = await getRequest(db, projectId, number, reader);
  const project = await db.project.findUniqueOrThrow({
    where: { id: projectId },
    select: { slug: true, name: true, orgId: true, org: { select: { slug: true, name: true } } },
  });
  const prompt = await db.prompt.findUniqueOrThrow({ where: { projectId_name: { projectId, name: request.prompt } }, select: { id: true, type: true } });
  const select = {
    id: true,
    version: true,
    template: true,
    messages: true,
    config: true,
    contentHash: true,
    commitMessage: true,
    authorLabel: true,
    createdAt: true,
  } as const;
  const candidate = await db.promptVersion.findUniqueOrThrow({ where: { promptId_version: { promptId: prompt.id, version: request.version } }, select });
  const deployedLabel = await db.promptLabel.findUnique({ where: { promptId_name: { promptId: prompt.id, name: request.environment } } });
  // Against what the environment serves now; for a deployed request, against what it replaced.
  const baseVersion = request.state === "deployed" ? request.fromVersion : (deployedLabel?.version ?? null);
  const base = baseVersion ? await db.promptVersion.findUnique({ where: { promptId_version: { promptId: prompt.id, version: baseVersion } }, select }) : null;
  const asRow = (v: typeof candidate | null): VersionRow | null => (v ? { ...v, type: prompt.type } : null);

  const gateNow: GateResult | null =
    request.state === "pending" || request.state === "approved"
      ? await evaluateGate(db, projectId, candidate.id, request.policy && gateApplies(request.kind, request.policy) ? request.policy.gate : null)
      : null;
  const gate = gateNow ?? request.gateAtRequest;

  // The comparison: the candidate's gate run against the deployed version's latest completed run
  // on the same dataset version (and tag).
  let comparison: {
    baselineRun: number;
    candidateRun: number;
    dataset: string;
    datasetVersion: number;
    evaluators: {
      name: string;
      baselineMean: number;
      candidateMean: number;
      meanDifference: number;
      low: number;
      high: number;
      direction: string;
      verdict: string;
    }[];
    regressions: number;
  } | null = null;
  let comparisonNote: string | null = null;
  let human: Awaited<ReturnType<typeof humanScoresOfRun>> | null = null;
  const gateRun = gate?.run
    ? await db.evaluationRun.findUnique({
        where: { projectId_number: { projectId, number: gate.run.number } },
        select: { id: true, number: true, datasetVersionId: true, tag: true },
      })
    : null;
  if (gateRun) {
    human = await humanScoresOfRun(db, gateRun.id);
    if (base) {
      const baseline = await db.evaluationRun.findFirst({
        where: { projectId, promptVersionId: base.id, datasetVersionId: gateRun.datasetVersionId, tag: gateRun.tag, status: "completed" },
        orderBy: { finishedAt: "desc" },
        select: { number: true },
      });
      if (baseline) {
        const c = await compareRuns(db, projectId, { baseline: baseline.number, candidate: gateRun.number });
        comparison = {
          baselineRun: baseline.number,
          candidateRun: gateRun.number,
          dataset: c.dataset.name,
          datasetVersion: c.dataset.version,
          evaluators: c.evaluators.map((e) => ({
            name: e.name,
            baselineMean: e.baselineMean,
            candidateMean: e.candidateMean,
            meanDifference: e.meanDifference,
            low: e.low,
            high: e.high,
            direction: e.direction,
            verdict: e.verdict,
          })),
          regressions: c.regressions.length,
        };
      } else {
        comparisonNote = `No completed run of v${base.version} on the same dataset version as run #${gateRun.number} to compare with`;
      }
    }
  } else {
    comparisonNote = "No evaluation gate run to compare";
  }

  const select_ = { seq: true, action: true, actorLabel: true, createdAt: true, hash: true, outcome: true } as const;
  const events = await db.auditEvent.findMany({
    where: { orgId: project.orgId, targetType: "deployment_request", targetId: request.id },
    orderBy: { seq: "asc" },
    select: select_,
  });
  // The label move itself is an event on the prompt, written in the promoting transaction just
  // before deployment.deployed: between the request's first event and that one, the environment's
  // label of this prompt moved only through this request (another deployment would have ended it).
  const deployed = events.find((e) => e.action === "deployment.deployed");
  if (deployed && events[0]) {
    const move = await db.auditEvent.findFirst({
      where: {
        orgId: project.orgId,
        action: "prompt.label.moved",
        targetType: "prompt",
        targetId: prompt.id,
        seq: { gt: events[0].seq, lt: deployed.seq },
        after: { path: ["label"], equals: request.environment },
      },
      orderBy: { seq: "desc" },
      select: select_,
    });
    if (move) events.splice(events.indexOf(deployed), 0, move);
    events.sort((a, b) => (a.seq < b.seq ? -1 : 1));
  }
  const pack = {
    kind: "keel.evidence-pack",
    formatVersion: 1,
    generatedAt: new Date().toISOString(),
    organization: project.org,
    project: { slug: project.slug, name: project.name },
    request: {
      number: request.number,
      id: request.id,
      kind: request.kind,
      state: request.state,
      stateLabel: DEPLOYMENT_STATE_LABELS[request.state],
      prompt: request.prompt,
      environment: request.environment,
      justification: request.justification,
      requestedBy: request.requestedBy,
      createdAt: request.createdAt,
      expiresAt: request.expiresAt,
      approvedAt: request.approvedAt,
      endedAt: request.endedAt,
      endedReason: request.endedReason,
    },
    candidate: { ...asRow(candidate)!, id: undefined },
    deployed: base ? { ...asRow(base)!, id: undefined } : null,
    diff: createTwoFilesPatch(
      base ? `v${base.version}` : "(nothing deployed)",
      `v${candidate.version}`,
      contentText(asRow(base)),
      contentText(asRow(candidate)),
      base?.contentHash ?? "",
      candidate.contentHash,
    ),
    gate,
    gateAtRequest: request.gateAtRequest,
    comparison,
    comparisonNote,
    humanReview: human ? { dimensions: human.dimensions, judges: human.judges } : null,
    rules: request.rules,
    decisions: request.decisions,
    deployment: request.deployment,
    audit: events.map((e) => ({ seq: Number(e.seq), action: e.action, actor: e.actorLabel, at: e.createdAt, outcome: e.outcome, hash: e.hash })),
    contentHashes: { candidate: candidate.contentHash, deployed: base?.contentHash ?? null },
  };
  const json = JSON.parse(JSON.stringify(pack)) as JsonValue;
  return { ...pack, packSha256: createHash("sha256").update(canonicalJson(json)).digest("hex") };
}

export type EvidencePack = Awaited<ReturnType<typeof buildEvidencePack>>;

const esc = (s: unknown) => String(s ?? "").replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);
const pct = (x: number | null | undefined) => (x === null || x === undefined ? "—" : `${(x * 100).toFixed(1)}%`);

/**
 * The one date format of the printable page: ISO 8601 date and time in UTC, named ("2026-12-07
 * 09:14:03 UTC"), the same on every machine that prints it. "—" for no time.
 */
export function printTime(value: Date | string | null | undefined): string {
  if (value === null || value === undefined || value === "") return "—";
  const d = value instanceof Date ? value : new Date(value);
  if (Number.isNaN(d.getTime())) return String(value);
  return `${d.toISOString().slice(0, 19).replace("T", " ")} UTC`;
}

/** The printable page (print to PDF from the browser): self-contained, no scripts, fits A4 and Letter. */
export function renderEvidenceHtml(pack: EvidencePack): string {
  const r = pack.request;
  const rows = (cells: unknown[][]) => cells.map((c) => `<tr>${c.map((x) => `<td>${esc(x)}</td>`).join("")}</tr>`).join("");
  const gate = pack.gate;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Evidence pack: request #${r.number} (${esc(r.prompt)} v${pack.candidate.version} → ${esc(r.environment)})</title>
<style>
body{font:13px/1.5 system-ui,sans-serif;color:#18181b;max-width:960px;margin:24px auto;padding:0 16px}
h1{font-size:20px;margin:0 0 4px;overflow-wrap:anywhere}h2{font-size:15px;margin:24px 0 8px;border-bottom:1px solid #e4e4e7;padding-bottom:4px;break-after:avoid}
table{border-collapse:collapse;width:100%;margin:4px 0}td,th{border:1px solid #e4e4e7;padding:4px 6px;text-align:left;vertical-align:top;overflow-wrap:anywhere}th{background:#f4f4f5}
thead{display:table-header-group}tr{break-inside:avoid}
pre{background:#fafafa;border:1px solid #e4e4e7;padding:8px;white-space:pre-wrap;overflow-wrap:anywhere;font-size:12px}
.pass{color:#15803d;font-weight:600}.fail{color:#b91c1c;font-weight:600}.muted{color:#52525b}.alert{border:2px solid #b91c1c;padding:8px;margin:8px 0}
code,.hash{font:12px/1.4 ui-monospace,monospace;word-break:break-all}.nowrap{white-space:nowrap}
@page{size:auto;margin:14mm 12mm}
@media print{body{max-width:none;margin:0;padding:0;font-size:11px}h1{font-size:17px}h2{font-size:13px}pre,code,.hash{font-size:9.5px}td,th{padding:3px 4px}}
</style></head><body>
<h1>Deployment request #${r.number}: ${esc(r.prompt)} v${pack.candidate.version} → ${esc(r.environment)}</h1>
<p class="muted">${esc(pack.organization.name)} / ${esc(pack.project.name)} · ${esc(r.kind)} · state <strong>${esc(r.stateLabel)}</strong> · generated ${esc(printTime(pack.generatedAt))}</p>
<p>Pack SHA-256 <code>${pack.packSha256}</code></p>
<p class="muted">All times are UTC.</p>
${pack.deployment && (pack.deployment as { freezeOverride?: unknown }).freezeOverride ? `<div class="alert"><strong>Change freeze overridden:</strong> ${esc(JSON.stringify((pack.deployment as { freezeOverride?: unknown }).freezeOverride))}</div>` : ""}
<h2>Request</h2>
<table>${rows([
    ["Requested by", `${r.requestedBy.label} (${r.requestedBy.type})`],
    ["Justification", r.justification],
    ["Requested at", printTime(r.createdAt)],
    ["Expires at", printTime(r.expiresAt)],
    ["Approved at", printTime(r.approvedAt)],
    ["Ended", r.endedAt ? `${printTime(r.endedAt)} ${r.endedReason ?? ""}` : "—"],
    ["Candidate", `v${pack.candidate.version} by ${pack.candidate.authorLabel}: ${pack.candidate.commitMessage} · content hash ${pack.candidate.contentHash}`],
    ["Deployed before", pack.deployed ? `v${pack.deployed.version} · content hash ${pack.deployed.contentHash}` : "nothing"],
  ])}</table>
<h2>Approval rules</h2>
<table><tr><th>Rule</th><th>Needs</th><th>Approved by</th><th>Met</th></tr>${pack.rules.map((x) => `<tr><td>${esc(x.name)}</td><td>${esc(x.description)}</td><td>${esc(x.approvers.join(", ") || "—")}</td><td class="${x.met ? "pass" : "fail"}">${x.met ? "yes" : "no"}</td></tr>`).join("")}</table>
<h2>Decisions</h2>
${pack.decisions.length ? `<table><tr><th>When</th><th>Who</th><th>Decision</th><th>Comment</th></tr>${rows(pack.decisions.map((d) => [printTime(d.at), `${d.approver} (${d.role})`, d.approved ? "approved" : "rejected", d.comment || "—"]))}</table>` : `<p class="muted">None yet.</p>`}
<h2>Evaluation gate</h2>
${
  !gate || !gate.configured
    ? `<p class="muted">No evaluation gate applies.</p>`
    : `<p class="${gate.passed ? "pass" : "fail"}">${gate.passed ? "Passes" : "Fails"}${gate.run ? ` · run #${gate.run.number} on ${esc(gate.run.dataset)} v${gate.run.datasetVersion}${gate.run.tag ? ` (tag ${esc(gate.run.tag)})` : ""}` : ""} · checked ${esc(printTime(gate.checkedAt))}</p>
<table><tr><th>Evaluator</th><th>Metric</th><th>Threshold</th><th>Actual</th><th>Result</th></tr>${gate.checks.map((c) => `<tr><td>${esc(c.evaluator)}</td><td>${esc(c.metric)}</td><td>${c.min}</td><td>${c.actual === null ? "—" : c.actual.toFixed(3)}</td><td class="${c.passed ? "pass" : "fail"}">${esc(c.message)}</td></tr>`).join("")}${gate.review ? `<tr><td>human review: ${esc(gate.review.queue)}</td><td>${esc(gate.review.dimension ?? "all")}</td><td>${gate.review.min}</td><td>${gate.review.actual === null ? "—" : gate.review.actual.toFixed(3)}</td><td class="${gate.review.passed ? "pass" : "fail"}">${esc(gate.review.message)}</td></tr>` : ""}</table>`
}
<h2>Comparison with the deployed version</h2>
${
  pack.comparison
    ? `<p>Run #${pack.comparison.candidateRun} (candidate) against run #${pack.comparison.baselineRun} (deployed) on ${esc(pack.comparison.dataset)} v${pack.comparison.datasetVersion}; ${pack.comparison.regressions} item(s) regressed.</p>
<table><tr><th>Evaluator</th><th>Deployed</th><th>Candidate</th><th>Difference (95% CI)</th><th>Verdict</th></tr>${pack.comparison.evaluators.map((e) => `<tr><td>${esc(e.name)}</td><td>${pct(e.baselineMean)}</td><td>${pct(e.candidateMean)}</td><td>${(e.meanDifference * 100).toFixed(1)} pts [${(e.low * 100).toFixed(1)}, ${(e.high * 100).toFixed(1)}]</td><td>${esc(e.verdict)}</td></tr>`).join("")}</table>`
    : `<p class="muted">${esc(pack.comparisonNote)}</p>`
}
<h2>Human review</h2>
${pack.humanReview && pack.humanReview.dimensions.length ? `<table><tr><th>Queue</th><th>Dimension</th><th>Grades</th><th>Mean (0-1)</th></tr>${rows(pack.humanReview.dimensions.map((d) => [d.queue, d.label, d.n, d.mean.toFixed(3)]))}</table>` : `<p class="muted">No final human grades on the gate run.</p>`}
<h2>Content diff</h2>
<pre>${esc(pack.diff)}</pre>
<h2>Audit events covered</h2>
<table><thead><tr><th style="width:7%">Seq</th><th style="width:22%">Action</th><th style="width:20%">Actor</th><th style="width:17%">At</th><th>Hash</th></tr></thead><tbody>${pack.audit.map((e) => `<tr><td>${e.seq}</td><td>${esc(e.action)}</td><td>${esc(e.actor)}</td><td>${esc(printTime(e.at))}</td><td class="hash">${esc(e.hash)}</td></tr>`).join("")}</tbody></table>
</body></html>`;
}
