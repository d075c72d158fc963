import "server-only";
// Deployments over the public API, for CI: request promotion of a version after a green
// evaluation, poll the request, and read the deployment history ("what was in production at
// T"). No scope can approve: approval is person-only (deployment:approve), so a key can never
// push a protected label by itself.
import { z } from "zod";
import { getReadDb } from "../db/client";
import { runAudited } from "../audit/mutation";
import { isoDateTime, name } from "../contracts/fields";
import { createRequestInput, DEPLOYMENT_KINDS, DEPLOYMENT_STATES } from "../contracts/deployments";
import { createRequest, GateFailedError } from "../domain/deployments/requests";
import { deployedAt, deploymentHistory, getRequest, requestNumberById, type Reader } from "../domain/deployments/queries";
import { notFound } from "../errors";
import { defineRoute, type PublicRoute } from "./route-table";

const KEY_READER: Reader = { type: "api_key", id: null, role: null, canApprove: false };

const gateCheck = z
  .object({
    evaluator: z.string(),
    metric: z.enum(["passRate", "mean"]),
    min: z.number(),
    actual: z.number().nullable(),
    passed: z.boolean(),
    message: z.string(),
  })
  .strict();
const gateResult = z
  .object({
    passed: z.boolean(),
    configured: z.boolean().describe("False when no gate applies to this prompt and environment (then `passed` is true)."),
    run: z
      .object({
        number: z.number().int(),
        dataset: z.string(),
        datasetVersion: z.number().int(),
        tag: z.string().nullable(),
        finishedAt: z.string().nullable(),
      })
      .strict()
      .nullable(),
    blockingRun: z
      .object({
        number: z.number().int(),
        status: z.string(),
        datasetVersion: z.number().int(),
        answered: z.number().int(),
        items: z.number().int(),
        error: z.string().nullable(),
      })
      .strict()
      .nullable()
      .optional()
      .describe(
        "When no run counts: the newest run of this version on the gate's dataset that answered fewer than half of its calls, with its most frequent error.",
      ),
    checks: z.array(gateCheck),
    review: z
      .object({
        queue: z.string(),
        dimension: z.string().nullable(),
        min: z.number(),
        actual: z.number().nullable(),
        n: z.number().int(),
        passed: z.boolean(),
        message: z.string(),
      })
      .strict()
      .nullable(),
    reasons: z.array(z.string()).describe("Why the gate fails, naming the evaluator and the threshold."),
    checkedAt: z.string(),
  })
  .strict();

const requestResponse = z
  .object({
    id: z.string(),
    number: z.number().int().describe("The request's number in the project (#7)."),
    prompt: z.string(),
    version: z.number().int(),
    contentHash: z.string(),
    environment: z.string(),
    kind: z.enum(DEPLOYMENT_KINDS),
    state: z.enum(DEPLOYMENT_STATES),
    fromVersion: z.number().int().nullable().describe("What the environment served when the request was made."),
    justification: z.string(),
    requestedBy: z.string(),
    gate: gateResult.nullable().describe("The evaluation gate's result when the request was made."),
    rules: z.array(z.object({ name: z.string(), required: z.number().int(), approvers: z.array(z.string()), met: z.boolean() }).strict()),
    missing: z.array(z.string()).describe("Rules still waiting for approvals."),
    blockedBy: z.string().nullable().describe("For an approved request: what it waits for (wait timer, change freeze)."),
    createdAt: z.string(),
    expiresAt: z.string(),
    endedAt: z.string().nullable(),
    endedReason: z.string().nullable(),
    deployedAt: z.string().nullable(),
  })
  .strict();

async function requestBody(projectId: string, number: number) {
  const r = await getRequest(getReadDb(), projectId, number, KEY_READER);
  return {
    id: r.id,
    number: r.number,
    prompt: r.prompt,
    version: r.version,
    contentHash: r.contentHash,
    environment: r.environment,
    kind: r.kind,
    state: r.state,
    fromVersion: r.fromVersion,
    justification: r.justification,
    requestedBy: r.requestedBy.label,
    gate: r.gateAtRequest,
    rules: r.rules.map(({ name, required, approvers, met }) => ({ name, required, approvers, met })),
    missing: r.missing,
    blockedBy: r.blockedBy,
    createdAt: r.createdAt.toISOString(),
    expiresAt: r.expiresAt.toISOString(),
    endedAt: r.endedAt?.toISOString() ?? null,
    endedReason: r.endedReason,
    deployedAt: r.deployment?.deployedAt.toISOString() ?? null,
  };
}

const deploymentRow = z
  .object({
    id: z.string(),
    prompt: z.string(),
    environment: z.string(),
    kind: z.enum(DEPLOYMENT_KINDS),
    version: z.number().int(),
    fromVersion: z.number().int().nullable(),
    contentHash: z.string(),
    request: z.number().int(),
    requestedBy: z.string(),
    approvers: z.array(z.string()),
    deployedAt: z.string(),
  })
  .strict();

