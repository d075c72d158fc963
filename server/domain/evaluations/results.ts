import "server-only";
// Reading results: a run's items side by side with the dataset item they answered (server-side
// pages, sort, filters such as "failed on judge"), the comparison of two runs on the same
// dataset version (wins/losses/ties, paired bootstrap CI, McNemar, a plain-language verdict,
// the regressions), and the per-prompt dashboard series.
import { readSql, type ReadDb } from "../../db/client";
import { AppError, notFound } from "../../errors";
import {
  answeredText,
  FINISHED_STATUSES,
  isUsableRun,
  runOutcome,
  type ItemScore,
  type ResultRow,
  type RunStatus,
  type RunSummary,
} from "../../contracts/evaluations";
import { humanScoresOfRun } from "../reviews/human-scores";
import { compareScores, differenceDirection, mcnemar, mean, pairedBootstrapMeanDifference, verdict } from "./stats";
import { join, raw, sql } from "../../db/sql";

export type { ResultRow };

async function runByNumber(db: ReadDb, projectId: string, number: number) {
  const run = await db.evaluationRun.findUnique({
    where: { projectId_number: { projectId, number } },
    include: {
      datasetVersion: { select: { id: true, version: true, datasetId: true, dataset: { select: { name: true } } } },
      promptVersion: { select: { version: true, prompt: { select: { name: true } } } },
    },
  });
  if (!run) throw notFound(`Run #${number}`);
  return run;
}

export type ResultsQuery = {
  number: number;
  page: number;
  pageSize: number;
  status?: "done" | "error" | "pending";
  /** One dataset item (all its repetitions). */
  position?: number;
  /** Only items this evaluator failed. */
  failedOn?: string;
  sort: "position" | "latency" | "cost" | "score";
  /** The evaluator whose score `sort: "score"` orders by. */
  sortEvaluator?: string;
  direction: "asc" | "desc";
};

export async function runResults(db: ReadDb, projectId: string, q: ResultsQuery) {
  const run = await runByNumber(db, projectId, q.number);
  const where = [sql`i.run_id = ${run.id}::uuid`];
  if (q.status) where.push(sql`i.status::text = ANY(${q.status === "pending" ? ["pending", "running"] : [q.status]}::text[])`);
  if (q.position !== undefined) where.push(sql`i.position = ${q.position}`);
  if (q.failedOn) where.push(sql`i.scores @> ${JSON.stringify([{ name: q.failedOn, passed: false }])}::jsonb`);
  // The direction comes from this fixed pair, never from the request's text.
  const dir = raw(q.direction === "desc" ? "DESC" : "ASC");
  let order = sql`i.position ${dir}, i.repetition`;
  if (q.sort === "latency") order = sql`i.latency_ms ${dir} NULLS LAST, i.position`;
  if (q.sort === "cost") order = sql`i.cost_usd ${dir} NULLS LAST, i.position`;
  if (q.sort === "score" && q.sortEvaluator)
    order = sql`(SELECT (s->>'score')::float8 FROM jsonb_array_elements(i.scores) s WHERE s->>'name' = ${q.sortEvaluator} LIMIT 1) ${dir} NULLS LAST, i.position`;
  const selected = sql`SELECT i.position, i.repetition, i.item_id::text AS "itemId", i.status::text AS status, r.input, r.expected, i.rendered, i.output,
      i.latency_ms AS "latencyMs", i.input_tokens AS "inputTokens", i.output_tokens AS "outputTokens", i.cost_usd::text AS "costUsd", i.error, i.scores
    FROM evaluation_run_items i
    JOIN dataset_item_revisions r ON r.dataset_id = ${run.datasetVersion.datasetId}::uuid AND r.position = i.position AND r.valid_from <= ${run.datasetVersion.version} AND r.valid_to > ${run.datasetVersion.version}
    WHERE ${join(where, " AND ")}`;
  const [rows, count] = await Promise.all([
    readSql<ResultRow>(db, sql`${selected} ORDER BY ${order} LIMIT ${q.pageSize} OFFSET ${(q.page - 1) * q.pageSize}`),
    readSql<{ n: bigint }>(db, sql`SELECT count(*) AS n FROM (${selected}) counted`),
  ]);
  return {
    rows: run.source === "external" ? await withTraceResults(db, projectId, run.id, rows) : rows,
    total: Number(count[0]?.n ?? 0),
    page: q.page,
    pageSize: q.pageSize,
  };
}

