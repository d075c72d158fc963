import "server-only";
// Working on an evaluation run. A job of the `evaluation-run` queue calls processRun for one time
// slice; items are claimed one at a time under a lease (FOR UPDATE SKIP LOCKED, so workers on
// several machines share a run safely), called with bounded concurrency (the run's, and each
// provider connection's in this process, halved on 429 and paused for Retry-After), scored by the
// run's evaluator versions, and stored with a compare-and-set on the claim's attempt number: a
// worker whose lease ran out and was taken over can no longer write, so an item's result is stored
// exactly once. Leases are short and kept alive by a heartbeat while their call runs, so a killed
// worker's items are free again within a lease; its job expires likewise (see queue/boss.ts) and
// another worker resumes the run. When no item is left, the run is finished once
// (compare-and-set), audited.
import { getDb, type ReadDb } from "../../db/client";
import { runAudited } from "../../audit/mutation";
import { systemActor } from "../../audit/actor";
import { createProvider, estimateCost, ProviderError, type ChatMessage } from "../../providers";
import { renderMessages, renderPrompt, renderTemplate, type VariableDeclarations } from "../../contracts/templates";
import type { ChatMessage as PromptMessage } from "../../contracts/prompts";
import { storedEvaluatorConfig, type EvaluatorConfig } from "../../contracts/evaluators";
import { answeredText, type ItemScore, type RunSummary } from "../../contracts/evaluations";
import { providerForCall } from "../providers/connections";
import { projectPriceRows } from "../providers/prices";
import { resolvePrompt } from "../prompts/queries";
import { evaluate } from "./evaluators";
import { AdaptiveLimiter, providerLimiter } from "./limiter";
import { summarizeRun } from "./summary";
import { setting } from "../../env";
import { sql } from "../../db/sql";
import { logger } from "../../runtime/log";

const workerLog = logger("worker");

/**
 * How long a claim holds an item without its worker's heartbeat (every third of it, and before
 * every call attempt). KEEL_EVAL_LEASE_SECONDS (default 10): a dead worker's items are claimed
 * again that long after its last heartbeat, however long calls take.
 */
function leaseSeconds(): number {
  return setting("KEEL_EVAL_LEASE_SECONDS");
}
/** Attempts per call when the provider answers "try again" (429, 5xx); fewer when it cannot be reached at all. */
const MAX_CALL_ATTEMPTS = 6;
const MAX_UNREACHABLE_ATTEMPTS = 3;
/** Consecutive items that failed to reach the provider after all retries: then the run fails. */
const UNREACHABLE_AFTER = 3;

type Claimed = { position: number; repetition: number; attempts: number; input: Record<string, unknown>; expected: unknown };

type LoadedRun = {
  id: string;
  projectId: string;
  orgId: string;
  number: number;
  status: string;
  cancelRequested: boolean;
  datasetId: string;
  datasetVersion: number;
  providerId: string;
  model: string;
  settings: { temperature?: number; maxTokens?: number; topP?: number; stop?: string[]; responseFormat?: never };
  concurrency: number;
  content: { type: "text"; template: string } | { type: "chat"; messages: PromptMessage[] };
  /** The version's declared variables (defaults apply to items whose input lacks the key). */
  variableDetails: VariableDeclarations;
  evaluators: { evaluatorVersionId: string; name: string; config: EvaluatorConfig }[];
};

