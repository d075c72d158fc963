import "server-only";
import { createCallerFactory, createRouter } from "./trpc";
import { setupRouter } from "./routers/setup";
import { accountRouter } from "./routers/account";
import { mfaRouter } from "./routers/mfa";
import { orgsRouter } from "./routers/orgs";
import { projectsRouter } from "./routers/projects";
import { membersRouter } from "./routers/members";
import { apiKeysRouter } from "./routers/api-keys";
import { auditRouter } from "./routers/audit";
import { promptsRouter } from "./routers/prompts";
import { environmentsRouter } from "./routers/environments";
import { modelPricesRouter, providersRouter } from "./routers/providers";
import { playgroundRouter } from "./routers/playground";
import { datasetsRouter } from "./routers/datasets";
import { evaluatorsRouter, runsRouter } from "./routers/evaluations";
import { reviewsRouter } from "./routers/reviews";
import { homeRouter } from "./routers/home";
import { deploymentsRouter, webhooksRouter } from "./routers/deployments";
import { identityRouter } from "./routers/identity";
import { ssoRouter } from "./routers/sso";
import { guardrailsRouter, observabilityRouter, onlineEvaluatorsRouter, traceRulesRouter } from "./routers/observability";

export const appRouter = createRouter({
  setup: setupRouter,
  account: accountRouter,
  mfa: mfaRouter,
  orgs: orgsRouter,
  projects: projectsRouter,
  members: membersRouter,
  apiKeys: apiKeysRouter,
  audit: auditRouter,
  prompts: promptsRouter,
  environments: environmentsRouter,
  providers: providersRouter,
  modelPrices: modelPricesRouter,
  playground: playgroundRouter,
  datasets: datasetsRouter,
  evaluators: evaluatorsRouter,
  runs: runsRouter,
  reviews: reviewsRouter,
  home: homeRouter,
  deployments: deploymentsRouter,
  webhooks: webhooksRouter,
  observability: observabilityRouter,
  guardrails: guardrailsRouter,
  onlineEvaluators: onlineEvaluatorsRouter,
  traceRules: traceRulesRouter,
  identity: identityRouter,
  sso: ssoRouter,
});

export type AppRouter = typeof appRouter;
export const createCaller = createCallerFactory(appRouter);
