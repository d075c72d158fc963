// Helpers for public API integration tests: Keel's real request handler on a real port (with its
// own public API instance, so a test can run several "instances" in one process), API keys, and
// prompts created through the domain functions on the audited path.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createRequestHandler } from "@/server/runtime/request-handler";
import { createPublicApi, type PublicApi, type PublicApiOptions } from "@/server/public-api/api";
import { runAudited } from "@/server/audit/mutation";
import { systemActor } from "@/server/audit/actor";
import { createApiKey, revokeApiKey } from "@/server/domain/api-keys/api-keys";
import { createPrompt, createVersion } from "@/server/domain/prompts/versions";
import { moveLabel, setEnvironmentProtection } from "@/server/domain/prompts/labels";
import { getDb } from "@/server/db/client";
import type { ApiKeyScope } from "@/server/contracts/permissions";
import type { VersionContent } from "@/server/contracts/prompts";
import type { TestOrg } from "./factories";

export type RunningApi = { base: string; api: PublicApi; server: Server; close(): Promise<void> };

export async function startPublicApi(options: PublicApiOptions = {}): Promise<RunningApi> {
  const api = createPublicApi({ log: () => {}, ...options });
  await api.ready();
  const server = createServer(
    createRequestHandler({ dev: false, trustProxy: false, tls: false, publicApi: api, next: (_req, res) => res.writeHead(418).end() }),
  );
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    api,
    server,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await api.close();
    },
  };
}

export type TestKey = { id: string; publicKey: string; secret: string };

const ctxOf = (t: TestOrg) => ({ orgId: t.org.id, projectId: t.project.id });

export function createKey(t: TestOrg, scopes: ApiKeyScope[], name = "sdk"): Promise<TestKey> {
  return runAudited(systemActor("test"), (w) => createApiKey(w, { ...ctxOf(t), actorUserId: null }, { name, scopes }));
}

export async function revokeKey(t: TestOrg, id: string): Promise<void> {
  await runAudited(systemActor("test"), (w) => revokeApiKey(w, { ...ctxOf(t), actorUserId: null }, { id }));
}

export async function seedPrompt(t: TestOrg, name: string, content: VersionContent, extra: { tags?: string[]; description?: string } = {}) {
  const { prompt } = await runAudited(systemActor("test"), (w) => createPrompt(w, ctxOf(t), { name, content, commitMessage: "first", ...extra }));
  return prompt.id;
}

export async function addVersion(t: TestOrg, name: string, content: VersionContent, commitMessage = "next") {
  const prompt = await getDb().prompt.findUniqueOrThrow({ where: { projectId_name: { projectId: t.project.id, name } } });
  const version = await runAudited(systemActor("test"), (w) => createVersion(w, ctxOf(t), { promptId: prompt.id, content, commitMessage }));
  return version.version;
}

export async function setLabel(t: TestOrg, name: string, label: string, version: number) {
  const prompt = await getDb().prompt.findUniqueOrThrow({ where: { projectId_name: { projectId: t.project.id, name } } });
  return runAudited(systemActor("test"), (w) => moveLabel(w, ctxOf(t), { promptId: prompt.id, label, version }));
}

export async function protect(t: TestOrg, environment: string) {
  await runAudited(systemActor("test"), (w) => setEnvironmentProtection(w, ctxOf(t), { name: environment, protected: true }));
}

export const text = (template: string, config: VersionContent["config"] = {}): VersionContent => ({ type: "text", template, config });
export const chat = (messages: { role: "system" | "user" | "assistant"; content: string }[], config: VersionContent["config"] = {}): VersionContent => ({
  type: "chat",
  messages,
  config,
});

export const bearer = (key: TestKey) => ({ authorization: `Bearer ${key.secret}` });
export const basic = (key: TestKey) => ({ authorization: `Basic ${Buffer.from(`${key.publicKey}:${key.secret}`).toString("base64")}` });
