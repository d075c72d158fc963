// Client-side helpers of the observability pages: addresses, number formats, the filters kept in
// the address, the span tree of a trace, and reading captured model input/output (message arrays
// in the several shapes instrumentations send) for display. Pure functions: unit-tested.
import { WINDOWS, WINDOW_NAMES, type QualityTotal, type ScoreView, type SpanView, type WindowName } from "@/server/contracts/observability";

// ----- addresses ---------------------------------------------------------------------------

type Query = Record<string, string | number | undefined | null>;

function withQuery(path: string, query?: Query): string {
  const qs = new URLSearchParams();
  for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined && v !== null && v !== "") qs.set(k, String(v));
  const s = qs.toString();
  return s ? `${path}?${s}` : path;
}

export const observabilityHref = (orgSlug: string, projectSlug: string, query?: Query) => withQuery(`/o/${orgSlug}/p/${projectSlug}/observability`, query);
export const observabilitySettingsHref = (orgSlug: string, projectSlug: string) => `/o/${orgSlug}/p/${projectSlug}/observability/settings`;
export const tracesHref = (orgSlug: string, projectSlug: string, query?: Query) => withQuery(`/o/${orgSlug}/p/${projectSlug}/traces`, query);
export const traceHref = (orgSlug: string, projectSlug: string, traceId: string, spanId?: string) =>
  withQuery(`/o/${orgSlug}/p/${projectSlug}/traces/${traceId}`, { span: spanId });

// ----- filters in the address --------------------------------------------------------------

/** The window each page shows when the address names none. */
export const DEFAULT_WINDOW = { dashboard: "24h", traces: "7d" } as const satisfies Record<string, WindowName>;

/**
 * The address query the Dashboard and Traces tabs link with, so the window and the filters both
 * pages share (prompt, model, environment) carry over between them. `from` is the page the tabs
 * are on and its query; a window is written out unless it is the target page's default.
 */
export function sharedTabQuery(from: "dashboard" | "traces" | "other", params: URLSearchParams, to: "dashboard" | "traces"): Query {
  if (from === "other") return {};
  const window = parseWindow(params.get("window"), DEFAULT_WINDOW[from]);
  return {
    window: window === DEFAULT_WINDOW[to] ? undefined : window,
    prompt: parseText(params.get("prompt")),
    model: parseText(params.get("model")),
    environment: parseText(params.get("environment"), 64),
  };
}

export function parseWindow(value: string | null, fallback: WindowName): WindowName {
  return (WINDOW_NAMES as readonly string[]).includes(value ?? "") ? (value as WindowName) : fallback;
}

export const WINDOW_OPTIONS = WINDOW_NAMES.map((name) => ({ name, label: WINDOWS[name].label }));

/** A positive whole number from the address, else undefined. */
export function parsePositiveInt(value: string | null): number | undefined {
  const n = Number(value);
  return value && Number.isInteger(n) && n > 0 ? n : undefined;
}

/** A text filter from the address: trimmed, capped, undefined when empty. */
export function parseText(value: string | null, max = 200): string | undefined {
  const v = (value ?? "").trim().slice(0, max);
  return v || undefined;
}

// ----- numbers -----------------------------------------------------------------------------

// Shared with the other feature folders; re-exported so this folder keeps one import.
export { formatMs, formatUsd } from "@/components/lib/format";
import { formatCount } from "@/components/lib/format";

/** 1234 → "1.2k", 2_500_000 → "2.5M" (exact counts: formatCount in components/lib/format). */
export function formatCompact(n: number | null | undefined): string {
  if (n === null || n === undefined) return "—";
  const abs = Math.abs(n);
  if (abs >= 1e9) return `${trim(n / 1e9)}B`;
  if (abs >= 1e6) return `${trim(n / 1e6)}M`;
  if (abs >= 1e4) return `${trim(n / 1e3)}k`;
  return Math.round(n).toLocaleString("en-US");
}

function trim(v: number): string {
  return v >= 100 ? String(Math.round(v)) : String(Number(v.toFixed(1)));
}

export function formatPercent(rate: number | null | undefined): string {
  if (rate === null || rate === undefined) return "—";
  const pct = rate * 100;
  if (pct === 0) return "0%";
  if (pct < 0.1) return "<0.1%";
  return `${pct < 10 ? pct.toFixed(1) : Math.round(pct)}%`;
}

/** Axis and tooltip labels of a chart point: the time of day for short windows, the date for long ones. */
export function formatPointTime(iso: string, window: WindowName): string {
  const d = new Date(iso);
  if (window === "1h" || window === "6h" || window === "24h") return d.toLocaleTimeString(undefined, { hour: "2-digit", minute: "2-digit", hour12: false });
  if (window === "7d")
    return `${d.toLocaleDateString(undefined, { month: "short", day: "numeric" })} ${d.toLocaleTimeString(undefined, { hour: "2-digit", minute: "2-digit", hour12: false })}`;
  return (
    d.toLocaleDateString(undefined, { month: "short", day: "numeric" }) +
    (d.getHours() || d.getMinutes() ? ` ${d.toLocaleTimeString(undefined, { hour: "2-digit", minute: "2-digit", hour12: false })}` : "")
  );
}

