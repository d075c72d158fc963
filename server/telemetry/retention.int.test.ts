// Retention: whole day partitions older than every project's retention are dropped; a project
// that keeps less has its older spans, trace summaries, scores and rollups deleted; nothing
// younger is touched. The sweep is the worker's hourly upkeep (server/domain/observability/upkeep.ts).
import { describe, expect, it } from "vitest";
import { callerFor, createTestOrg } from "@/test/support/factories";
import { telemetryPool, writeSpans, type StoredSpan } from "./store";
import { sweepTelemetryRetention } from "../domain/observability/upkeep";
import { dashboard } from "./queries";

const DAY_US = 86_400_000_000;

function span(traceId: string, startUs: number): StoredSpan {
  return {
    traceId,
    spanId: traceId.slice(0, 16),
    parentSpanId: null,
    name: "chat",
    kind: 3,
    startUs,
    endUs: startUs + 100_000,
    statusCode: 1,
    statusMessage: null,
    serviceName: "test",
    isGeneration: true,
    model: "gpt-4o-mini",
    provider: "openai",
    inputTokens: 10,
    outputTokens: 5,
    costUsd: 0.00001,
    promptName: null,
    promptVersion: null,
    environment: null,
    userId: null,
    sessionId: null,
    input: null,
    output: null,
    attributes: {},
    events: [],
  };
}

const count = async (table: string, projectId: string) =>
  Number((await telemetryPool().query<{ n: string }>(`SELECT count(*) n FROM telemetry.${table} WHERE project_id = $1`, [projectId])).rows[0]!.n);

describe("telemetry retention", () => {
  it("drops expired day partitions and deletes what a shorter-retention project no longer keeps", async () => {
    const keeper = await createTestOrg();
    const short = await createTestOrg();
    await callerFor(short.users.admin).observability.updateSettings({
      orgSlug: short.org.slug,
      projectSlug: short.project.slug,
      retentionDays: 3,
      gatewayConnectionId: null,
      fallbackConnectionId: null,
      fallbackModel: null,
      gatewayTimeoutMs: 30_000,
    });
    const now = Date.now() * 1000;
    const ancientDay = new Date((now - 400 * DAY_US) / 1000).toISOString().slice(0, 10).replaceAll("-", "");
    await writeSpans(keeper.project.id, [span("a".repeat(32), now - 400 * DAY_US), span("b".repeat(32), now - 10 * DAY_US), span("c".repeat(32), now)]);
    await writeSpans(short.project.id, [span("d".repeat(32), now - 10 * DAY_US), span("e".repeat(32), now)]);

    const swept = await sweepTelemetryRetention();
    expect(swept.droppedPartitions).toContain(`spans_${ancientDay}`);
    // The keeper (30 days) keeps its 10-day-old span; the short project (3 days) loses its own.
    expect(await count("spans", keeper.project.id)).toBe(2);
    expect(await count("spans", short.project.id)).toBe(1);
    expect(await count("traces", short.project.id)).toBe(1);
    expect((await dashboard(short.project.id, { window: "30d" })).totals.generations).toBe(1);
    expect((await dashboard(keeper.project.id, { window: "30d" })).totals.generations).toBe(2);
    // A second sweep has nothing left to do.
    expect((await sweepTelemetryRetention()).droppedPartitions).toEqual([]);
  });
});