/**
 * An external (SDK) run's results live in the traces its items were linked to: the output of the
 * linked observation (else of the trace's root span), the trace's tokens and cost, and the
 * trace's scores. Read when asked, so traces and scores that arrive after the link still show.
 * A boolean score passes when true; a numeric one when it is at least 0.5 (Keel's evaluators
 * score in [0, 1]); categorical scores are listed without a pass.
 */
async function withTraceResults(db: ReadDb, projectId: string, runId: string, rows: ResultRow[]): Promise<ResultRow[]> {
  if (rows.length === 0) return rows;
  const links = await readSql<{
    position: number;
    repetition: number;
    traceId: string | null;
    output: string | null;
    latencyMs: number | null;
    inputTokens: number | null;
    outputTokens: number | null;
    costUsd: string | null;
  }>(
    db,
    sql`SELECT i.position, i.repetition, i.trace_id AS "traceId", s.output, s.duration_ms::int AS "latencyMs", t.input_tokens::int AS "inputTokens", t.output_tokens::int AS "outputTokens", t.cost_usd::text AS "costUsd"
     FROM evaluation_run_items i
     LEFT JOIN LATERAL (
       SELECT sp.output, sp.duration_ms FROM telemetry.spans sp
       WHERE sp.project_id = ${projectId}::uuid AND sp.trace_id = i.trace_id
       ORDER BY (sp.output IS NOT NULL) DESC, (sp.span_id = coalesce(i.observation_id, '')) DESC, (sp.parent_span_id IS NULL) DESC, sp.start_time LIMIT 1
     ) s ON true
     LEFT JOIN LATERAL (
       SELECT sum(sp.input_tokens) AS input_tokens, sum(sp.output_tokens) AS output_tokens, sum(sp.cost_usd) AS cost_usd
       FROM telemetry.spans sp WHERE sp.project_id = ${projectId}::uuid AND sp.trace_id = i.trace_id AND sp.is_generation
     ) t ON true
     WHERE i.run_id = ${runId}::uuid AND i.position = ANY(${rows.map((r) => r.position)}::int[])`,
  );
  const traceIds = [...new Set(links.flatMap((l) => (l.traceId ? [l.traceId] : [])))];
  const scores = traceIds.length
    ? await readSql<{ traceId: string; name: string; dataType: string; value: number | null; stringValue: string | null; comment: string | null }>(
        db,
        sql`SELECT trace_id AS "traceId", name, data_type AS "dataType", value, string_value AS "stringValue", comment FROM telemetry.scores
         WHERE project_id = ${projectId}::uuid AND trace_id = ANY(${traceIds}::text[]) ORDER BY created_at, name`,
      )
    : [];
  const byKey = new Map(links.map((l) => [`${l.position}:${l.repetition}`, l]));
  return rows.map((row) => {
    const link = byKey.get(`${row.position}:${row.repetition}`);
    if (!link) return row;
    const itemScores: ItemScore[] = scores
      .filter((sc) => sc.traceId === link.traceId && sc.value !== null && sc.dataType !== "categorical")
      .map((sc) => ({
        evaluatorVersionId: "",
        name: sc.name,
        score: sc.value!,
        passed: sc.dataType === "boolean" ? sc.value === 1 : sc.value! >= 0.5,
        explanation: sc.comment ?? sc.stringValue ?? "",
      }));
    return {
      ...row,
      output: link.output,
      latencyMs: link.latencyMs,
      inputTokens: link.inputTokens,
      outputTokens: link.outputTokens,
      costUsd: link.costUsd,
      scores: itemScores.length ? itemScores : null,
    };
  });
}

