import "server-only";
// The evaluation gate: a completed run of exactly this prompt version on the named dataset
// (optionally one version of it and one tag) that answered at least MIN_USABLE_SHARE of its calls
// (a run of errors measured nothing, so it never counts) whose evaluators reach their thresholds, and
// optionally a minimum human grade from a review queue on that run. Checked when a request is
// made and again at promotion; every failing check says which evaluator, what it scored and the
// threshold it missed.
import type { ReadDb } from "../../db/client";
import { AppError } from "../../errors";
import { GATE_METRIC_LABELS, type EvaluationGate, type GateCheck, type GateResult } from "../../contracts/deployments";
import { policyOf } from "./policy";
import { gateApplies } from "./rules";
import { answeredText, isUsableRun, MIN_USABLE_SHARE, type RunSummary } from "../../contracts/evaluations";
import { humanScoresOfRun } from "../reviews/human-scores";

const fmt = (x: number) => (Math.round(x * 1000) / 1000).toString();

export async function evaluateGate(db: ReadDb, projectId: string, promptVersionId: string, gate: EvaluationGate | null, now = new Date()): Promise<GateResult> {
  const checkedAt = now.toISOString();
  if (gate && gate.prompts.length) {
    const version = await db.promptVersion.findUniqueOrThrow({ where: { id: promptVersionId }, select: { prompt: { select: { name: true } } } });
    if (!gate.prompts.includes(version.prompt.name)) gate = null;
  }
  if (!gate) return { passed: true, configured: false, run: null, blockingRun: null, checks: [], review: null, reasons: [], checkedAt };
  const dataset = await db.dataset.findUnique({ where: { projectId_name: { projectId, name: gate.dataset } }, select: { id: true } });
  const where = `${gate.dataset}${gate.datasetVersion ? ` v${gate.datasetVersion}` : ""}${gate.tag ? ` (tag "${gate.tag}")` : ""}`;
  if (!dataset) {
    return {
      passed: false,
      configured: true,
      run: null,
      blockingRun: null,
      checks: [],
      review: null,
      reasons: [`The gate's dataset "${gate.dataset}" does not exist in this project`],
      checkedAt,
    };
  }
  // The run that counts: the latest completed run of this version on the gate's dataset (version,
  // tag) that answered enough of its calls to measure something (MIN_USABLE_SHARE). A newer run
  // that did not is named when nothing counts, so the reason is the real one.
  const candidates = await db.evaluationRun.findMany({
    where: {
      projectId,
      promptVersionId,
      status: { in: ["completed", "failed"] },
      tag: gate.tag,
      datasetVersion: { datasetId: dataset.id, ...(gate.datasetVersion ? { version: gate.datasetVersion } : {}) },
    },
    orderBy: [{ finishedAt: "desc" }, { number: "desc" }],
    take: 50,
    select: { id: true, number: true, status: true, error: true, tag: true, summary: true, finishedAt: true, datasetVersion: { select: { version: true } } },
  });
  const run = candidates.find((r) => isUsableRun(r.status, r.summary as RunSummary | null));
  const newest = candidates[0];
  const blockingRun: GateResult["blockingRun"] = !run && newest ? blockingRunOf(newest) : null;
  if (!run) {
    const reason = blockingRun
      ? `${unusableReason(blockingRun)}. Fix the dataset or the prompt version, then run again`
      : `No completed evaluation run of this version on ${where}: run one first`;
    return { passed: false, configured: true, run: null, blockingRun, checks: [], review: null, reasons: [reason], checkedAt };
  }
  const summary = run.summary as RunSummary | null;
  const checks: GateCheck[] = gate.evaluators.map((threshold) => {
    const found = summary?.evaluators.find((e) => e.name === threshold.name);
    const label = GATE_METRIC_LABELS[threshold.metric];
    if (!found || found.n === 0) {
      return {
        evaluator: threshold.name,
        metric: threshold.metric,
        min: threshold.min,
        actual: null,
        passed: false,
        message: `${threshold.name} did not score run #${run.number}`,
      };
    }
    const actual = threshold.metric === "passRate" ? found.passRate : found.mean;
    const passed = actual >= threshold.min - 1e-12;
    return {
      evaluator: threshold.name,
      metric: threshold.metric,
      min: threshold.min,
      actual,
      passed,
      message: passed
        ? `${threshold.name} ${label} ${fmt(actual)} meets the threshold ${fmt(threshold.min)}`
        : `${threshold.name} ${label} ${fmt(actual)} is below the threshold ${fmt(threshold.min)} (run #${run.number})`,
    };
  });
  let review: GateResult["review"] = null;
  if (gate.review) {
    const { dimensions } = await humanScoresOfRun(db, run.id);
    const mine = dimensions.filter((d) => d.queue === gate.review!.queue && (gate.review!.dimension === null || d.key === gate.review!.dimension));
    const n = mine.reduce((a, d) => a + d.n, 0);
    const actual = n ? mine.reduce((a, d) => a + d.mean * d.n, 0) / n : null;
    const what = `human grade${gate.review.dimension ? ` (${gate.review.dimension})` : ""} from "${gate.review.queue}"`;
    const passed = actual !== null && actual >= gate.review.min - 1e-12;
    review = {
      queue: gate.review.queue,
      dimension: gate.review.dimension,
      min: gate.review.min,
      actual,
      n,
      passed,
      message:
        actual === null
          ? `No final ${what} on run #${run.number} yet`
          : passed
            ? `Mean ${what} ${fmt(actual)} meets the threshold ${fmt(gate.review.min)} (${n} grades)`
            : `Mean ${what} ${fmt(actual)} is below the threshold ${fmt(gate.review.min)} (${n} grades, run #${run.number})`,
    };
  }
  const reasons = [...checks.filter((c) => !c.passed).map((c) => c.message), ...(review && !review.passed ? [review.message] : [])];
  return {
    passed: reasons.length === 0,
    configured: true,
    run: {
      number: run.number,
      dataset: gate.dataset,
      datasetVersion: run.datasetVersion.version,
      tag: run.tag,
      finishedAt: run.finishedAt?.toISOString() ?? null,
    },
    blockingRun: null,
    checks,
    review,
    reasons,
    checkedAt,
  };
}

