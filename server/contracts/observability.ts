// Production observability's inputs and outputs: dashboard windows and filters, the trace
// explorer, and the governed settings (retention, gateway routing, guardrails, online evaluators,
// trace routing rules). Client code may import this file.
import { z } from "zod";
import { name, safeString, text } from "./fields";
import { guardrailFormConfig } from "./guardrails";

// The guardrail kinds' wording and rules, for forms (components import contracts only).
export { GUARDRAIL_KIND_INFO, OUTPUT_ONLY_KINDS, storedGuardrailConfig } from "./guardrails";

/** Dashboard windows: which rollup table answers them and the width of one chart point. */
export const WINDOWS = {
  "1h": { label: "Last hour", ms: 3_600_000, stepMs: 60_000, table: "minute" },
  "6h": { label: "Last 6 hours", ms: 6 * 3_600_000, stepMs: 5 * 60_000, table: "minute" },
  "24h": { label: "Last 24 hours", ms: 24 * 3_600_000, stepMs: 3_600_000, table: "hour" },
  "7d": { label: "Last 7 days", ms: 7 * 86_400_000, stepMs: 3_600_000, table: "hour" },
  "30d": { label: "Last 30 days", ms: 30 * 86_400_000, stepMs: 6 * 3_600_000, table: "hour" },
} as const;
export type WindowName = keyof typeof WINDOWS;
export const WINDOW_NAMES = Object.keys(WINDOWS) as [WindowName, ...WindowName[]];

const optionalText = (max: number) => text(max).trim().optional();

export const dashboardFilters = z.object({
  window: z.enum(WINDOW_NAMES, { error: `must be one of ${WINDOW_NAMES.join(", ")}` }).default("24h"),
  promptName: optionalText(200),
  promptVersion: z.number().int().positive().max(2_147_483_647, "is out of range").optional(),
  model: optionalText(200),
  environment: optionalText(64),
});
export type DashboardFilters = z.infer<typeof dashboardFilters>;

export type DashboardPoint = {
  /** Start of the point's interval (ISO). */
  t: string;
  generations: number;
  errors: number;
  /** errors / generations, or null without generations. */
  errorRate: number | null;
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
  avgMs: number | null;
  p50: number | null;
  p95: number | null;
  p99: number | null;
  guardrailBlocks: number;
  guardrailFlags: number;
};
export type DashboardTotals = Omit<DashboardPoint, "t">;
/** negatives / positives: thumbs-down / thumbs-up (boolean scores of 0 / 1), counted in the same query as the averages. */
export type QualityPoint = { t: string; name: string; source: string; count: number; avg: number | null; negatives: number; positives: number };
export type QualityTotal = { name: string; source: string; dataType: string; count: number; avg: number | null; negatives: number; positives: number };
export type BreakdownRow = {
  promptName: string;
  promptVersion: number;
  model: string;
  environment: string;
  generations: number;
  errors: number;
  costUsd: number;
  p95: number | null;
};

export type Dashboard = {
  window: WindowName;
  from: string;
  to: string;
  stepMs: number;
  points: DashboardPoint[];
  totals: DashboardTotals;
  quality: { points: QualityPoint[]; totals: QualityTotal[] };
  breakdown: BreakdownRow[];
  /** Values seen in the window, for the filter menus. */
  options: { prompts: string[]; models: string[]; environments: string[] };
};

export const traceListInput = z.object({
  window: z.enum(WINDOW_NAMES).default("7d"),
  promptName: optionalText(200),
  model: optionalText(200),
  environment: optionalText(64),
  status: z.enum(["error", "ok"]).optional(),
  /** Only traces with a negative feedback score. */
  feedback: z.enum(["negative"]).optional(),
  source: z.enum(["otel", "gateway", "langfuse"]).optional(),
  /** A trace id, or the start of a root span name. */
  search: optionalText(200),
  minDurationMs: z.number().nonnegative().max(31_622_400_000, "is out of range (at most a year)").optional(),
  /** Opaque: the `nextCursor` of the previous page. */
  cursor: text(200).optional(),
  limit: z.number().int().min(1).max(200).default(50),
});
export type TraceListInput = z.infer<typeof traceListInput>;

export type ScoreView = {
  id: string;
  traceId: string;
  spanId: string | null;
  name: string;
  source: string;
  dataType: "numeric" | "boolean" | "categorical";
  value: number | null;
  stringValue: string | null;
  comment: string | null;
  createdAt: string;
};

export type TraceSummary = {
  traceId: string;
  name: string | null;
  startTime: string;
  durationMs: number;
  spans: number;
  generations: number;
  errors: number;
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
  promptName: string | null;
  promptVersion: number | null;
  model: string | null;
  environment: string | null;
  userId: string | null;
  sessionId: string | null;
  serviceName: string | null;
  source: string;
  scores: ScoreView[];
};

export type SpanView = {
  spanId: string;
  parentSpanId: string | null;
  name: string;
  kind: number;
  startTime: string;
  /** From the trace's start. */
  offsetMs: number;
  durationMs: number;
  statusCode: number;
  statusMessage: string | null;
  isGeneration: boolean;
  model: string | null;
  provider: string | null;
  inputTokens: number | null;
  outputTokens: number | null;
  costUsd: number | null;
  promptName: string | null;
  promptVersion: number | null;
  environment: string | null;
  input: string | null;
  output: string | null;
  attributes: Record<string, unknown>;
  events: { name: string; timeUs: number; attributes: Record<string, unknown> }[];
  guardrails: { rule: string; kind: string; stage: string; action: string; detail: string }[];
  source: string;
};

