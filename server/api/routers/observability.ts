import "server-only";
// Production observability: dashboards and the trace explorer (read from the telemetry store),
// curation (a trace into a dataset or a review queue), and the governed settings that shape
// ingestion and the gateway (retention, routing, guardrails, online evaluators, routing rules).
import { z } from "zod";
import { createRouter, projectProcedure } from "../trpc";
import {
  addTraceToDatasetInput,
  dashboardFilters,
  guardrailInput,
  onlineEvaluatorInput,
  sendTraceToQueueInput,
  telemetrySettingsInput,
  traceListInput,
  traceRef,
  traceRuleInput,
} from "../../contracts/observability";
import { guardrailConfig } from "../../gateway/guardrails/schemas";
import { dashboard, getTrace, listTraces } from "../../telemetry/queries";
import { addTraceToDataset, sendTraceToQueue } from "../../domain/observability/curation";
import {
  createGuardrail,
  createOnlineEvaluator,
  createTraceRule,
  deleteGuardrail,
  deleteOnlineEvaluator,
  deleteTraceRule,
  getTelemetrySettings,
  listGuardrails,
  listOnlineEvaluators,
  listTraceRules,
  updateGuardrail,
  updateOnlineEvaluator,
  updateTelemetrySettings,
  updateTraceRule,
} from "../../domain/observability/settings";
import { notFound } from "../../errors";

const scope = (ctx: { org: { id: string }; project: { id: string } }) => ({ orgId: ctx.org.id, projectId: ctx.project.id });
const id = (what: string) => z.object({ id: z.uuid({ error: `is not a ${what} id` }) });

export const observabilityRouter = createRouter({
  dashboard: projectProcedure("trace:read")
    .input(dashboardFilters)
    .query(({ ctx, input }) => dashboard(ctx.project.id, input)),
  traces: projectProcedure("trace:read")
    .input(traceListInput)
    .query(({ ctx, input }) => listTraces(ctx.project.id, input)),
  trace: projectProcedure("trace:read")
    .input(traceRef.pick({ traceId: true }))
    .query(async ({ ctx, input }) => (await getTrace(ctx.project.id, input.traceId)) ?? Promise.reject(notFound("Trace"))),
  addToDataset: projectProcedure("dataset:write")
    .input(addTraceToDatasetInput)
    .mutation(({ ctx, input }) => ctx.audited((w) => addTraceToDataset(w, scope(ctx), input))),
  sendToQueue: projectProcedure("review:manage")
    .input(sendTraceToQueueInput)
    .mutation(({ ctx, input }) => ctx.audited((w) => sendTraceToQueue(w, scope(ctx), input))),
  settings: projectProcedure("trace:read").query(({ ctx }) => getTelemetrySettings(ctx.db, ctx.project.id)),
  updateSettings: projectProcedure("observability:manage")
    .input(telemetrySettingsInput)
    .mutation(({ ctx, input }) => ctx.audited((w) => updateTelemetrySettings(w, scope(ctx), input))),
});

// The form's input with the server-side config check (a JSON Schema must compile: ajv stays out of the client).
const checkedGuardrailInput = guardrailInput.extend({ config: guardrailConfig });

export const guardrailsRouter = createRouter({
  list: projectProcedure("trace:read").query(({ ctx }) => listGuardrails(ctx.db, ctx.project.id)),
  create: projectProcedure("observability:manage")
    .input(checkedGuardrailInput)
    .mutation(({ ctx, input }) => ctx.audited((w) => createGuardrail(w, scope(ctx), input))),
  update: projectProcedure("observability:manage")
    .input(checkedGuardrailInput.extend(id("guardrail").shape))
    .mutation(({ ctx, input }) => ctx.audited((w) => updateGuardrail(w, scope(ctx), input))),
  delete: projectProcedure("observability:manage")
    .input(id("guardrail"))
    .mutation(({ ctx, input }) => ctx.audited((w) => deleteGuardrail(w, scope(ctx), input))),
});

export const onlineEvaluatorsRouter = createRouter({
  list: projectProcedure("trace:read").query(({ ctx }) => listOnlineEvaluators(ctx.db, ctx.project.id)),
  create: projectProcedure("observability:manage")
    .input(onlineEvaluatorInput)
    .mutation(({ ctx, input }) => ctx.audited((w) => createOnlineEvaluator(w, scope(ctx), input))),
  update: projectProcedure("observability:manage")
    .input(onlineEvaluatorInput.extend(id("online evaluator").shape))
    .mutation(({ ctx, input }) => ctx.audited((w) => updateOnlineEvaluator(w, scope(ctx), input))),
  delete: projectProcedure("observability:manage")
    .input(id("online evaluator"))
    .mutation(({ ctx, input }) => ctx.audited((w) => deleteOnlineEvaluator(w, scope(ctx), input))),
});

export const traceRulesRouter = createRouter({
  list: projectProcedure("trace:read").query(({ ctx }) => listTraceRules(ctx.db, ctx.project.id)),
  create: projectProcedure("observability:manage")
    .input(traceRuleInput)
    .mutation(({ ctx, input }) => ctx.audited((w) => createTraceRule(w, scope(ctx), input))),
  update: projectProcedure("observability:manage")
    .input(traceRuleInput.and(id("rule")))
    .mutation(({ ctx, input }) => ctx.audited((w) => updateTraceRule(w, scope(ctx), input))),
  delete: projectProcedure("observability:manage")
    .input(id("rule"))
    .mutation(({ ctx, input }) => ctx.audited((w) => deleteTraceRule(w, scope(ctx), input))),
});