type CandidateRun = { number: number; status: string; error: string | null; summary: unknown; datasetVersion: { version: number } };

function blockingRunOf(r: CandidateRun): NonNullable<GateResult["blockingRun"]> {
  const summary = r.summary as RunSummary | null;
  return {
    number: r.number,
    status: r.status,
    datasetVersion: r.datasetVersion.version,
    answered: summary?.done ?? 0,
    items: summary?.items ?? 0,
    error: summary?.errorMessages?.[0]?.message ?? r.error,
  };
}

/** "run #6 has 0 of 48 answers: Missing variables: tone" (below the usable share, with the most frequent error). */
export function unusableReason(b: NonNullable<GateResult["blockingRun"]>): string {
  const counts = { done: b.answered, items: b.items };
  const share = b.answered > 0 ? ` (fewer than ${Math.round(MIN_USABLE_SHARE * 100)}% answered)` : "";
  const what = b.items > 0 ? `has ${answeredText(counts)}${share}` : b.status === "failed" ? "failed" : "has no results";
  return `Run #${b.number} ${what}${b.error ? `: ${b.error}` : ""}`;
}

export type GatePreview = {
  environment: string;
  protected: boolean;
  /** The gate that applies to this prompt in this environment (null: none). */
  gate: EvaluationGate | null;
  /** What the gate says about this version now (null when no gate applies). */
  result: GateResult | null;
  /** Runs of this version on the gate's dataset still queued or running: they may count once finished. */
  inProgress: { number: number; status: string }[];
  /** The settings of a run that would count (for the new-run form), when the gate does not pass. */
  suggestedRun: { prompt: string; version: number; dataset: string; datasetVersion: number | null; tag: string | null; evaluators: string[] } | null;
};

/**
 * What a promotion request for this version would meet, before it is made: the environment's gate
 * (dataset, version, tag, thresholds), the run that would count and whether it passes, runs still
 * in progress, and when nothing passes the settings of a run that would count.
 */
export async function previewGate(db: ReadDb, projectId: string, input: { prompt: string; version: number; environment: string }): Promise<GatePreview> {
  const env = await db.environment.findUnique({ where: { projectId_name: { projectId, name: input.environment } }, include: { policy: true } });
  if (!env) throw new AppError("NOT_FOUND", `This project has no environment "${input.environment}"`, { field: "environment" });
  const version = await db.promptVersion.findFirst({ where: { version: input.version, prompt: { projectId, name: input.prompt } }, select: { id: true } });
  if (!version) throw new AppError("NOT_FOUND", `No version ${input.version} of "${input.prompt}"`, { field: "version" });
  const policy = env.protected && env.policy ? policyOf(env.policy) : null;
  const gate =
    policy && gateApplies("promote", policy) && policy.gate && (!policy.gate.prompts.length || policy.gate.prompts.includes(input.prompt)) ? policy.gate : null;
  if (!gate) return { environment: env.name, protected: env.protected, gate: null, result: null, inProgress: [], suggestedRun: null };
  const result = await evaluateGate(db, projectId, version.id, gate);
  const inProgress = await db.evaluationRun.findMany({
    where: {
      projectId,
      promptVersionId: version.id,
      status: { in: ["queued", "running"] },
      tag: gate.tag,
      datasetVersion: { dataset: { name: gate.dataset }, ...(gate.datasetVersion ? { version: gate.datasetVersion } : {}) },
    },
    orderBy: { number: "desc" },
    take: 5,
    select: { number: true, status: true },
  });
  return {
    environment: env.name,
    protected: env.protected,
    gate,
    result,
    inProgress,
    suggestedRun: result.passed
      ? null
      : {
          prompt: input.prompt,
          version: input.version,
          dataset: gate.dataset,
          datasetVersion: gate.datasetVersion ?? null,
          tag: gate.tag ?? null,
          evaluators: gate.evaluators.map((e) => e.name),
        },
  };
}
