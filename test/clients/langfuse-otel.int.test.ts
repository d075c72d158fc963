// The OpenTelemetry-based Langfuse SDKs against Keel (v5 and the previous major, v4): observations
// made with @langfuse/tracing, exported by @langfuse/otel's LangfuseSpanProcessor (to
// `${baseUrl}/api/public/otel/v1/traces`, Keel's OTLP endpoint: the only way spans get in), scored with the matching @langfuse/client's score.create. They live in the client kit
// (test/clients) because their OpenTelemetry peers (2.x) conflict with the app's (3.x).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { NodeTracerProvider } from "@opentelemetry/sdk-trace-node";
import * as tracingV5 from "@langfuse/tracing";
import * as otelV5 from "@langfuse/otel";
import * as clientV5 from "@langfuse/client";
import * as tracingV4 from "langfuse-tracing-v4";
import * as otelV4 from "langfuse-otel-v4";
import * as clientV4 from "langfuse-client-v4";
import { createKey, startPublicApi, type RunningApi } from "@/test/support/public-api";
import { createTestOrg } from "@/test/support/factories";
import { dashboard, getTrace } from "@/server/telemetry/queries";

let api: RunningApi;
beforeAll(async () => {
  api = await startPublicApi();
});
afterAll(() => api.close());

type Kit = { tracing: typeof tracingV5; otel: typeof otelV5; client: typeof clientV5 };
const kits: [string, Kit][] = [
  ["v5", { tracing: tracingV5, otel: otelV5, client: clientV5 }],
  ["v4", { tracing: tracingV4 as unknown as typeof tracingV5, otel: otelV4 as unknown as typeof otelV5, client: clientV4 as unknown as typeof clientV5 }],
];

describe.each(kits)("@langfuse/tracing + @langfuse/otel + @langfuse/client %s against Keel", (_version, kit) => {
  it("exports observations to /api/public/otel/v1/traces with their types, usage and prompt link; scores land on them", async () => {
    const t = await createTestOrg();
    const key = await createKey(t, ["traces:ingest"]);
    const credentials = { publicKey: key.publicKey, secretKey: key.secret, baseUrl: api.base };
    const processor = new kit.otel.LangfuseSpanProcessor({ ...credentials, exportMode: "immediate" });
    const provider = new NodeTracerProvider({ spanProcessors: [processor] });
    kit.tracing.setLangfuseTracerProvider(provider);
    try {
      const root = kit.tracing.startObservation("handle-request", { input: { question: "Where is my order?" } });
      const generation = root.startObservation(
        "llm-call",
        {
          model: "gpt-4o-mini",
          input: [{ role: "user", content: "Where is my order?" }],
          prompt: { name: "support/reply", version: 2, isFallback: false } as never,
        },
        { asType: "generation" },
      );
      generation.update({ output: { role: "assistant", content: "It ships today." }, usageDetails: { input: 100, output: 20 } }).end();
      root.startObservation("lookup-order", { input: { id: 7 } }, { asType: "tool" }).end();
      root.startObservation("cache-miss", {}, { asType: "event" });
      root.update({ output: "It ships today." }).end();
      await provider.forceFlush();

      const langfuse = new kit.client.LangfuseClient(credentials);
      langfuse.score.create({ traceId: root.traceId, observationId: generation.id, name: "accuracy", value: 0.8 });
      langfuse.score.create({ traceId: root.traceId, name: "thumbs", value: 1, dataType: "BOOLEAN" });
      await langfuse.score.flush();

      const detail = (await getTrace(t.project.id, root.traceId))!;
      expect(detail.trace).toMatchObject({
        name: "handle-request",
        spans: 4,
        generations: 1,
        inputTokens: 100,
        outputTokens: 20,
        promptName: "support/reply",
        promptVersion: 2,
        model: "gpt-4o-mini",
      });
      const gen = detail.spans.find((s) => s.spanId === generation.id)!;
      expect(gen).toMatchObject({
        isGeneration: true,
        model: "gpt-4o-mini",
        inputTokens: 100,
        outputTokens: 20,
        promptName: "support/reply",
        promptVersion: 2,
      });
      expect(JSON.parse(gen.output!)).toEqual({ role: "assistant", content: "It ships today." });
      expect(gen.costUsd).toBeGreaterThan(0);
      const tool = detail.spans.find((s) => s.name === "lookup-order")!;
      expect(tool).toMatchObject({ isGeneration: false });
      expect(tool.attributes["langfuse.observation.type"]).toBe("tool");
      expect(detail.spans.find((s) => s.name === "cache-miss")!.attributes["langfuse.observation.type"]).toBe("event");
      expect(detail.trace.scores.map((s) => [s.name, s.value, s.spanId]).sort()).toEqual([
        ["accuracy", 0.8, generation.id],
        ["thumbs", 1, null],
      ]);
      const board = await dashboard(t.project.id, { window: "1h" });
      expect(board.totals).toMatchObject({ generations: 1, inputTokens: 100, outputTokens: 20 });
      expect(board.breakdown[0]).toMatchObject({ promptName: "support/reply", promptVersion: 2, model: "gpt-4o-mini" });
      expect(board.quality.totals.map((q) => q.name).sort()).toEqual(["accuracy", "thumbs"]);
      await langfuse.shutdown();
    } finally {
      await provider.shutdown();
    }
  });
});
