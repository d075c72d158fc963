import "server-only";
// What the gateway needs per project, cached so a call costs no database round trip: the
// settings (routing, fallback, timeout), the compiled guardrails per prompt and environment, the
// model prices, provider clients per connection (keys decrypted once), and resolved prompts per
// name and label. Entries live a few seconds and are dropped at once when this process commits a
// change (prompt labels, observability settings); other instances pick changes up within the TTL.
import { getDb, type ReadDb } from "../db/client";
import { DEFAULT_TELEMETRY_SETTINGS, type TelemetrySettingsInput } from "../contracts/observability";
import { onPromptChanged } from "../domain/prompts/changes";
import { resolvePrompt, type ResolvedPrompt } from "../domain/prompts/queries";
import { providerForCall, SIMULATED_PROVIDER_NAME } from "../domain/providers/connections";
import { onObservabilityChanged } from "../domain/observability/settings";
import { createProvider, type PriceRow, type Provider } from "../providers";
import { compileGuardrails, type CompiledGuardrails, type GuardrailRule } from "./guardrails";
import { storedGuardrailConfig } from "./guardrails/schemas";
import { logger } from "../runtime/log";

const log = logger("gateway");

const TTL_MS = 5_000;
const PROVIDER_TTL_MS = 30_000;

type GuardrailRow = GuardrailRule & { promptName: string | null; environment: string | null };

export type ProjectGateway = {
  settings: TelemetrySettingsInput;
  simulatedConnectionId: string | null;
  prices: PriceRow[];
  guardrails: GuardrailRow[];
  compiled: Map<string, CompiledGuardrails>;
  loadedAt: number;
};

export type Connection = { id: string; name: string; kind: string; defaultModel: string | null; provider: Provider; loadedAt: number };

export class GatewayConfig {
  private readonly projects = new Map<string, Promise<ProjectGateway>>();
  private readonly prompts = new Map<string, { value: Promise<ResolvedPrompt | null>; loadedAt: number }>();
  private readonly connections = new Map<string, Promise<Connection>>();
  private readonly unsubscribe: (() => void)[];

  constructor(private readonly db: () => ReadDb = () => getDb() as unknown as ReadDb) {
    this.unsubscribe = [
      onObservabilityChanged((projectId) => {
        this.projects.delete(projectId);
        this.connections.clear();
      }),
      onPromptChanged((projectId, name) => {
        for (const key of this.prompts.keys()) if (key.startsWith(`${projectId}\u0000${name}\u0000`)) this.prompts.delete(key);
      }),
    ];
  }

  close() {
    for (const u of this.unsubscribe) u();
  }

  async project(projectId: string, now = Date.now()): Promise<ProjectGateway> {
    const cached = this.projects.get(projectId);
    if (cached) {
      const value = await cached;
      if (now - value.loadedAt < TTL_MS) return value;
    }
    const loading = this.load(projectId);
    this.projects.set(projectId, loading);
    loading.catch(() => this.projects.delete(projectId));
    return loading;
  }

  private async load(projectId: string): Promise<ProjectGateway> {
    const db = this.db();
    const [settings, simulated, prices, rows] = await Promise.all([
      db.telemetrySettings.findUnique({ where: { projectId } }),
      db.providerConnection.findFirst({ where: { projectId, kind: "simulated", name: SIMULATED_PROVIDER_NAME }, select: { id: true } }),
      db.modelPrice.findMany({ where: { projectId }, select: { model: true, inputPerMillion: true, outputPerMillion: true } }),
      db.guardrail.findMany({ where: { projectId, enabled: true }, orderBy: { name: "asc" } }),
    ]);
    const guardrails: GuardrailRow[] = [];
    for (const r of rows) {
      // A stored configuration that no longer parses (an older format) is skipped, never fatal. One
      // whose patterns the engine now refuses still parses: the engine reports it on each call.
      const config = storedGuardrailConfig.safeParse(r.config);
      if (config.success)
        guardrails.push({
          id: r.id,
          name: r.name,
          stage: r.stage,
          action: r.action,
          config: config.data,
          promptName: r.promptName,
          environment: r.environment,
        });
      else log.warn(`guardrail "${r.name}" has an invalid configuration and is skipped`, { guardrailId: r.id });
    }
    return {
      settings: settings
        ? {
            retentionDays: settings.retentionDays,
            gatewayConnectionId: settings.gatewayConnectionId,
            fallbackConnectionId: settings.fallbackConnectionId,
            fallbackModel: settings.fallbackModel,
            gatewayTimeoutMs: settings.gatewayTimeoutMs,
          }
        : { ...DEFAULT_TELEMETRY_SETTINGS },
      simulatedConnectionId: simulated?.id ?? null,
      prices,
      guardrails,
      compiled: new Map(),
      loadedAt: Date.now(),
    };
  }

  /** The guardrails that apply to a call of this prompt (null: a plain model call) through this label. */
  guardrailsFor(project: ProjectGateway, promptName: string | null, environment: string | null): CompiledGuardrails | null {
    const key = `${promptName ?? ""}\u0000${environment ?? ""}`;
    let compiled = project.compiled.get(key);
    if (!compiled) {
      const rules = project.guardrails.filter(
        (g) => (g.promptName === null || g.promptName === promptName) && (g.environment === null || g.environment === environment),
      );
      compiled = compileGuardrails(rules);
      project.compiled.set(key, compiled);
    }
    return compiled.hasInput || compiled.hasOutput ? compiled : null;
  }

  async prompt(projectId: string, name: string, label: string, now = Date.now()): Promise<ResolvedPrompt | null> {
    const key = `${projectId}\u0000${name}\u0000${label}`;
    const cached = this.prompts.get(key);
    if (cached && now - cached.loadedAt < TTL_MS) return cached.value;
    const value = resolvePrompt(this.db(), projectId, name, { label });
    this.prompts.set(key, { value, loadedAt: now });
    value.catch(() => this.prompts.delete(key));
    return value;
  }

  /** Every label of every prompt in the project (the gateway's model list). */
  async labels(projectId: string): Promise<{ prompt: string; label: string; updatedAt: Date }[]> {
    const rows = await this.db().promptLabel.findMany({
      where: { prompt: { projectId } },
      select: { name: true, updatedAt: true, prompt: { select: { name: true } } },
      orderBy: [{ prompt: { name: "asc" } }, { name: "asc" }],
    });
    return rows.map((r) => ({ prompt: r.prompt.name, label: r.name, updatedAt: r.updatedAt }));
  }

  async connection(projectId: string, id: string, timeoutMs: number, now = Date.now()): Promise<Connection> {
    const key = `${projectId}\u0000${id}\u0000${timeoutMs}`;
    const cached = this.connections.get(key);
    if (cached) {
      const value = await cached;
      if (now - value.loadedAt < PROVIDER_TTL_MS) return value;
    }
    const loading = providerForCall(this.db(), projectId, id).then((c) => ({
      id,
      name: c.name ?? "provider",
      kind: c.kind,
      defaultModel: c.defaultModel,
      // No retries inside the gateway: a failure goes to the fallback connection instead. Calls go
      // through the egress policy's keep-alive node:http agents (cheaper per call than the WHATWG fetch).
      provider: createProvider(c, { timeoutMs, maxRetries: 0 }),
      loadedAt: Date.now(),
    }));
    this.connections.set(key, loading);
    loading.catch(() => this.connections.delete(key));
    return loading;
  }
}