async function loadRun(runId: string): Promise<LoadedRun | null> {
  const run = await getDb().evaluationRun.findUnique({
    where: { id: runId },
    include: {
      project: { select: { orgId: true } },
      promptVersion: { select: { template: true, messages: true, variableDetails: true, prompt: { select: { type: true } } } },
      datasetVersion: { select: { version: true, datasetId: true } },
      evaluators: { orderBy: { position: "asc" }, include: { evaluatorVersion: { select: { config: true } } } },
    },
  });
  // External (SDK) runs are never queued; a run without a prompt version has nothing to execute.
  if (!run || !run.providerId || !run.promptVersion) return null;
  return {
    id: run.id,
    projectId: run.projectId,
    orgId: run.project.orgId,
    number: run.number,
    status: run.status,
    cancelRequested: run.cancelRequested,
    datasetId: run.datasetVersion.datasetId,
    datasetVersion: run.datasetVersion.version,
    providerId: run.providerId,
    model: run.model,
    settings: run.settings as LoadedRun["settings"],
    concurrency: run.concurrency,
    content:
      run.promptVersion.prompt.type === "text"
        ? { type: "text", template: run.promptVersion.template ?? "" }
        : { type: "chat", messages: (run.promptVersion.messages as PromptMessage[] | null) ?? [] },
    variableDetails: (run.promptVersion.variableDetails ?? {}) as VariableDeclarations,
    evaluators: run.evaluators.map((e) => ({
      evaluatorVersionId: e.evaluatorVersionId,
      name: e.name,
      config: storedEvaluatorConfig.parse(e.evaluatorVersion.config),
    })),
  };
}

/** Claims the next item: a pending one, or a running one whose worker's lease ran out. */
async function claim(run: LoadedRun): Promise<Claimed | null> {
  const rows = await getDb().$queryRaw<Claimed[]>(
    sql`WITH next AS (
       SELECT run_id, position, repetition FROM evaluation_run_items
       WHERE run_id = ${run.id}::uuid AND (status = 'pending' OR (status = 'running' AND lease_until < now()))
       ORDER BY position, repetition LIMIT 1 FOR UPDATE SKIP LOCKED
     )
     UPDATE evaluation_run_items i SET status = 'running', lease_until = now() + make_interval(secs => ${leaseSeconds()}), attempts = i.attempts + 1
     FROM next, dataset_item_revisions r
     WHERE i.run_id = next.run_id AND i.position = next.position AND i.repetition = next.repetition
       AND r.dataset_id = ${run.datasetId}::uuid AND r.position = i.position AND r.valid_from <= ${run.datasetVersion} AND r.valid_to > ${run.datasetVersion}
     RETURNING i.position, i.repetition, i.attempts, r.input, r.expected`,
  );
  return rows[0] ?? null;
}

type ItemResult = {
  status: "done" | "error";
  rendered: unknown;
  output: string | null;
  latencyMs: number | null;
  inputTokens: number | null;
  outputTokens: number | null;
  costUsd: number | null;
  error: string | null;
  scores: ItemScore[] | null;
};

/** Extends this claim's lease (a slow call, or retries) as long as it is still the current claim. */
async function renewLease(run: LoadedRun, item: Claimed): Promise<boolean> {
  const updated = await getDb().$executeRaw(
    sql`UPDATE evaluation_run_items SET lease_until = now() + make_interval(secs => ${leaseSeconds()})
     WHERE run_id = ${run.id}::uuid AND position = ${item.position} AND repetition = ${item.repetition} AND status = 'running' AND attempts = ${item.attempts}`,
  );
  return updated === 1;
}

/** The heartbeat of the claims a slice holds: each lease runs a full lease from now while it is still that claim. */
async function renewLeases(run: LoadedRun, items: Claimed[]): Promise<void> {
  if (items.length === 0) return;
  await getDb().$executeRaw(
    sql`UPDATE evaluation_run_items i SET lease_until = now() + make_interval(secs => ${leaseSeconds()})
     FROM unnest(${items.map((i) => i.position)}::int4[], ${items.map((i) => i.repetition)}::int4[], ${items.map((i) => i.attempts)}::int4[]) AS h(position, repetition, attempts)
     WHERE i.run_id = ${run.id}::uuid AND i.position = h.position AND i.repetition = h.repetition AND i.attempts = h.attempts AND i.status = 'running'`,
  );
}

/** Hands a claim back (this worker is stopping): another worker may take the item at once rather than after its lease. */
async function release(run: LoadedRun, item: Claimed): Promise<void> {
  await getDb().$executeRaw(
    sql`UPDATE evaluation_run_items SET status = 'pending', lease_until = NULL
     WHERE run_id = ${run.id}::uuid AND position = ${item.position} AND repetition = ${item.repetition} AND status = 'running' AND attempts = ${item.attempts}`,
  );
}