export type EvaluatorComparison = {
  name: string;
  n: number;
  baselineMean: number;
  candidateMean: number;
  wins: number;
  losses: number;
  ties: number;
  meanDifference: number;
  low: number;
  high: number;
  direction: "better" | "worse" | "inconclusive";
  mcnemar: { b01: number; b10: number; pValue: number; method: string } | null;
  verdict: string;
};

type PairRow = { position: number; a: ItemScore[] | null; b: ItemScore[] | null };

/** Comparisons are of runs Keel executed: an external (SDK) run has no automatic scores of its own. */
function executedPromptVersion<P>(run: { number: number; promptVersion: P | null }, field: "baseline" | "candidate"): P {
  if (!run.promptVersion) {
    throw new AppError(
      "BAD_REQUEST",
      `Run #${run.number} was executed outside Keel (external, SDK): it names no prompt version and has no automatic scores to compare`,
      { field },
    );
  }
  return run.promptVersion;
}

/** Compares candidate run `b` with baseline run `a` (same dataset version), item by item. */
export async function compareRuns(db: ReadDb, projectId: string, input: { baseline: number; candidate: number }) {
  const [a, b] = await Promise.all([runByNumber(db, projectId, input.baseline), runByNumber(db, projectId, input.candidate)]);
  const pa = executedPromptVersion(a, "baseline");
  const pb = executedPromptVersion(b, "candidate");
  const summaryOf = (run: typeof a, p: typeof pa) => ({
    number: run.number,
    prompt: p.prompt.name,
    version: p.version,
    summary: run.summary as RunSummary | null,
    status: run.status,
  });
  if (a.datasetVersionId !== b.datasetVersionId) {
    // Not an error: the runs simply share no items. Say why, and which runs would compare.
    const sameDataset = a.datasetVersion.datasetId === b.datasetVersion.datasetId;
    const used = (run: typeof a) => `${sameDataset ? "" : `${run.datasetVersion.dataset.name} `}v${run.datasetVersion.version}`;
    const reason = `Run #${a.number} used ${sameDataset ? `${a.datasetVersion.dataset.name} ` : "dataset "}${used(a)}, run #${b.number} used ${sameDataset ? "" : "dataset "}${used(b)}: no items in common. Compare runs on the same dataset version.`;
    return {
      baseline: summaryOf(a, pa),
      candidate: summaryOf(b, pb),
      dataset: { name: a.datasetVersion.dataset.name, version: a.datasetVersion.version },
      items: 0,
      evaluators: [] as EvaluatorComparison[],
      regressions: [] as Regression[],
      incomparable: {
        reason,
        // Candidates for the baseline (same dataset version as the baseline) and baselines for the candidate.
        candidates: await comparableRuns(db, projectId, a.datasetVersionId, [a.number, b.number]),
        baselines: await comparableRuns(db, projectId, b.datasetVersionId, [a.number, b.number]),
        baselineDataset: { name: a.datasetVersion.dataset.name, version: a.datasetVersion.version },
        candidateDataset: { name: b.datasetVersion.dataset.name, version: b.datasetVersion.version },
      } as Incomparable | null,
      unanswered: null as string | null,
    };
  }
  // Items answered in both runs (with repetitions: each item's mean score, and its majority pass).
  const rows = await readSql<PairRow>(
    db,
    sql`SELECT coalesce(x.position, y.position) AS position, x.scores AS a, y.scores AS b FROM
       (SELECT position, jsonb_agg(s) AS scores FROM evaluation_run_items, jsonb_array_elements(scores) s WHERE run_id = ${a.id}::uuid AND status = 'done' GROUP BY position) x
       JOIN
       (SELECT position, jsonb_agg(s) AS scores FROM evaluation_run_items, jsonb_array_elements(scores) s WHERE run_id = ${b.id}::uuid AND status = 'done' GROUP BY position) y
       ON x.position = y.position
     ORDER BY 1`,
  );
  const labelA = `v${pa.version}`;
  const labelB = pb.version === pa.version ? `run #${b.number}` : `v${pb.version}`;
  const baselineLabel = labelA === labelB ? `run #${a.number}` : labelA;
  const names = [...new Set(rows.flatMap((r) => (r.a ?? []).map((s) => s.name)))].filter((name) => rows.some((r) => r.b?.some((s) => s.name === name)));
  const perItem = (scores: ItemScore[] | null, name: string) => {
    const mine = (scores ?? []).filter((s) => s.name === name);
    if (!mine.length) return null;
    return { score: mean(mine.map((s) => s.score)), passed: mine.filter((s) => s.passed).length * 2 > mine.length };
  };
  const evaluators: EvaluatorComparison[] = names.map((name) => {
    const pairs = rows.map((r) => ({ position: r.position, a: perItem(r.a, name), b: perItem(r.b, name) })).filter((p) => p.a && p.b) as {
      position: number;
      a: { score: number; passed: boolean };
      b: { score: number; passed: boolean };
    }[];
    const as = pairs.map((p) => p.a.score);
    const bs = pairs.map((p) => p.b.score);
    const ci = pairs.length ? pairedBootstrapMeanDifference(as, bs, { resamples: 5_000 }) : { meanDifference: 0, low: 0, high: 0 };
    const wlt = pairs.length ? compareScores(as, bs) : { wins: 0, losses: 0, ties: 0 };
    const m = pairs.length ? mcnemar(pairs.map((p) => ({ a: p.a.passed, b: p.b.passed }))) : null;
    return {
      name,
      n: pairs.length,
      baselineMean: pairs.length ? mean(as) : 0,
      candidateMean: pairs.length ? mean(bs) : 0,
      ...wlt,
      meanDifference: ci.meanDifference,
      low: ci.low,
      high: ci.high,
      direction: differenceDirection(ci),
      mcnemar: m ? { b01: m.b01, b10: m.b10, pValue: m.pValue, method: m.method } : null,
      verdict: pairs.length
        ? verdict({
            evaluator: name,
            baselineLabel,
            candidateLabel: labelB,
            meanDifference: ci.meanDifference,
            low: ci.low,
            high: ci.high,
            scale: "proportion",
          })
        : `No items were scored by ${name} in both runs`,
    };
  });
  // Regressions: items the candidate does worse on (a lower score or a pass turned into a fail).
  const regressions = rows
    .map((r) => {
      const worse = names
        .map((name) => ({ name, a: perItem(r.a, name), b: perItem(r.b, name) }))
        .filter((x) => x.a && x.b && (x.b.score < x.a.score - 1e-9 || (x.a.passed && !x.b.passed)))
        .map((x) => ({ evaluator: x.name, baseline: x.a!.score, candidate: x.b!.score, baselinePassed: x.a!.passed, candidatePassed: x.b!.passed }));
      return { position: r.position, worse };
    })
    .filter((r) => r.worse.length > 0)
    .slice(0, 500);
  // No item answered in both: when a finished run answered nothing (or too little), that is why.
  const unanswered =
    rows.length === 0
      ? [a, b]
          .filter((r) => FINISHED_STATUSES.includes(r.status as RunStatus) && !isUsableRun(r.status, r.summary as RunSummary | null))
          .map((r) => {
            const s = r.summary as RunSummary | null;
            return s
              ? `Run #${r.number} ${r.status === "cancelled" ? "was cancelled with" : "has"} ${answeredText(s)}${s.errorMessages?.[0] ? ` (${s.errorMessages[0].message})` : ""}`
              : `Run #${r.number} ${r.status}`;
          })
          .join("; ") || null
      : null;
  return {
    baseline: summaryOf(a, pa),
    candidate: summaryOf(b, pb),
    dataset: { name: a.datasetVersion.dataset.name, version: a.datasetVersion.version },
    items: rows.length,
    evaluators,
    regressions,
    incomparable: null as Incomparable | null,
    unanswered,
  };
}