export type TraceDetail = { trace: TraceSummary; spans: SpanView[] };

const traceId = safeString()
  .trim()
  .regex(/^[0-9a-f]{32}$/, "is not a trace id (32 hex characters)");
const spanId = safeString()
  .trim()
  .regex(/^[0-9a-f]{16}$/, "is not a span id (16 hex characters)");

export const traceRef = z.object({ traceId, spanId: spanId.optional() });

export const addTraceToDatasetInput = traceRef.extend({
  dataset: name(200, "is required"),
  /** The expected output to store; default: the generation's actual output. */
  expected: text(100_000).nullable().optional(),
  tags: z.array(name(40)).max(20).default([]),
});

export const sendTraceToQueueInput = traceRef.extend({ queue: name(200, "is required") });

// ----- governed settings ------------------------------------------------------------------

const uuid = (what: string) => z.uuid({ error: `is not a ${what} id` });

export const telemetrySettingsInput = z.object({
  retentionDays: z.number().int().min(1, "must be at least 1 day").max(365, "must be at most 365 days"),
  gatewayConnectionId: uuid("provider connection").nullable(),
  fallbackConnectionId: uuid("provider connection").nullable(),
  fallbackModel: text(200).trim().nullable(),
  gatewayTimeoutMs: z.number().int().min(1_000, "must be at least 1000 ms").max(600_000, "must be at most 600000 ms"),
});
export type TelemetrySettingsInput = z.infer<typeof telemetrySettingsInput>;
export const DEFAULT_TELEMETRY_SETTINGS: TelemetrySettingsInput = {
  retentionDays: 30,
  gatewayConnectionId: null,
  fallbackConnectionId: null,
  fallbackModel: null,
  gatewayTimeoutMs: 30_000,
};

const scopeFields = {
  /** null: every prompt (and plain model calls). */
  promptName: name(200).nullable().default(null),
  /** null: every environment. */
  environment: name(64).nullable().default(null),
  enabled: z.boolean().default(true),
};

export const guardrailInput = z.object({
  name: name(80, "is required"),
  description: text(500).trim().default(""),
  stage: z.enum(["input", "output", "both"], { error: "must be input, output or both" }),
  action: z.enum(["block", "flag"], { error: "must be block or flag" }),
  /** The server's procedures extend this with the checked `guardrailConfig` (server/gateway/guardrails/schemas.ts: JSON Schemas compile). */
  config: guardrailFormConfig,
  ...scopeFields,
});
export type GuardrailInput = z.infer<typeof guardrailInput>;

export const onlineEvaluatorInput = z.object({
  evaluator: name(200, "is required"),
  sampleRate: z.number().gt(0, "must be above 0").max(1, "must be at most 1"),
  ...scopeFields,
});
export type OnlineEvaluatorInput = z.infer<typeof onlineEvaluatorInput>;

export const TRACE_RULE_KINDS = {
  negative_feedback: "Negative feedback (a thumbs-down, or a numeric score at or below the threshold)",
  score_below: "A score (feedback or online evaluator) below a threshold",
  random_sample: "A random share of traces",
} as const;
export type TraceRuleKind = keyof typeof TRACE_RULE_KINDS;

export const traceRuleInput = z
  .object({
    name: name(80, "is required"),
    kind: z.enum(Object.keys(TRACE_RULE_KINDS) as [TraceRuleKind, ...TraceRuleKind[]], { error: "must be negative_feedback, score_below or random_sample" }),
    queue: name(200, "is required"),
    scoreName: name(200).nullable().default(null),
    threshold: z.number().nullable().default(null),
    sampleRate: z.number().gt(0, "must be above 0").max(1, "must be at most 1").nullable().default(null),
    ...scopeFields,
  })
  .superRefine((rule, ctx) => {
    if (rule.kind === "score_below" && (rule.scoreName === null || rule.threshold === null)) {
      ctx.addIssue({ code: "custom", path: [rule.scoreName === null ? "scoreName" : "threshold"], message: "is required for a score_below rule" });
    }
    if (rule.kind === "random_sample" && rule.sampleRate === null)
      ctx.addIssue({ code: "custom", path: ["sampleRate"], message: "is required for a random_sample rule" });
  });
export type TraceRuleInput = z.infer<typeof traceRuleInput>;

export const apiKeyLimitsInput = z.object({
  rateLimitPerMinute: z.number().int().min(1, "must be at least 1").max(1_000_000).nullable(),
  monthlyQuota: z.number().int().min(1, "must be at least 1").max(1_000_000_000).nullable(),
});

// ----- public API: scores -----------------------------------------------------------------

export const scoreInput = z
  .object({
    /** Client-chosen id: sending the same id again updates nothing and answers 200 (idempotent). */
    id: z.uuid({ error: "is not a UUID" }).optional(),
    traceId,
    /** The generation (span) scored; omitted: the whole trace. `observationId` is accepted as an alias. */
    spanId: spanId.optional(),
    observationId: spanId.optional(),
    name: name(200, "is required"),
    /** true/false (thumbs), a number, or a category. */
    value: z.union([z.boolean(), z.number().finite(), name(200)], { error: "must be a boolean, a number or a string" }),
    dataType: z.enum(["numeric", "boolean", "categorical"], { error: "must be numeric, boolean or categorical" }).optional(),
    comment: text(5_000).optional(),
  })
  .strict();
export type ScoreInput = z.infer<typeof scoreInput>;