/** Items not finished yet, and how long until the soonest lease on one runs out (by the database's clock). */
async function remaining(run: LoadedRun): Promise<{ left: number; nextLeaseEndsInMs: number | null }> {
  const [row] = await getDb().$queryRaw<{ left: number; next: number | null }[]>(
    sql`SELECT count(*)::int AS left, (EXTRACT(EPOCH FROM min(lease_until) FILTER (WHERE status = 'running') - now()) * 1000)::float8 AS next
     FROM evaluation_run_items WHERE run_id = ${run.id}::uuid AND status IN ('pending', 'running')`,
  );
  return { left: row?.left ?? 0, nextLeaseEndsInMs: row?.next ?? null };
}

/** Stores the result only if this claim is still the item's current one. */
async function store(run: LoadedRun, item: Claimed, result: ItemResult): Promise<boolean> {
  const updated = await getDb()
    .$executeRaw(sql`UPDATE evaluation_run_items SET status = ${result.status}::"EvaluationItemStatus", rendered = ${result.rendered === null ? null : JSON.stringify(result.rendered)}::jsonb, output = ${result.output}, latency_ms = ${result.latencyMs}, input_tokens = ${result.inputTokens},
       output_tokens = ${result.outputTokens}, cost_usd = ${result.costUsd}, error = ${result.error}, scores = ${result.scores === null ? null : JSON.stringify(result.scores)}::jsonb, finished_at = now(), lease_until = NULL
     WHERE run_id = ${run.id}::uuid AND position = ${item.position} AND repetition = ${item.repetition} AND status = 'running' AND attempts = ${item.attempts}`);
  return updated === 1;
}

function variablesOf(input: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(input)) out[k] = typeof v === "string" ? v : JSON.stringify(v);
  return out;
}

// The one rule (server/contracts/templates.ts renderPrompt): a key in the item's input is its value,
// else the version's default, else the item fails with "Missing variables: …".
function render(run: LoadedRun, input: Record<string, unknown>): { messages: ChatMessage[]; error: string | null } {
  const r = renderPrompt(run.content, run.variableDetails, variablesOf(input));
  return { messages: r.messages, error: r.error };
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener("abort", () => (clearTimeout(timer), resolve()), { once: true });
  });

export type ProcessOptions = {
  /** Stop claiming new items after this time (ms since epoch); in-flight items finish. */
  deadline: number;
  signal?: AbortSignal;
  log?: (line: string) => void;
};

export type ProcessOutcome = "finished" | "continue" | "missing";

