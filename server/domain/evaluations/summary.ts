import "server-only";
// A run's summary, computed from its stored items: per evaluator the mean score with a 95%
// confidence interval and the pass rate with a Wilson interval; latency percentiles; tokens and
// cost; and, with repetitions, how consistent the outputs were (mean per-item score variance).
// Only answered items are scored: an errored item counts in `errors` (with its message among the
// most frequent ones) and never as a zero in a mean, an interval or a pass rate.
import { readSql, type ReadDb } from "../../db/client";
import { commonErrors, type ItemScore, type RunSummary } from "../../contracts/evaluations";
import { mean, meanConfidenceInterval, percentile, wilsonInterval } from "./stats";
import { sql } from "../../db/sql";

type Row = {
  position: number;
  repetition: number;
  status: string;
  latency_ms: number | null;
  input_tokens: number | null;
  output_tokens: number | null;
  cost_usd: string | null;
  scores: ItemScore[] | null;
  error: string | null;
};

export async function summarizeRun(db: ReadDb, runId: string): Promise<RunSummary> {
  const evaluators = await readSql<{ evaluator_version_id: string; name: string; kind: string }>(
    db,
    sql`SELECT e.evaluator_version_id::text, e.name, v.kind FROM evaluation_run_evaluators e JOIN evaluator_versions v ON v.id = e.evaluator_version_id WHERE e.run_id = ${runId}::uuid ORDER BY e.position`,
  );
  const rows = await readSql<Row>(
    db,
    sql`SELECT position, repetition, status::text AS status, latency_ms, input_tokens, output_tokens, cost_usd::text AS cost_usd, scores, error
     FROM evaluation_run_items WHERE run_id = ${runId}::uuid ORDER BY position, repetition`,
  );
  const done = rows.filter((r) => r.status === "done");
  const latencies = done.map((r) => r.latency_ms).filter((v): v is number => v !== null);
  const costs = done.map((r) => (r.cost_usd === null ? null : Number(r.cost_usd)));
  const perEvaluator = evaluators.map((e) => {
    const scores = done.map((r) => r.scores?.find((s) => s.evaluatorVersionId === e.evaluator_version_id)).filter((s): s is ItemScore => !!s);
    const values = scores.map((s) => s.score);
    const passed = scores.filter((s) => s.passed).length;
    const raw = values.length ? meanConfidenceInterval(values) : { mean: 0, low: 0, high: 0 };
    // Scores in [0, 1] have a mean in [0, 1]: the t interval is clipped to it.
    const bounded = values.every((v) => v >= 0 && v <= 1);
    const ci = bounded ? { mean: raw.mean, low: Math.max(0, raw.low), high: Math.min(1, raw.high) } : raw;
    const wilson = values.length ? wilsonInterval(passed, values.length) : { rate: 0, low: 0, high: 0 };
    return {
      evaluatorVersionId: e.evaluator_version_id,
      name: e.name,
      kind: e.kind,
      n: values.length,
      mean: ci.mean,
      ciLow: ci.low,
      ciHigh: ci.high,
      passRate: wilson.rate,
      passLow: wilson.low,
      passHigh: wilson.high,
    };
  });

  // Repetitions: the variance of each item's scores across its repetitions, averaged over items.
  const byItem = new Map<number, Row[]>();
  for (const r of done) byItem.set(r.position, [...(byItem.get(r.position) ?? []), r]);
  const repeated = [...byItem.values()].filter((g) => g.length > 1);
  const consistency = repeated.length
    ? evaluators.map((e) => {
        const variances = repeated.map((group) => {
          const values = group
            .map((r) => r.scores?.find((s) => s.evaluatorVersionId === e.evaluator_version_id)?.score)
            .filter((v): v is number => v !== undefined);
          if (values.length < 2) return 0;
          const m = mean(values);
          return values.reduce((sum, v) => sum + (v - m) ** 2, 0) / (values.length - 1);
        });
        return { name: e.name, meanVariance: mean(variances) };
      })
    : null;

  const errored = rows.filter((r) => r.status === "error");
  return {
    items: rows.length,
    done: done.length,
    errors: errored.length,
    evaluators: perEvaluator,
    latencyP50: latencies.length ? percentile(latencies, 50) : null,
    latencyP95: latencies.length ? percentile(latencies, 95) : null,
    inputTokens: done.reduce((sum, r) => sum + (r.input_tokens ?? 0), 0),
    outputTokens: done.reduce((sum, r) => sum + (r.output_tokens ?? 0), 0),
    costUsd: costs.some((c) => c === null) ? null : costs.reduce<number>((sum, c) => sum + (c ?? 0), 0),
    consistency,
    errorMessages: commonErrors(errored.map((r) => r.error)),
  };
}
