import "server-only";
// One public API instance: the route table, its caches, and how they learn about changes. The
// custom server creates one per process (server/main.ts) with a LISTEN client, so changes made
// through other instances reach this one's caches within milliseconds; tests create several in
// one process to prove exactly that.
import type { IncomingMessage, ServerResponse } from "node:http";
import { onPromptChanged, PROMPT_CHANNEL } from "../domain/prompts/changes";
import { recordDenied } from "../audit/mutation";
import { ChangeListener } from "./change-listener";
import { createDispatcher } from "./http";
import { ApiKeyCache } from "./key-cache";
import { PromptCache, type PromptCacheStats } from "./prompt-cache";
import { compiledPublicRoutes } from "./routes";

/** Revocations (and future key changes), payload `{"keyId":"…"}`: sent by revokeApiKey (see docs/api.md). */
export const API_KEY_CHANNEL = "keel_apikey_changes";

export type PublicApiOptions = {
  /**
   * Hear changes committed by other Keel instances (PostgreSQL LISTEN on a dedicated connection).
   * Without it the caches are invalidated only in-process, which is right for a single instance.
   */
  listen?: { connectionString: string };
  /** Drop cache entries synchronously when this process changes a prompt (default true). */
  inProcessInvalidation?: boolean;
  promptCache?: { maxEntries?: number; maxBytes?: number };
  keyCache?: { ttlMs?: number; maxEntries?: number };
  log?: (line: string) => void;
};

export type PublicApiStats = {
  promptCache: PromptCacheStats;
  keyCache: { size: number };
  listener: { connected: boolean; connections: number; pid: number | null } | null;
};

export type PublicApi = {
  handle(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void>;
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
  const log = options.log ?? ((line: string) => console.log(`[public-api] ${line}`));
  let listener: ChangeListener | null = null;
  const prompts = new PromptCache({ ...options.promptCache, enabled: () => listener === null || listener.connected });
  const keys = new ApiKeyCache(options.keyCache);

  const unsubscribe = options.inProcessInvalidation === false ? () => {} : onPromptChanged((projectId, name) => prompts.invalidate(projectId, name));

  if (options.listen) {
    listener = new ChangeListener({
      connectionString: options.listen.connectionString,
      channels: [PROMPT_CHANNEL, API_KEY_CHANNEL],
      onNotification(channel, payload) {
        const data = parsePayload(payload);
        if (channel === PROMPT_CHANNEL) {
          if (typeof data?.projectId === "string" && typeof data.name === "string") prompts.invalidate(data.projectId, data.name);
          else prompts.clear();
        } else if (channel === API_KEY_CHANNEL) {
          if (typeof data?.keyId === "string") keys.invalidateKey(data.keyId);
          else keys.clear();
        }
      },
      // Anything cached before this connection listened may have missed a notification.
      onConnected() {
        prompts.clear();
        keys.clear();
      },
      onDisconnected() {},
      log,
    });
    void listener.start();
  }

  const dispatch = createDispatcher(
    compiledPublicRoutes,
    { prompts, keys },
    {
      recordDenied: (actor, principal, routeId, after) =>
        recordDenied(actor, { orgId: principal.orgId, projectId: principal.projectId, action: "access.denied", targetType: "procedure", targetId: routeId, after }),
    },
  );

  return {
    handle: dispatch,
    ready: () => listener?.start() ?? Promise.resolve(),
    async close() {
      unsubscribe();
      await listener?.close();
    },
    stats: () => ({
      promptCache: prompts.stats(),
      keyCache: { size: keys.size },
      listener: listener ? { connected: listener.connected, connections: listener.connections, pid: listener.pid } : null,
    }),
  };
}