type Regression = { position: number; worse: { evaluator: string; baseline: number; candidate: number; baselinePassed: boolean; candidatePassed: boolean }[] };
export type ComparableRun = { number: number; prompt: string; version: number; finishedAt: Date | null };
export type Incomparable = {
  reason: string;
  /** Usable runs on the baseline's dataset version (to compare the baseline with). */
  candidates: ComparableRun[];
  /** Usable runs on the candidate's dataset version (to compare the candidate with). */
  baselines: ComparableRun[];
  baselineDataset: { name: string; version: number };
  candidateDataset: { name: string; version: number };
};

/** The latest usable runs Keel executed on one dataset version (other than `except`). */
async function comparableRuns(db: ReadDb, projectId: string, datasetVersionId: string, except: number[]): Promise<ComparableRun[]> {
  const runs = await db.evaluationRun.findMany({
    where: { projectId, datasetVersionId, status: "completed", source: "keel", number: { notIn: except } },
    orderBy: { number: "desc" },
    take: 20,
    select: { number: true, status: true, summary: true, finishedAt: true, promptVersion: { select: { version: true, prompt: { select: { name: true } } } } },
  });
  return runs
    .filter((r) => r.promptVersion && isUsableRun(r.status, r.summary as RunSummary | null))
    .slice(0, 5)
    .map((r) => ({ number: r.number, prompt: r.promptVersion!.prompt.name, version: r.promptVersion!.version, finishedAt: r.finishedAt }));
}