// ----- scores ------------------------------------------------------------------------------

export const SOURCE_LABELS: Record<string, string> = { api: "Feedback", online_eval: "Online evaluator" };
export const sourceLabel = (source: string) => SOURCE_LABELS[source] ?? source;

/** A score's value as people read it: thumbs for booleans, the category, or the number. */
export function scoreText(s: Pick<ScoreView, "dataType" | "value" | "stringValue">): string {
  if (s.dataType === "boolean") return s.value === 1 ? "positive" : s.value === 0 ? "negative" : "—";
  if (s.dataType === "categorical") return s.stringValue ?? (s.value === null ? "—" : String(s.value));
  return s.value === null ? "—" : String(Number(s.value.toFixed(3)));
}

/** What a model-call span is called: an embedding call counts its tokens and cost like a generation but is no generation. */
export function modelCallLabel(span: Pick<SpanView, "isGeneration" | "attributes">): "Generation" | "Embedding" | null {
  if (!span.isGeneration) return null;
  return span.attributes["gen_ai.operation.name"] === "embeddings" ? "Embedding" : "Generation";
}

export const isNegative = (s: Pick<ScoreView, "dataType" | "value">) => s.dataType === "boolean" && s.value === 0;
export const isPositive = (s: Pick<ScoreView, "dataType" | "value">) => s.dataType === "boolean" && s.value === 1;

// ----- the span tree -----------------------------------------------------------------------

export type TreeRow = { span: SpanView; depth: number; hasChildren: boolean };

/**
 * Spans in tree order (depth first, siblings by start time). A span whose parent is not in the
 * trace (not received yet, or another service's) is a root. Cycles (a broken exporter) cannot
 * loop: every span is placed once.
 */
export function buildSpanTree(spans: readonly SpanView[]): TreeRow[] {
  const ids = new Set(spans.map((s) => s.spanId));
  const children = new Map<string | null, SpanView[]>();
  for (const s of spans) {
    const parent = s.parentSpanId && ids.has(s.parentSpanId) && s.parentSpanId !== s.spanId ? s.parentSpanId : null;
    const list = children.get(parent) ?? [];
    list.push(s);
    children.set(parent, list);
  }
  for (const list of children.values()) list.sort((a, b) => a.offsetMs - b.offsetMs || a.spanId.localeCompare(b.spanId));
  const out: TreeRow[] = [];
  const placed = new Set<string>();
  const visit = (s: SpanView, depth: number) => {
    if (placed.has(s.spanId)) return;
    placed.add(s.spanId);
    const kids = children.get(s.spanId) ?? [];
    out.push({ span: s, depth, hasChildren: kids.length > 0 });
    for (const k of kids) visit(k, depth + 1);
  };
  for (const root of children.get(null) ?? []) visit(root, 0);
  // Spans only reachable through a cycle: shown as roots rather than lost.
  for (const s of [...spans].sort((a, b) => a.offsetMs - b.offsetMs)) visit(s, 0);
  return out;
}

/** The waterfall bar of a span, as percentages of the trace's duration (a minimum width keeps instant spans visible). */
export function waterfall(offsetMs: number, durationMs: number, totalMs: number): { left: number; width: number } {
  const total = Math.max(totalMs, offsetMs + durationMs, 0.001);
  const left = Math.min(Math.max((offsetMs / total) * 100, 0), 99.5);
  const width = Math.max(Math.min((durationMs / total) * 100, 100 - left), 0.5);
  return { left, width };
}

// ----- captured input and output -----------------------------------------------------------

export type MessagePart = { kind: "text"; text: string } | { kind: "data"; label: string; value: string };
export type ChatMessage = { role: string; parts: MessagePart[] };

const asRecord = (v: unknown): Record<string, unknown> | null => (v && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : null);

function stringify(v: unknown): string {
  if (typeof v === "string") return v;
  try {
    return JSON.stringify(v, null, 2) ?? String(v);
  } catch {
    return String(v);
  }
}

/** One content part: OpenAI's {type:"text", text}, the semconv's {type:"text", content}, or anything else as data. */
function toPart(p: unknown): MessagePart {
  if (typeof p === "string") return { kind: "text", text: p };
  const r = asRecord(p);
  if (!r) return { kind: "data", label: "value", value: stringify(p) };
  const type = typeof r.type === "string" ? r.type : "";
  if ((type === "text" || type === "" || type === "input_text" || type === "output_text") && (typeof r.text === "string" || typeof r.content === "string")) {
    return { kind: "text", text: (typeof r.text === "string" ? r.text : r.content) as string };
  }
  if (type === "tool_call" || type === "function_call") {
    const name = typeof r.name === "string" ? r.name : "tool";
    return { kind: "data", label: `tool call ${name}`, value: stringify(r.arguments ?? r) };
  }
  if (type === "tool_call_response") return { kind: "data", label: "tool result", value: stringify(r.response ?? r.result ?? r) };
  return { kind: "data", label: type || "data", value: stringify(r) };
}

