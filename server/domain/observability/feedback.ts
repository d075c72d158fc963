import "server-only";
// The feedback loop: scores arrive (user feedback over the public API, online evaluators in the
// worker), and routing rules send the traces they single out to review queues. A score is
// telemetry (not audited); sending a trace to a queue changes a queue, so it is audited, with the
// rule as the actor ("trace rule <name>").
import { createHash } from "node:crypto";
import { getDb, type ReadDb } from "../../db/client";
import { runAudited } from "../../audit/mutation";
import { systemActor } from "../../audit/actor";
import { AppError } from "../../errors";
import type { ScoreInput } from "../../contracts/observability";
import type { EvaluatorConfig } from "../../contracts/evaluators";
import { uuidv7 } from "../../db/uuid";
import { claimRuleHit, generationsSince, insertScores, releaseRuleHit, type ScoreRow } from "../../telemetry/store";
import { findGeneration } from "../../telemetry/queries";
import { evaluate } from "../evaluations/evaluators";
import { createJudge } from "../evaluations/worker";
import { inputOf, sendTraceToQueue } from "./curation";
import { onObservabilityChanged } from "./settings";
import { logger } from "../../runtime/log";

const log = logger("telemetry");

type Rule = {
  id: string;
  name: string;
  kind: "negative_feedback" | "score_below" | "random_sample";
  scoreName: string | null;
  threshold: number | null;
  sampleRate: number | null;
  promptName: string | null;
  environment: string | null;
  queue: string;
};

type ProjectRules = { orgId: string; rules: Rule[]; loadedAt: number };
const RULES_TTL_MS = 5_000;
const rulesCache = new Map<string, ProjectRules>();
onObservabilityChanged((projectId) => rulesCache.delete(projectId));

async function rulesOf(projectId: string): Promise<ProjectRules> {
  const cached = rulesCache.get(projectId);
  if (cached && Date.now() - cached.loadedAt < RULES_TTL_MS) return cached;
  const db = getDb() as unknown as ReadDb;
  const [project, rows] = await Promise.all([
    db.project.findUniqueOrThrow({ where: { id: projectId }, select: { orgId: true } }),
    db.traceRule.findMany({
      where: { projectId, enabled: true },
      select: {
        id: true,
        name: true,
        kind: true,
        scoreName: true,
        threshold: true,
        sampleRate: true,
        promptName: true,
        environment: true,
        queue: { select: { name: true } },
      },
    }),
  ]);
  const entry = { orgId: project.orgId, rules: rows.map((r) => ({ ...r, queue: r.queue.name })), loadedAt: Date.now() };
  rulesCache.set(projectId, entry);
  return entry;
}

/** Deterministic sampling: the same id and salt always fall on the same side of the rate. */
export function sampled(id: string, salt: string, rate: number): boolean {
  if (rate >= 1) return true;
  const h = createHash("sha256").update(`${salt}:${id}`).digest();
  return h.readUInt32BE(0) / 2 ** 32 < rate;
}

const inScope = (rule: { promptName: string | null; environment: string | null }, dims: { promptName: string | null; environment: string | null }) =>
  (rule.promptName === null || rule.promptName === dims.promptName) && (rule.environment === null || rule.environment === dims.environment);

/** Whether a score triggers a rule (negative feedback, or a score below the rule's threshold). */
export function scoreTriggers(rule: Rule, score: Pick<ScoreRow, "name" | "dataType" | "value">): boolean {
  if (score.value === null) return false;
  if (rule.kind === "negative_feedback") {
    if (rule.scoreName !== null && rule.scoreName !== score.name) return false;
    if (score.dataType === "boolean") return score.value === 0;
    return score.dataType === "numeric" && rule.threshold !== null && score.value <= rule.threshold;
  }
  if (rule.kind === "score_below") return rule.scoreName === score.name && rule.threshold !== null && score.value < rule.threshold;
  return false;
}

async function route(projectId: string, orgId: string, rule: Rule, traceId: string, spanId: string | null): Promise<boolean> {
  if (!(await claimRuleHit(rule.id, traceId))) return false;
  try {
    await runAudited(systemActor(`trace rule "${rule.name}"`), (w) =>
      sendTraceToQueue(w, { orgId, projectId }, { traceId, spanId: spanId ?? undefined, queue: rule.queue, from: `rule "${rule.name}"` }),
    );
    return true;
  } catch (error) {
    // Not sent: forget the claim so a later score can send it.
    await releaseRuleHit(rule.id, traceId).catch(() => undefined);
    log.error(`rule "${rule.name}" could not send trace ${traceId} to "${rule.queue}"`, { error });
    return false;
  }
}

