import { describe, expect, it } from "vitest";
import type { SpanView } from "@/server/contracts/observability";
import {
  buildSpanTree,
  formatMs,
  formatPercent,
  formatUsd,
  modelCallLabel,
  parseWindow,
  plainOutput,
  qualitySummaries,
  readBody,
  sharedTabQuery,
  waterfall,
} from "./model";

function span(spanId: string, parentSpanId: string | null, offsetMs: number, durationMs = 10): SpanView {
  return {
    spanId,
    parentSpanId,
    name: spanId,
    kind: 1,
    startTime: new Date(offsetMs).toISOString(),
    offsetMs,
    durationMs,
    statusCode: 0,
    statusMessage: null,
    isGeneration: false,
    model: null,
    provider: null,
    inputTokens: null,
    outputTokens: null,
    costUsd: null,
    promptName: null,
    promptVersion: null,
    environment: null,
    input: null,
    output: null,
    attributes: {},
    events: [],
    guardrails: [],
    source: "otel",
  };
}

describe("buildSpanTree", () => {
  it("nests children under their parent, siblings by start time", () => {
    const rows = buildSpanTree([span("c2", "root", 30), span("root", null, 0, 100), span("c1", "root", 5), span("g1", "c1", 6)]);
    expect(rows.map((r) => [r.span.spanId, r.depth])).toEqual([
      ["root", 0],
      ["c1", 1],
      ["g1", 2],
      ["c2", 1],
    ]);
    expect(rows[0]!.hasChildren).toBe(true);
    expect(rows[3]!.hasChildren).toBe(false);
  });

  it("makes a span whose parent is not in the trace a root", () => {
    const rows = buildSpanTree([span("a", "elsewhere", 0), span("b", "a", 1)]);
    expect(rows.map((r) => [r.span.spanId, r.depth])).toEqual([
      ["a", 0],
      ["b", 1],
    ]);
  });

  it("places every span once even when parents form a cycle", () => {
    const rows = buildSpanTree([span("a", "b", 0), span("b", "a", 1), span("c", null, 2)]);
    expect(rows.map((r) => r.span.spanId).sort()).toEqual(["a", "b", "c"]);
  });
});

describe("waterfall", () => {
  it("positions a bar relative to the trace", () => {
    expect(waterfall(250, 500, 1000)).toEqual({ left: 25, width: 50 });
  });
  it("keeps instant spans visible and inside the track", () => {
    const bar = waterfall(1000, 0, 1000);
    expect(bar.width).toBeGreaterThan(0);
    expect(bar.left + bar.width).toBeLessThanOrEqual(100);
  });
});

describe("readBody", () => {
  it("reads OpenAI-style messages", () => {
    const body = readBody(
      JSON.stringify([
        { role: "system", content: "Be brief." },
        { role: "user", content: [{ type: "text", text: "Hi" }] },
      ]),
    );
    expect(body).toEqual({
      kind: "messages",
      messages: [
        { role: "system", parts: [{ kind: "text", text: "Be brief." }] },
        { role: "user", parts: [{ kind: "text", text: "Hi" }] },
      ],
    });
  });

  it("reads the GenAI semantic-convention parts", () => {
    const body = readBody(
      JSON.stringify([
        {
          role: "assistant",
          parts: [
            { type: "text", content: "Paris." },
            { type: "tool_call", name: "lookup", arguments: { q: "x" } },
          ],
        },
      ]),
    );
    expect(body.kind).toBe("messages");
    if (body.kind !== "messages") return;
    expect(body.messages[0]!.parts[0]).toEqual({ kind: "text", text: "Paris." });
    expect(body.messages[0]!.parts[1]).toMatchObject({ kind: "data", label: "tool call lookup" });
  });

  it("pretty-prints other JSON and keeps text as text", () => {
    expect(readBody('{"a":1}')).toEqual({ kind: "json", text: '{\n  "a": 1\n}' });
    expect(readBody("[not json")).toEqual({ kind: "text", text: "[not json" });
    expect(readBody("")).toEqual({ kind: "empty" });
    expect(readBody("[]")).toEqual({ kind: "json", text: "[]" });
  });
});

