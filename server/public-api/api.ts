import "server-only";
// One public API instance: the route table, its caches, and how they learn about changes. The
// custom server creates one per process (server/main.ts) with a LISTEN client, so changes made
// through other instances reach this one's caches within milliseconds; tests create several in
// one process to prove exactly that.
import { onPromptChanged, PROMPT_CHANNEL } from "../domain/prompts/changes";
import { APIKEY_CHANNEL, onApiKeyChanged } from "../domain/api-keys/changes";
import { recordAccessDenied } from "../rbac/access";
import { ChangeListener } from "./change-listener";
import { createDispatcher, type Dispatch } from "./http";
import { ApiKeyCache } from "./key-cache";
import { PromptCache, type PromptCacheStats } from "./prompt-cache";
import { compiledPublicRoutes } from "./routes";
import { createGateway, type Gateway } from "../gateway/gateway";
import { createIngestPool } from "../telemetry/ingest-pool";
import { logger } from "../runtime/log";

const publicApiLog = logger("public-api");

export type PublicApiOptions = {
  /**
   * Hear changes committed by other Keel instances (PostgreSQL LISTEN on a dedicated connection).
   * Without it the caches are invalidated only in-process, which is right for a single instance.
   */
  listen?: { connectionString: string };
  /** Drop cache entries synchronously when this process changes a prompt or revokes a key (default true). */
  inProcessInvalidation?: boolean;
  promptCache?: { maxEntries?: number; maxBytes?: number };
  /** Worker threads for OTLP ingestion (default KEEL_INGEST_THREADS, else 1; 0: the main thread). */
  ingestThreads?: number;
  keyCache?: { ttlMs?: number; maxEntries?: number; staleIfErrorMs?: number };
  log?: (line: string) => void;
};

export type PublicApiStats = {
  promptCache: PromptCacheStats;
  keyCache: { size: number };
  listener: { connected: boolean; connections: number; pid: number | null } | null;
};

export type PublicApi = {
  /** Answers a request whose target starts with /api/public/ (see Dispatch). */
  handle: Dispatch;
  /** The OpenAI-compatible gateway (/api/gateway/), sharing this instance's API-key cache. */
  gateway: Gateway;
  /** Resolves once the LISTEN client listens (at once without one). */
  ready(): Promise<void>;
  close(): Promise<void>;
  stats(): PublicApiStats;
};

function parsePayload(payload: string): Record<string, unknown> | null {
  try {
    const value = JSON.parse(payload) as unknown;
    return typeof value === "object" && value !== null ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

export function createPublicApi(options: PublicApiOptions = {}): PublicApi {
  const log = options.log ?? ((line: string) => publicApiLog.info(line));
  let listener: ChangeListener | null = null;
  const prompts = new PromptCache({ ...options.promptCache, enabled: () => listener === null || listener.connected });
  const keys = new ApiKeyCache(options.keyCache);

  const subscriptions =
    options.inProcessInvalidation === false
      ? []
      : [onPromptChanged((projectId, name) => prompts.invalidate(projectId, name)), onApiKeyChanged((change) => keys.invalidate(change))];

  if (options.listen) {
    listener = new ChangeListener({
      connectionString: options.listen.connectionString,
      channels: [PROMPT_CHANNEL, APIKEY_CHANNEL],
      onNotification(channel, payload) {
        const data = parsePayload(payload);
        if (channel === PROMPT_CHANNEL) {
          if (typeof data?.projectId === "string" && typeof data.name === "string") prompts.invalidate(data.projectId, data.name);
          else prompts.clear();
        } else if (channel === APIKEY_CHANNEL) {
          if (typeof data?.keyId === "string")
            keys.invalidate({ keyId: data.keyId, secretHash: typeof data.secretHash === "string" ? data.secretHash : undefined });
          else keys.clear();
        }
      },
      // Anything cached before this connection listened may have missed a notification.
      onConnected() {
        prompts.clear();
        keys.clear();
      },
      // Until it listens again the cache is bypassed; what it held was current until now.
      onDisconnected() {
        prompts.suspend();
      },
      log,
    });
    void listener.start();
  }

  const ingestion = createIngestPool(options.ingestThreads);
  const dispatch = createDispatcher(
    compiledPublicRoutes,
    { prompts, keys, ingest: ingestion.ingest, ingestLangfuse: ingestion.ingestLangfuse },
    {
      recordDenied: (actor, principal, routeId, after) => recordAccessDenied(actor, principal, routeId, after),
    },
  );

  const gateway = createGateway({ keys });

  return {
    handle: dispatch,
    gateway,
    ready: async () => {
      await Promise.all([listener?.start(), ingestion.ready()]);
    },
    async close() {
      for (const unsubscribe of subscriptions) unsubscribe();
      await listener?.close();
      await gateway.close();
      await ingestion.close();
    },
    stats: () => ({
      promptCache: prompts.stats(),
      keyCache: { size: keys.size },
      listener: listener ? { connected: listener.connected, connections: listener.connections, pid: listener.pid } : null,
    }),
  };
}