function toMessage(m: unknown): ChatMessage | null {
  const r = asRecord(m);
  if (!r || typeof r.role !== "string") return null;
  const parts: MessagePart[] = [];
  const content = r.content ?? r.parts;
  if (typeof content === "string") parts.push({ kind: "text", text: content });
  else if (Array.isArray(content)) parts.push(...content.map(toPart));
  else if (content !== undefined && content !== null) parts.push(toPart(content));
  // OpenAI-style tool calls beside the content.
  if (Array.isArray(r.tool_calls)) {
    for (const call of r.tool_calls) {
      const c = asRecord(call);
      const fn = asRecord(c?.function);
      parts.push({ kind: "data", label: `tool call ${typeof fn?.name === "string" ? fn.name : "tool"}`, value: stringify(fn?.arguments ?? call) });
    }
  }
  return { role: r.role, parts };
}

export type Body = { kind: "empty" } | { kind: "messages"; messages: ChatMessage[] } | { kind: "json"; text: string } | { kind: "text"; text: string };

/**
 * How to show a captured input or output: a message array as role-labelled messages, other JSON
 * pretty-printed, anything else as text.
 */
export function readBody(raw: string | null | undefined): Body {
  if (raw === null || raw === undefined || raw === "") return { kind: "empty" };
  const trimmed = raw.trim();
  if (trimmed.startsWith("[") || trimmed.startsWith("{")) {
    try {
      const parsed = JSON.parse(trimmed) as unknown;
      const list = Array.isArray(parsed) ? parsed : asRecord(parsed) && typeof asRecord(parsed)!.role === "string" ? [parsed] : null;
      if (list && list.length > 0) {
        const messages = list.map(toMessage);
        if (messages.every((m): m is ChatMessage => m !== null)) return { kind: "messages", messages };
      }
      return { kind: "json", text: JSON.stringify(parsed, null, 2) };
    } catch {
      // Not JSON after all: plain text.
    }
  }
  return { kind: "text", text: raw };
}

/** The text of an output, for an expected answer: the assistant messages' text, else the raw output. */
export function plainOutput(raw: string | null | undefined): string {
  const body = readBody(raw);
  if (body.kind === "empty") return "";
  if (body.kind !== "messages") return raw ?? "";
  const texts = body.messages
    .filter((m) => m.role !== "system" && m.role !== "user")
    .flatMap((m) => m.parts.filter((p) => p.kind === "text").map((p) => p.text));
  return texts.length ? texts.join("\n\n") : (raw ?? "");
}

/** An attribute value for the key/value table (JSON held in a string is pretty-printed too). */
export function attributeText(v: unknown): string {
  if (v === null) return "null";
  if (typeof v !== "string") return stringify(v);
  const t = v.trim();
  if (!(t.startsWith("{") || t.startsWith("["))) return v;
  try {
    return JSON.stringify(JSON.parse(t), null, 2);
  } catch {
    return v;
  }
}

// ----- quality ------------------------------------------------------------------------------

const qualityNumber = (v: number) => String(Number(v.toFixed(2)));

/**
 * The quality chart's caption and the negative-feedback chart's, from the same totals (one query:
 * thumbs-up and thumbs-down are boolean scores of 1 and 0), so the two can never disagree.
 */
export function qualitySummaries(totals: QualityTotal[], sourceName: (source: string) => string): { quality: string; negative: string } {
  if (!totals.length) return { quality: "No feedback or online evaluator scores in this window.", negative: "No negative feedback in this window." };
  const parts = totals.map((q) => {
    const label = `${q.name} (${sourceName(q.source)})`;
    const avg = q.avg === null ? "no value" : qualityNumber(q.avg);
    if (q.dataType === "boolean") return `${label}: ${formatCount(q.positives)} up, ${formatCount(q.negatives)} down (average ${avg})`;
    return `${label}: ${avg} over ${formatCount(q.count)}`;
  });
  const booleans = totals.some((q) => q.dataType === "boolean");
  const quality = `Average score per interval${booleans ? " (a thumbs-up counts 1, a thumbs-down 0)" : ""}. ${parts.join("; ")}.`;
  const negatives = totals.filter((q) => q.negatives > 0);
  const total = negatives.reduce((sum, q) => sum + q.negatives, 0);
  const negative = total
    ? `${formatCount(total)} thumbs-down: ${negatives.map((q) => `${q.name} ${formatCount(q.negatives)}`).join(", ")}.`
    : "No negative feedback in this window.";
  return { quality, negative };
}
