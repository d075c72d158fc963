// A Keel gateway on a real port for client tests: the public API, the fake OpenAI-compatible
// provider as the project's gateway connection, an org with a `gateway:invoke` key, and the means
// to read back the trace span each model call wrote (by the x-keel-trace-id header of its answer).
import { vi } from "vitest";
import { getTrace } from "@/server/telemetry/queries";
import { startPublicApi, createKey, type RunningApi, type TestKey } from "./public-api";
import { startFakeOpenAI, type FakeProviderServer } from "./fake-openai";
import { callerFor, createTestOrg, type TestOrg } from "./factories";

export type GatewayFixture = {
  api: RunningApi;
  fake: FakeProviderServer;
  t: TestOrg;
  key: TestKey;
  /** The gateway's OpenAI base URL: `<keel>/api/gateway/v1`. */
  base: string;
  /** The fake's connection, the project's gateway connection. */
  providerId: string;
  close(): Promise<void>;
};

export async function startGateway(): Promise<GatewayFixture> {
  vi.stubEnv("KEEL_EGRESS_ALLOW", "127.0.0.0/8");
  const [api, fake] = await Promise.all([startPublicApi(), startFakeOpenAI()]);
  const t = await createTestOrg();
  const key = await createKey(t, ["gateway:invoke"]);
  const scope = { orgSlug: t.org.slug, projectSlug: t.project.slug };
  const admin = callerFor(t.users.admin);
  const providerId = (
    await admin.providers.create({
      ...scope,
      name: "Primary",
      kind: "openai_compatible",
      baseUrl: fake.url,
      apiKey: "sk-test-1234567890",
      defaultModel: "gpt-4o-mini",
    })
  ).id;
  await admin.observability.updateSettings({
    ...scope,
    retentionDays: 30,
    gatewayConnectionId: providerId,
    fallbackConnectionId: null,
    fallbackModel: null,
    gatewayTimeoutMs: 5_000,
  });
  return {
    api,
    fake,
    t,
    key,
    base: `${api.base}/api/gateway/v1`,
    providerId,
    async close() {
      vi.unstubAllEnvs();
      await api.close();
      await fake.close();
    },
  };
}

/** The trace a gateway call wrote (after flushing the span logger), with its spans. */
export async function gatewayTrace(g: GatewayFixture, traceId: string) {
  await g.api.api.gateway.logger.flush();
  const detail = await getTrace(g.t.project.id, traceId);
  if (!detail) throw new Error(`No trace ${traceId} in the project`);
  return detail;
}

/**
 * A fetch for SDKs that take one (the openai client's `fetch` option) that keeps the
 * x-keel-trace-id of every gateway answer, in order: one per model call the SDK made.
 */
export function traceIdRecorder() {
  const traceIds: string[] = [];
  const recordingFetch: typeof fetch = async (input, init) => {
    const res = await fetch(input, init);
    const id = res.headers.get("x-keel-trace-id");
    if (id) traceIds.push(id);
    return res;
  };
  return { fetch: recordingFetch, traceIds };
}
