// The gateway's routes and what they need, declared once: the handler (gateway.ts) checks the key
// against this table and docs/permissions.md lists it beside the public API's routes.
import type { ApiKeyScope, Permission } from "../contracts/permissions";

export const GATEWAY_ROUTES = [
  { method: "POST", path: "/api/gateway/v1/chat/completions", scope: "gateway:invoke", permission: "gateway:invoke" },
  { method: "GET", path: "/api/gateway/v1/models", scope: "gateway:invoke", permission: "gateway:invoke" },
  { method: "POST", path: "/api/gateway/v1/responses", scope: "gateway:invoke", permission: "gateway:invoke" },
  { method: "POST", path: "/api/gateway/v1/embeddings", scope: "gateway:invoke", permission: "gateway:invoke" },
  { method: "GET", path: "/api/gateway/v1/models/{id}", scope: "gateway:invoke", permission: "gateway:invoke" },
] as const satisfies readonly { method: string; path: string; scope: ApiKeyScope; permission: Permission }[];

export type GatewayRoute = (typeof GATEWAY_ROUTES)[number];
