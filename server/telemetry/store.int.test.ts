// The store's batch write (writeSpans): spans go in with COPY, which knows no ON CONFLICT, so these
// check that what COPY stores is exactly what the INSERT path stores (text escapes, NULLs, JSON),
// and that a batch holding spans already stored, or one span twice, falls back without counting
// anything twice.
import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { mergeSpans, telemetryPool, writeSpans, type StoredSpan } from "./store";

const hex = (n: number) => [...crypto.getRandomValues(new Uint8Array(n))].map((b) => b.toString(16).padStart(2, "0")).join("");
const nowUs = () => Date.now() * 1000 + 123;

function span(traceId: string, over: Partial<StoredSpan> = {}): StoredSpan {
  const start = nowUs();
  return {
    traceId,
    spanId: hex(8),
    parentSpanId: null,
    name: "chat gpt-4o-mini",
    kind: 3,
    startUs: start,
    endUs: start + 250_321,
    statusCode: 0,
    statusMessage: null,
    serviceName: "svc",
    isGeneration: true,
    model: "gpt-4o-mini",
    provider: "openai",
    inputTokens: 12,
    outputTokens: 34,
    costUsd: 0.000123,
    promptName: "support/reply",
    promptVersion: 3,
    environment: "production",
    userId: null,
    sessionId: null,
    input: "hello",
    output: "world",
    attributes: { "http.route": "/chat" },
    events: [],
    source: "otel",
    guardrails: null,
    ...over,
  };
}

/** Every stored column but the project and ingested_at, as text, in a fixed order. */
async function storedRows(projectId: string) {
  const { rows } = await telemetryPool().query(
    `SELECT trace_id, span_id, parent_span_id, name, kind, start_time::text, end_time::text, duration_ms::text, status_code, status_message, service_name,
       is_generation, model, provider, input_tokens, output_tokens, cost_usd::text, prompt_name, prompt_version, environment, user_id, session_id,
       input, output, attributes::text, events::text, source, guardrails::text
     FROM telemetry.spans WHERE project_id = $1 ORDER BY trace_id, span_id`,
    [projectId],
  );
  return rows;
}

async function traceSummary(projectId: string, traceId: string) {
  const { rows } = await telemetryPool().query<{ spans: number; generations: number; input_tokens: string }>(
    "SELECT spans, generations, input_tokens FROM telemetry.traces WHERE project_id = $1 AND trace_id = $2",
    [projectId, traceId],
  );
  return rows[0];
}

describe("writeSpans", () => {
  it("stores exactly what the INSERT path stores: escapes, NULLs, JSON and non-ASCII text", async () => {
    const traceId = hex(16);
    const nasty = "tab\there, line\nbreak, CR\r, back\\slash \\N \\t, quote \" ' , unicode → é 😀";
    const rows = [
      span(traceId, {
        name: nasty,
        statusMessage: nasty,
        input: nasty,
        output: "\\",
        userId: "\\N",
        sessionId: "",
        attributes: { nasty, nested: { json: JSON.stringify({ a: "b\\c\n" }) }, n: 1.5, list: [1, "x\ty"] },
        events: [{ name: nasty, timeUs: nowUs(), attributes: { k: "v\\" } }],
        guardrails: [{ rule: "r", kind: "pii", stage: "input", action: "flag", detail: nasty }],
        source: "gateway",
      }),
      span(traceId, {
        parentSpanId: hex(8),
        isGeneration: false,
        model: null,
        provider: null,
        inputTokens: null,
        outputTokens: null,
        costUsd: null,
        promptName: null,
        promptVersion: null,
        environment: null,
        serviceName: null,
        input: null,
        output: null,
        statusCode: 2,
        statusMessage: "",
        endUs: nowUs() + 1,
        attributes: {},
        source: undefined,
      }),
    ];
    const viaCopy = randomUUID();
    const viaInsert = randomUUID();
    expect(await writeSpans(viaCopy, rows)).toEqual({ inserted: 2, duplicates: 0 });
    // mergeSpans writes new spans with the INSERT over unnest() arrays.
    await mergeSpans(
      viaInsert,
      rows.map((r) => ({ traceId: r.traceId, spanId: r.spanId })),
      rows.map((r) => r.startUs),
      () => rows,
    );
    const copied = await storedRows(viaCopy);
    expect(copied).toHaveLength(2);
    expect(copied).toEqual(await storedRows(viaInsert));
    const first = copied.find((r) => r.span_id === rows[0]!.spanId)!;
    expect(first.name).toBe(nasty);
    expect(first.input).toBe(nasty);
    expect(first.output).toBe("\\");
    expect(first.user_id).toBe("\\N");
    expect(first.session_id).toBe("");
    expect(JSON.parse(first.attributes)).toEqual(rows[0]!.attributes);
    expect(first.source).toBe("gateway");
    const second = copied.find((r) => r.span_id === rows[1]!.spanId)!;
    expect(second.model).toBeNull();
    expect(second.events).toBeNull();
    expect(second.source).toBe("otel");
  });

  it("writes a batch larger than one COPY chunk whole, multi-byte text included", async () => {
    const projectId = randomUUID();
    const traceId = hex(16);
    // About 1.2 million characters a span, most of them 3 bytes of UTF-8: several chunks.
    const big = (i: number) => `${i}:${"€\t\\".repeat(300_000)}`;
    const rows = [0, 1, 2, 3].map((i) => span(traceId, { input: big(i), output: big(i + 10) }));
    expect(await writeSpans(projectId, rows)).toEqual({ inserted: 4, duplicates: 0 });
    const { rows: stored } = await telemetryPool().query<{ span_id: string; input: string; output: string }>(
      "SELECT span_id, input, output FROM telemetry.spans WHERE project_id = $1",
      [projectId],
    );
    expect(stored).toHaveLength(4);
    for (const [i, r] of rows.entries()) {
      const s = stored.find((x) => x.span_id === r.spanId)!;
      expect(s.input === big(i) && s.output === big(i + 10)).toBe(true);
    }
  });

  it("writes and counts only the spans not stored yet when a batch repeats some", async () => {
    const projectId = randomUUID();
    const traceId = hex(16);
    const [a, b, c] = [span(traceId), span(traceId), span(traceId)];
    expect(await writeSpans(projectId, [a, b])).toEqual({ inserted: 2, duplicates: 0 });
    expect(await writeSpans(projectId, [b, c])).toEqual({ inserted: 1, duplicates: 1 });
    expect(await writeSpans(projectId, [a, b, c])).toEqual({ inserted: 0, duplicates: 3 });
    expect(await storedRows(projectId)).toHaveLength(3);
    expect(await traceSummary(projectId, traceId)).toEqual({ spans: 3, generations: 3, input_tokens: "36" });
  });

  it("stores and counts a span sent twice in one batch once", async () => {
    const projectId = randomUUID();
    const traceId = hex(16);
    const a = span(traceId);
    const b = span(traceId);
    expect(await writeSpans(projectId, [a, b, { ...a, name: "the same span again" }])).toEqual({ inserted: 2, duplicates: 1 });
    const stored = await storedRows(projectId);
    expect(stored).toHaveLength(2);
    expect(stored.find((r) => r.span_id === a.spanId)!.name).toBe(a.name);
    expect(await traceSummary(projectId, traceId)).toEqual({ spans: 2, generations: 2, input_tokens: "24" });
  });
});