const historyResponse = z.object({ deployments: z.array(deploymentRow), total: z.number().int(), page: z.number().int(), pageSize: z.number().int() }).strict();
const atResponse = z
  .object({
    environment: z.string(),
    at: z.string(),
    prompts: z.array(
      z
        .object({
          prompt: z.string(),
          version: z.number().int(),
          since: z.string(),
          movedBy: z.string(),
          deployment: z
            .object({ id: z.string(), request: z.number().int(), kind: z.enum(DEPLOYMENT_KINDS) })
            .strict()
            .nullable()
            .describe("The deployment that put it there; null for moves made before the environment was protected."),
        })
        .strict(),
    ),
  })
  .strict();

export const deploymentRoutes: PublicRoute[] = [
  defineRoute({
    method: "POST",
    path: "/api/public/v1/deployment-requests",
    operationId: "createDeploymentRequest",
    summary: "Request a deployment",
    description:
      "Asks for a version of a prompt to be deployed to a protected environment (`kind: rollback` for an earlier version the environment served). The environment's evaluation gate is checked now: a failing gate answers 422 with the gate's result, naming each evaluator and threshold it missed. The request then waits for people to approve it; no API key can approve. Audited with the API key as the actor.",
    tag: "Deployments",
    scope: "deployments:request",
    permission: "deployment:request",
    body: createRequestInput.strict(),
    responses: {
      201: { description: "The request, pending approval.", schema: requestResponse },
      422: {
        description: "The evaluation gate fails.",
        schema: z
          .object({ error: z.object({ code: z.literal("UNPROCESSABLE"), message: z.string(), field: z.string().optional() }).strict(), gate: gateResult })
          .strict(),
      },
    },
    errors: [404, 409],
    async handle({ principal, body, actor }) {
      try {
        const created = await runAudited(actor, (w) => createRequest(w, { orgId: principal.orgId, projectId: principal.projectId }, body));
        return { status: 201, body: await requestBody(principal.projectId, created.number) };
      } catch (error) {
        if (error instanceof GateFailedError)
          return { status: 422, body: { error: { code: "UNPROCESSABLE", message: error.message, field: error.field }, gate: error.gate } };
        throw error;
      }
    },
  }),
  defineRoute({
    method: "GET",
    path: "/api/public/v1/deployment-requests/{id}",
    replica: true,
    operationId: "getDeploymentRequest",
    summary: "A deployment request",
    description:
      "Its state (`pending`, `approved`, `deployed`, `rejected`, `cancelled`, `expired`, `superseded`), the approval rules' progress and what an approved request waits for. `{id}` is the request's id or its number.",
    tag: "Deployments",
    scope: "deployments:read",
    permission: "deployment:read",
    params: z.object({ id: z.union([z.uuid(), z.string().regex(/^[1-9][0-9]{0,9}$/)], { error: "must be a request id or number" }) }),
    responses: { 200: { description: "The request.", schema: requestResponse } },
    errors: [404],
    async handle({ principal, params }) {
      let number = /^\d+$/.test(params.id) ? Number(params.id) : null;
      if (number === null) {
        number = await requestNumberById(getReadDb(), principal.projectId, params.id);
        if (number === null) throw notFound("Deployment request");
      }
      return { status: 200, body: await requestBody(principal.projectId, number) };
    },
  }),
  defineRoute({
    method: "GET",
    path: "/api/public/v1/deployments",
    replica: true,
    operationId: "listDeployments",
    summary: "Deployment history, or what was deployed at a time",
    description:
      "Without `at`: the deployments (label moves by approved requests), newest first, filtered by `prompt` and `environment`. With `at` (an ISO 8601 time): what `environment` (default `production`) served at that moment, per prompt (or for `prompt`), from the label history.",
    tag: "Deployments",
    scope: "deployments:read",
    permission: "deployment:read",
    query: z.object({
      prompt: name(200).optional(),
      environment: name(64).optional(),
      at: isoDateTime().optional(),
      page: z.coerce
        .number({ error: "must be a whole number" })
        .int("must be a whole number")
        .min(1, "must be 1 or more")
        .max(1_000_000, "must be at most 1000000")
        .default(1),
      pageSize: z.coerce.number().int().min(1).max(100).default(50),
    }),
    responses: { 200: { description: "The history (without `at`) or what was deployed at `at`.", schema: z.union([historyResponse, atResponse]) } },
    errors: [404],
    async handle({ principal, query }) {
      if (query.at) {
        const result = await deployedAt(getReadDb(), principal.projectId, {
          environment: query.environment ?? "production",
          at: new Date(query.at),
          prompt: query.prompt,
        });
        return {
          status: 200,
          body: { environment: result.environment, at: result.at.toISOString(), prompts: result.prompts.map((p) => ({ ...p, since: p.since.toISOString() })) },
        };
      }
      const history = await deploymentHistory(getReadDb(), principal.projectId, {
        environment: query.environment,
        prompt: query.prompt,
        page: query.page,
        pageSize: query.pageSize,
      });
      return {
        status: 200,
        body: {
          deployments: history.rows.map((d) => ({
            id: d.id,
            prompt: d.prompt,
            environment: d.environment,
            kind: d.kind,
            version: d.version,
            fromVersion: d.fromVersion,
            contentHash: d.contentHash,
            request: d.request,
            requestedBy: d.requestedBy,
            approvers: d.approvers,
            deployedAt: d.deployedAt.toISOString(),
          })),
          total: history.total,
          page: history.page,
          pageSize: history.pageSize,
        },
      };
    },
  }),
];