describe("plainOutput", () => {
  it("takes the assistant's text out of a message array", () => {
    expect(plainOutput(JSON.stringify([{ role: "assistant", parts: [{ type: "text", content: "Paris." }] }]))).toBe("Paris.");
  });
  it("keeps plain text", () => {
    expect(plainOutput("Paris.")).toBe("Paris.");
    expect(plainOutput(null)).toBe("");
  });
});

describe("formats", () => {
  it("formats durations, money and rates", () => {
    expect(formatMs(3.25)).toBe("3.3 ms");
    expect(formatMs(420)).toBe("420 ms");
    expect(formatMs(1530)).toBe("1.53 s");
    expect(formatMs(null)).toBe("—");
    expect(formatUsd(0)).toBe("$0");
    expect(formatUsd(0.00123)).toBe("$0.0012");
    expect(formatUsd(12.5)).toBe("$12.50");
    expect(formatUsd(0.0000617)).toBe("$0.000062");
    expect(formatPercent(0.125)).toBe("13%");
    expect(formatPercent(0.0123)).toBe("1.2%");
    expect(formatPercent(null)).toBe("—");
  });
  it("accepts only known windows", () => {
    expect(parseWindow("7d", "24h")).toBe("7d");
    expect(parseWindow("2d", "24h")).toBe("24h");
    expect(parseWindow(null, "24h")).toBe("24h");
  });
});

describe("modelCallLabel", () => {
  it("names embedding calls apart from generations", () => {
    expect(modelCallLabel(span("a", null, 0))).toBeNull();
    expect(modelCallLabel({ ...span("a", null, 0), isGeneration: true, attributes: { "gen_ai.operation.name": "chat" } })).toBe("Generation");
    expect(modelCallLabel({ ...span("a", null, 0), isGeneration: true, attributes: { "gen_ai.operation.name": "embeddings" } })).toBe("Embedding");
  });
});

describe("qualitySummaries", () => {
  const feedback = { name: "user-feedback", source: "api", dataType: "boolean", count: 100, avg: 0.84, negatives: 16, positives: 84 };
  const helpfulness = { name: "helpfulness", source: "online_eval", dataType: "numeric", count: 40, avg: 3.456, negatives: 0, positives: 0 };

  it("states the thumbs counted by the query, the same ones the negative-feedback caption totals", () => {
    const s = qualitySummaries([feedback, helpfulness], (source) => source);
    expect(s.quality).toBe(
      "Average score per interval (a thumbs-up counts 1, a thumbs-down 0). user-feedback (api): 84 up, 16 down (average 0.84); helpfulness (online_eval): 3.46 over 40.",
    );
    expect(s.negative).toBe("16 thumbs-down: user-feedback 16.");
    expect(s.quality).not.toMatch(/1 up, 0 down/);
  });

  it("says so when there is nothing", () => {
    expect(qualitySummaries([helpfulness], (x) => x).negative).toBe("No negative feedback in this window.");
    expect(qualitySummaries([], (x) => x).quality).toBe("No feedback or online evaluator scores in this window.");
  });
});

describe("sharedTabQuery", () => {
  const params = (q: string) => new URLSearchParams(q);
  it("carries the window and the shared filters between the dashboard and the trace list, both ways", () => {
    expect(sharedTabQuery("dashboard", params("window=30d&prompt=support%2Freply&version=2&environment=production"), "traces")).toEqual({
      window: "30d",
      prompt: "support/reply",
      model: undefined,
      environment: "production",
    });
    expect(sharedTabQuery("traces", params("window=6h&model=gpt-4o&status=error"), "dashboard")).toEqual({
      window: "6h",
      prompt: undefined,
      model: "gpt-4o",
      environment: undefined,
    });
  });

  it("writes the window out when the pages' defaults differ, and leaves the target's default implicit", () => {
    // The dashboard's default (24 h) is not the trace list's (7 d).
    expect(sharedTabQuery("dashboard", params(""), "traces").window).toBe("24h");
    expect(sharedTabQuery("traces", params(""), "dashboard").window).toBe("7d");
    expect(sharedTabQuery("traces", params("window=24h"), "dashboard").window).toBeUndefined();
    expect(sharedTabQuery("other", params("window=30d"), "traces")).toEqual({});
  });
});