async function applyScoreRules(projectId: string, scores: ScoreRow[]): Promise<number> {
  const { orgId, rules } = await rulesOf(projectId);
  let sent = 0;
  for (const score of scores) {
    for (const rule of rules) {
      if (inScope(rule, score) && scoreTriggers(rule, score) && (await route(projectId, orgId, rule, score.traceId, score.spanId))) sent++;
    }
  }
  return sent;
}

function normalise(input: ScoreInput): Pick<ScoreRow, "dataType" | "value" | "stringValue"> {
  const { value } = input;
  const dataType = input.dataType ?? (typeof value === "boolean" ? "boolean" : typeof value === "number" ? "numeric" : "categorical");
  if (dataType === "boolean") {
    if (typeof value === "boolean") return { dataType, value: value ? 1 : 0, stringValue: null };
    if (value === 0 || value === 1) return { dataType, value, stringValue: null };
    throw new AppError("BAD_REQUEST", "must be true, false, 1 or 0 for a boolean score", { field: "value" });
  }
  if (dataType === "numeric") {
    if (typeof value !== "number") throw new AppError("BAD_REQUEST", "must be a number for a numeric score", { field: "value" });
    return { dataType, value, stringValue: null };
  }
  if (typeof value !== "string") throw new AppError("BAD_REQUEST", "must be a string for a categorical score", { field: "value" });
  return { dataType, value: null, stringValue: value };
}

/**
 * Stores a feedback score on a trace (or one of its generations) and applies the project's
 * routing rules. Sending the same score id again changes nothing.
 */
export async function recordFeedback(projectId: string, input: ScoreInput): Promise<{ id: string; created: boolean; routed: number }> {
  const spanId = input.spanId ?? input.observationId;
  const typed = normalise(input);
  const span = await findGeneration(projectId, input.traceId, spanId);
  if (!span) {
    throw new AppError(
      "NOT_FOUND",
      spanId
        ? `No span ${spanId} in trace ${input.traceId}`
        : `No trace ${input.traceId} in this project (traces appear once their exporter has flushed them; retry shortly)`,
      { field: spanId ? "spanId" : "traceId" },
    );
  }
  const row: ScoreRow = {
    id: input.id ?? uuidv7(),
    projectId,
    traceId: input.traceId,
    spanId: spanId ?? null,
    name: input.name,
    source: "api",
    ...typed,
    comment: input.comment ?? null,
    promptName: span.promptName,
    promptVersion: span.promptVersion,
    model: span.model,
    environment: span.environment,
  };
  const created = (await insertScores([row])).has(row.id);
  const routed = created ? await applyScoreRules(projectId, [row]) : 0;
  return { id: row.id, created, routed };
}

/**
 * Stores scores given in bulk (Langfuse ingestion), with whatever prompt/model/environment the
 * caller found, and applies the routing rules to the ones newly stored. Returns their ids.
 */
export async function recordScores(projectId: string, rows: ScoreRow[]): Promise<Set<string>> {
  const inserted = await insertScores(rows);
  if (inserted.size)
    await applyScoreRules(
      projectId,
      rows.filter((r) => inserted.has(r.id)),
    );
  return inserted;
}

// ----- online evaluation and sampling rules (the worker) ---------------------------------------

type OnlineSetup = {
  id: string;
  projectId: string;
  evaluatorId: string;
  evaluatorName: string;
  config: EvaluatorConfig;
  sampleRate: number;
  promptName: string | null;
  environment: string | null;
};