export async function processRun(runId: string, options: ProcessOptions): Promise<ProcessOutcome> {
  const log = options.log ?? ((line: string) => workerLog.info(line));
  const loaded = await loadRun(runId);
  if (!loaded) return "missing";
  const run: LoadedRun = loaded;
  if (["completed", "failed", "cancelled"].includes(run.status)) return "finished";
  if (run.status === "queued") {
    // queued -> running: a compare-and-set with its audit event (the first worker to get here).
    await runAudited(systemActor("system:evaluation-worker"), async (w) => {
      const changed = await w.tx.evaluationRun.updateMany({ where: { id: run.id, status: "queued" }, data: { status: "running", startedAt: new Date() } });
      if (changed.count === 0) return w.unchanged();
      w.record({
        orgId: run.orgId,
        projectId: run.projectId,
        action: "evaluation.run.started",
        targetType: "evaluation_run",
        targetId: run.id,
        after: { number: run.number, status: "running" },
      });
    });
  }

  const db = getDb() as unknown as ReadDb;
  const connection = await providerForCall(db, run.projectId, run.providerId);
  const prices = await projectPriceRows(db, run.projectId);
  const provider = createProvider(connection, { timeoutMs: 60_000, maxRetries: 0 });
  const providerSlots = providerLimiter(run.providerId);
  const runSlots = new AdaptiveLimiter(run.concurrency);
  const judge = createJudge(run);

  let cancelled = run.cancelRequested;
  let failure: string | null = null;
  let unreachableStreak = 0;
  let lastCancelCheck = Date.now();

  async function call(item: Claimed, messages: ChatMessage[]) {
    for (let attempt = 1; ; attempt++) {
      if (attempt > 1 && !(await renewLease(run, item))) throw new ProviderError({ code: "aborted", message: "Another worker took this item over" });
      const releaseRun = await runSlots.acquire(options.signal);
      const releaseProvider = await providerSlots.acquire(options.signal).catch((e: unknown) => (releaseRun(), Promise.reject(e)));
      try {
        const result = await provider.complete({
          model: run.model,
          messages,
          temperature: run.settings.temperature,
          maxTokens: run.settings.maxTokens,
          stop: run.settings.stop,
          responseFormat: run.settings.responseFormat,
          signal: options.signal,
        });
        runSlots.onSuccess();
        providerSlots.onSuccess();
        return result;
      } catch (error) {
        const unreachable = error instanceof ProviderError && (error.code === "network" || error.code === "timeout");
        if (
          !(error instanceof ProviderError) ||
          !error.retryable ||
          attempt >= (unreachable ? MAX_UNREACHABLE_ATTEMPTS : MAX_CALL_ATTEMPTS) ||
          options.signal?.aborted
        )
          throw error;
        if (error.status === 429) {
          runSlots.onRateLimited(error.retryAfterMs);
          providerSlots.onRateLimited(error.retryAfterMs);
        }
        releaseRun();
        releaseProvider();
        const backoff = Math.min(30_000, 250 * 2 ** (attempt - 1) * (0.5 + Math.random()));
        await sleep(Math.max(error.retryAfterMs ?? 0, backoff), options.signal);
        continue;
      } finally {
        releaseRun();
        releaseProvider();
      }
    }
  }

  async function work(item: Claimed): Promise<void> {
    const { messages, error: renderError } = render(run, item.input);
    if (renderError) {
      await store(run, item, {
        status: "error",
        rendered: messages,
        output: null,
        latencyMs: null,
        inputTokens: null,
        outputTokens: null,
        costUsd: null,
        error: `${renderError} (the item's input does not provide them and the prompt version declares no default)`,
        scores: null,
      });
      return;
    }
    let result;
    try {
      result = await call(item, messages);
      unreachableStreak = 0;
    } catch (error) {
      // This worker is stopping: the loop hands the item back (another worker takes it over).
      if (options.signal?.aborted) return;
      const message = error instanceof ProviderError ? error.message : "The call failed unexpectedly";
      if (!(error instanceof ProviderError)) workerLog.error(`evaluation run ${run.id}: a call failed unexpectedly`, { runId: run.id, error });
      if (error instanceof ProviderError && (error.code === "network" || error.code === "timeout" || (error.status ?? 0) >= 500)) {
        unreachableStreak++;
        if (unreachableStreak >= UNREACHABLE_AFTER)
          failure = `The provider ${connection.name ?? ""} could not be reached after retries: ${message}`.replace("  ", " ");
      }
      await store(run, item, {
        status: "error",
        rendered: messages,
        output: null,
        latencyMs: null,
        inputTokens: null,
        outputTokens: null,
        costUsd: null,
        error: message,
        scores: null,
      });
      return;
    }
    const costUsd = connection.kind === "simulated" ? 0 : estimateCost(result.model || run.model, result.usage, prices);
    const scores: ItemScore[] = [];
    for (const e of run.evaluators) {
      const s = await evaluate(
        e.config,
        { input: item.input, expected: item.expected ?? null, output: result.text, latencyMs: result.latencyMs, costUsd },
        { judge: (args) => judge(args, e.config) },
      );
      scores.push({ evaluatorVersionId: e.evaluatorVersionId, name: e.name, score: s.score, passed: s.passed, explanation: s.explanation });
    }
    await store(run, item, {
      status: "done",
      rendered: messages,
      output: result.text,
      latencyMs: result.latencyMs,
      inputTokens: result.usage.inputTokens,
      outputTokens: result.usage.outputTokens,
      costUsd,
      error: null,
      scores,
    });
  }

  async function refreshCancel() {
    if (Date.now() - lastCancelCheck < 1_000) return;
    lastCancelCheck = Date.now();
    const current = await getDb().evaluationRun.findUnique({ where: { id: run.id }, select: { cancelRequested: true } });
    cancelled = current?.cancelRequested ?? true;
  }

  // The claims this slice holds, kept alive by one heartbeat while their calls run.
  const held = new Map<string, Claimed>();
  const heartbeat = setInterval(
    () => void renewLeases(run, [...held.values()]).catch(() => undefined), // a failed beat: the next one, or the lease, decides
    (leaseSeconds() * 1000) / 3,
  );
  // Twice as many loops as calls may be in flight (the limiters hold calls to the run's
  // concurrency): a loop waiting out a Retry-After, or claiming and storing in the database,
  // does not leave a call slot idle. The first loop to fail (the database went away) stops the
  // others, so none runs on after the slice has ended.
  let exhausted = false;
  let broken = null as { error: unknown } | null; // written by the loops (the cast keeps TypeScript from narrowing it to null)
  const working = () => !exhausted && !broken && !cancelled && !failure && Date.now() < options.deadline && !options.signal?.aborted;
  const loop = async () => {
    try {
      while (working()) {
        await refreshCancel();
        if (cancelled) break;
        const item = await claim(run);
        if (!item) {
          exhausted = true;
          break;
        }
        const key = `${item.position}:${item.repetition}`;
        held.set(key, item);
        try {
          await work(item);
        } finally {
          held.delete(key);
        }
        // Stopping mid-call: the item goes back at once instead of waiting out its lease.
        if (options.signal?.aborted) await release(run, item).catch(() => undefined);
      }
    } catch (error) {
      broken ??= { error };
    }
  };
  const loopCount = Math.min(run.concurrency * 2, run.concurrency + 32);
  try {
    for (;;) {
      exhausted = false;
      await Promise.all(Array.from({ length: loopCount }, loop));
      if (broken) throw broken.error;
      if (!exhausted) break;
      // Nothing to claim now. Items still held by another worker (a dead one's until its lease
      // runs out) are waited for here, within the slice, rather than by handing the run on.
      const { left, nextLeaseEndsInMs } = await remaining(run);
      if (left === 0 || nextLeaseEndsInMs === null || Date.now() + nextLeaseEndsInMs >= options.deadline || options.signal?.aborted) break;
      await sleep(Math.max(100, nextLeaseEndsInMs + 100), options.signal);
    }
  } finally {
    clearInterval(heartbeat);
  }

  if (failure || cancelled) {
    await finish(run, failure ? "failed" : "cancelled", failure);
    log(`run #${run.number} ${failure ? `failed: ${failure}` : "cancelled"}`);
    return "finished";
  }
  const left = await getDb().evaluationRunItem.count({ where: { runId: run.id, status: { in: ["pending", "running"] } } });
  if (left > 0) return "continue";
  const ended = await finish(run, "completed", null);
  log(`run #${run.number} ${ended}`);
  return "finished";
}

