import "server-only";
// The evaluation gate: a completed run of exactly this prompt version on the named dataset
// (optionally one version of it and one tag) whose evaluators reach their thresholds, and
// optionally a minimum human grade from a review queue on that run. Checked when a request is
// made and again at promotion; every failing check says which evaluator, what it scored and the
// threshold it missed.
import type { ReadDb } from "../../db/client";
import { GATE_METRIC_LABELS, type EvaluationGate, type GateCheck, type GateResult } from "../../contracts/deployments";
import type { RunSummary } from "../../contracts/evaluations";
import { humanScoresOfRun } from "../reviews/human-scores";

const fmt = (x: number) => (Math.round(x * 1000) / 1000).toString();

export async function evaluateGate(db: ReadDb, projectId: string, promptVersionId: string, gate: EvaluationGate | null, now = new Date()): Promise<GateResult> {
  const checkedAt = now.toISOString();
  if (gate && gate.prompts.length) {
    const version = await db.promptVersion.findUniqueOrThrow({ where: { id: promptVersionId }, select: { prompt: { select: { name: true } } } });
    if (!gate.prompts.includes(version.prompt.name)) gate = null;
  }
  if (!gate) return { passed: true, configured: false, run: null, checks: [], review: null, reasons: [], checkedAt };
  const dataset = await db.dataset.findUnique({ where: { projectId_name: { projectId, name: gate.dataset } }, select: { id: true } });
  const where = `${gate.dataset}${gate.datasetVersion ? ` v${gate.datasetVersion}` : ""}${gate.tag ? ` (tag "${gate.tag}")` : ""}`;
  if (!dataset) {
    return { passed: false, configured: true, run: null, checks: [], review: null, reasons: [`The gate's dataset "${gate.dataset}" does not exist in this project`], checkedAt };
  }
  const run = await db.evaluationRun.findFirst({
    where: {
      projectId,
      promptVersionId,
      status: "completed",
      tag: gate.tag,
      datasetVersion: { datasetId: dataset.id, ...(gate.datasetVersion ? { version: gate.datasetVersion } : {}) },
    },
    orderBy: { finishedAt: "desc" },
    select: { id: true, number: true, tag: true, summary: true, finishedAt: true, datasetVersion: { select: { version: true } } },
  });
  if (!run) {
    return { passed: false, configured: true, run: null, checks: [], review: null, reasons: [`No completed evaluation run of this version on ${where}: run one first`], checkedAt };
  }
  const summary = run.summary as RunSummary | null;
  const checks: GateCheck[] = gate.evaluators.map((threshold) => {
    const found = summary?.evaluators.find((e) => e.name === threshold.name);
    const label = GATE_METRIC_LABELS[threshold.metric];
    if (!found || found.n === 0) {
      return { evaluator: threshold.name, metric: threshold.metric, min: threshold.min, actual: null, passed: false, message: `${threshold.name} did not score run #${run.number}` };
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
    run: { number: run.number, dataset: gate.dataset, datasetVersion: run.datasetVersion.version, tag: run.tag, finishedAt: run.finishedAt?.toISOString() ?? null },
    checks,
    review,
    reasons,
    checkedAt,
  };
}