/**
 * Finished runs of a prompt (completed or failed, not cancelled), oldest first, for the dashboard's
 * per-version series. Each says whether it is usable (answered at least MIN_USABLE_SHARE of its
 * calls): the charts plot only usable runs and mark the others with their reason.
 */
export async function promptDashboard(db: ReadDb, projectId: string, promptName: string) {
  const prompt = await db.prompt.findUnique({ where: { projectId_name: { projectId, name: promptName } }, include: { labels: true } });
  if (!prompt) throw new AppError("NOT_FOUND", `No prompt named "${promptName}"`);
  // The latest 500 completed runs, then oldest first for the charts.
  const latest = await db.evaluationRun.findMany({
    where: { projectId, status: { in: ["completed", "failed"] }, promptVersion: { promptId: prompt.id } },
    orderBy: { number: "desc" },
    take: 500,
    include: { promptVersion: { select: { version: true } }, datasetVersion: { select: { version: true, dataset: { select: { name: true } } } } },
  });
  return {
    prompt: prompt.name,
    productionVersion: prompt.labels.find((l) => l.name === "production")?.version ?? null,
    labels: prompt.labels.map((l) => ({ name: l.name, version: l.version })),
    runs: await Promise.all(
      latest
        .reverse()
        .flatMap((r) => (r.promptVersion ? [{ ...r, promptVersion: r.promptVersion }] : []))
        .map(async (r) => {
          const s = r.summary as RunSummary | null;
          const human = await humanScoresOfRun(db, r.id);
          return {
            number: r.number,
            version: r.promptVersion.version,
            dataset: r.datasetVersion.dataset.name,
            datasetVersion: r.datasetVersion.version,
            model: r.model,
            finishedAt: r.finishedAt,
            evaluators: [
              ...(s?.evaluators ?? []).map((e) => ({
                name: e.name,
                source: "automatic" as const,
                mean: e.mean,
                passRate: e.passRate,
                ciLow: e.ciLow,
                ciHigh: e.ciHigh,
              })),
              // Human grades (normalised to [0, 1]) as series of their own: "human: correct".
              ...human.dimensions.map((h) => ({
                name: `human: ${h.key}`,
                source: "human" as const,
                mean: h.mean,
                passRate: h.mean,
                ciLow: h.mean,
                ciHigh: h.mean,
              })),
            ],
            latencyP50: s?.latencyP50 ?? null,
            latencyP95: s?.latencyP95 ?? null,
            costUsd: s?.costUsd ?? null,
            done: s?.done ?? 0,
            errors: s?.errors ?? 0,
            items: s?.items ?? r.itemsTotal,
            status: r.status,
            outcome: runOutcome(r.status, s),
            usable: isUsableRun(r.status, s),
            /** The most frequent error, else the run's own error (a failed run's reason). */
            error: s?.errorMessages?.[0]?.message ?? r.error,
          };
        }),
    ),
  };
}