/**
 * Ends the run once (compare-and-set on its status), with its summary and an audit event. A run
 * whose every call errored measured nothing: it ends `failed`, its error naming the most frequent
 * cause, never `completed` (its summary has no score to show).
 */
async function finish(run: LoadedRun, requested: "completed" | "failed" | "cancelled", requestedError: string | null) {
  const summary = await summarizeRun(getDb() as unknown as ReadDb, run.id);
  let status = requested;
  let error = requestedError;
  if (requested === "completed" && summary.items > 0 && summary.done === 0) {
    status = "failed";
    error = noAnswersError(summary);
  }
  await runAudited(systemActor("system:evaluation-worker"), async (w) => {
    const changed = await w.tx.evaluationRun.updateMany({
      where: { id: run.id, status: { in: ["queued", "running"] } },
      data: { status, error, summary: JSON.parse(JSON.stringify(summary)) as object, finishedAt: new Date() },
    });
    if (changed.count === 0) {
      w.unchanged();
      return;
    }
    if (status !== "completed") {
      // Whatever was not reached stays unanswered: mark it so the results say so.
      await w.tx.evaluationRunItem.updateMany({
        where: { runId: run.id, status: { in: ["pending", "running"] } },
        data: {
          status: "error",
          error: status === "cancelled" ? "The run was cancelled before this item" : "The run failed before this item",
          leaseUntil: null,
        },
      });
    }
    w.record({
      orgId: run.orgId,
      projectId: run.projectId,
      action: "evaluation.run.finished",
      targetType: "evaluation_run",
      targetId: run.id,
      after: {
        number: run.number,
        status,
        error,
        done: summary.done,
        errors: summary.errors,
        evaluators: summary.evaluators.map((e) => ({ name: e.name, mean: e.mean, passRate: e.passRate })),
      },
    });
  });
  return status === "failed" ? `failed: ${error}` : status;
}