async function onlineSetups(projectIds: string[]): Promise<OnlineSetup[]> {
  const db = getDb() as unknown as ReadDb;
  const rows = await db.onlineEvaluator.findMany({
    where: { projectId: { in: projectIds }, enabled: true, evaluator: { archivedAt: null } },
    select: {
      id: true,
      projectId: true,
      sampleRate: true,
      promptName: true,
      environment: true,
      evaluator: { select: { id: true, name: true, latestVersion: true } },
    },
  });
  if (!rows.length) return [];
  const versions = await db.evaluatorVersion.findMany({
    where: { OR: rows.map((r) => ({ evaluatorId: r.evaluator.id, version: r.evaluator.latestVersion })) },
    select: { evaluatorId: true, config: true },
  });
  const configOf = new Map(versions.map((v) => [v.evaluatorId, v.config as EvaluatorConfig]));
  return rows.flatMap((r) => {
    const config = configOf.get(r.evaluator.id);
    return config
      ? [
          {
            id: r.id,
            projectId: r.projectId,
            evaluatorId: r.evaluator.id,
            evaluatorName: r.evaluator.name,
            config,
            sampleRate: r.sampleRate,
            promptName: r.promptName,
            environment: r.environment,
          },
        ]
      : [];
  });
}

/**
 * One pass of the worker over newly ingested generations: online evaluators score their sampled
 * share, scores below a rule's threshold and random-sample rules send traces to review queues.
 */
export async function runOnlinePass(options: { limit?: number; lagMs?: number } = {}): Promise<{ generations: number; scored: number; routed: number }> {
  const batch = await generationsSince("online-evaluation", { limit: options.limit ?? 500, lagMs: options.lagMs });
  if (!batch.rows.length) return { generations: 0, scored: 0, routed: 0 };
  const projectIds = [...new Set(batch.rows.map((g) => g.projectId))];
  const setups = await onlineSetups(projectIds);
  const judges = new Map<string, ReturnType<typeof createJudge>>();
  let scored = 0;
  let routed = 0;
  for (const projectId of projectIds) {
    const gens = batch.rows.filter((g) => g.projectId === projectId);
    const mine = setups.filter((s) => s.projectId === projectId);
    const { orgId, rules } = await rulesOf(projectId);
    const scores: ScoreRow[] = [];
    for (const g of gens) {
      for (const setup of mine) {
        if (!inScope(setup, g) || !sampled(g.spanId, setup.id, setup.sampleRate) || g.output === null) continue;
        let judge = judges.get(projectId);
        if (!judge) judges.set(projectId, (judge = createJudge({ projectId, evaluators: mine })));
        const result = await evaluate(
          setup.config,
          { input: inputOf(g.variables, g.input), expected: null, output: g.output, latencyMs: g.durationMs, costUsd: g.costUsd },
          { judge: (args) => judge!(args, setup.config) },
        ).catch((error: unknown) => ({
          score: 0,
          passed: false,
          explanation: `The evaluator failed: ${error instanceof Error ? error.message : String(error)}`.slice(0, 1000),
        }));
        scores.push({
          id: onlineScoreId(setup.id, g.spanId),
          projectId,
          traceId: g.traceId,
          spanId: g.spanId,
          name: setup.evaluatorName,
          source: "online_eval",
          dataType: "numeric",
          value: result.score,
          stringValue: null,
          comment: result.explanation,
          promptName: g.promptName,
          promptVersion: g.promptVersion,
          model: g.model,
          environment: g.environment,
          evaluatorId: setup.evaluatorId,
        });
      }
      for (const rule of rules) {
        if (
          rule.kind === "random_sample" &&
          inScope(rule, g) &&
          sampled(g.traceId, rule.id, rule.sampleRate ?? 0) &&
          (await route(projectId, orgId, rule, g.traceId, g.spanId))
        )
          routed++;
      }
    }
    const inserted = await insertScores(scores);
    scored += inserted.size;
    routed += await applyScoreRules(
      projectId,
      scores.filter((s) => inserted.has(s.id)),
    );
  }
  await batch.advance(batch.rows.at(-1)!.ingestedAt);
  return { generations: batch.rows.length, scored, routed };
}

/** An online evaluator's score of a span has one id: a pass repeated after a crash stores nothing twice. */
export function onlineScoreId(setupId: string, spanId: string): string {
  return uuidFrom(`${setupId}:${spanId}`);
}

/** A UUID (v8 layout) derived from a string: stable ids for derived rows. */
function uuidFrom(key: string): string {
  const h = createHash("sha256").update(key).digest("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-8${h.slice(13, 16)}-${((parseInt(h.slice(16, 18), 16) & 0x3f) | 0x80).toString(16)}${h.slice(18, 20)}-${h.slice(20, 32)}`;
}