function noAnswersError(summary: RunSummary): string {
  const top = summary.errorMessages?.[0];
  const cause = top ? `: ${top.message}${top.count < summary.errors ? ` (${top.count.toLocaleString("en-US")} of them; other errors too)` : ""}` : "";
  return `No usable results: ${answeredText(summary)}, every call failed${cause}`;
}

/**
 * The LLM-as-judge dependency for a project's judge evaluators (each judge configuration resolved
 * once): evaluation runs and online evaluation both use it.
 */
export function createJudge(run: { projectId: string; evaluators: { config: EvaluatorConfig }[] }) {
  const cache = new Map<string, Promise<(args: { input: unknown; output: string; expected: unknown }) => Promise<{ text: string }>>>();
  return async (args: { input: unknown; output: string; expected: unknown }, config?: EvaluatorConfig): Promise<{ text: string }> => {
    const judgeConfig = (config ?? run.evaluators.find((e) => e.config.kind === "llm_judge")?.config) as
      Extract<EvaluatorConfig, { kind: "llm_judge" }> | undefined;
    if (!judgeConfig) throw new Error("No judge evaluator in this run");
    const key = JSON.stringify(judgeConfig);
    let ready = cache.get(key);
    if (!ready) {
      ready = (async () => {
        const db = getDb() as unknown as ReadDb;
        const want =
          "promptVersion" in judgeConfig && judgeConfig.promptVersion
            ? { version: judgeConfig.promptVersion }
            : { label: ("promptLabel" in judgeConfig && judgeConfig.promptLabel) || "latest" };
        const prompt = await resolvePrompt(db, run.projectId, judgeConfig.promptName, want);
        if (!prompt) throw new Error(`The judge prompt "${judgeConfig.promptName}" was not found`);
        const connection = await providerForCall(db, run.projectId, judgeConfig.providerId);
        const judgeProvider = createProvider(connection, { timeoutMs: 60_000, maxRetries: 3 });
        const model = judgeConfig.model ?? prompt.config.model ?? connection.defaultModel ?? "simulated-1";
        return async ({ input, output, expected }) => {
          const vars = {
            input: typeof input === "string" ? input : JSON.stringify(input),
            output,
            expected: expected === null || expected === undefined ? "" : typeof expected === "string" ? expected : JSON.stringify(expected),
          };
          const messages: ChatMessage[] =
            prompt.type === "text"
              ? [{ role: "user", content: renderTemplate(prompt.template ?? "", vars).text }]
              : renderMessages(prompt.messages ?? [], vars).messages;
          const result = await judgeProvider.complete({ model, messages, temperature: 0, responseFormat: { type: "json_object" } });
          return { text: result.text };
        };
      })();
      cache.set(key, ready);
    }
    return (await ready)(args);
  };
}
