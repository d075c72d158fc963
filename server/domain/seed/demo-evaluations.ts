import "server-only";
// Demo evaluations: evaluators a support team would use, and finished runs of two versions of
// each demo prompt over the demo datasets (on the built-in Simulated provider, worked to the end
// here so the first start already shows results, comparisons and a dashboard).
import { runAudited } from "../../audit/mutation";
import type { Actor } from "../../audit/actor";
import { getDb } from "../../db/client";
import { createEvaluator } from "../evaluations/registry";
import { createRun } from "../evaluations/runs";
import { processRun } from "../evaluations/worker";

type Ctx = { orgId: string; projectId: string };

export async function seedEvaluations(ctx: Ctx, editorActor: Actor) {
  const run = <T>(fn: Parameters<typeof runAudited<T>>[1]) => runAudited(editorActor, fn);
  const evaluators = [
    {
      name: "length-limit",
      description: "Replies fit in the chat widget (at most 420 characters)",
      config: { kind: "length" as const, max: 420, unit: "chars" as const },
    },
    // A term only the policy gives (a reply that merely names the subject does not count).
    {
      name: "cites-policy",
      description: "Quotes the policy: 30 days, free returns, 3-5 business days",
      config: { kind: "regex" as const, pattern: "\\b(30 days|free returns|3-5 business days)", flags: "i" },
    },
    // A greeting with a name ("Hi Maria", "Dear Chen"), not the "Customer: …" line of the input.
    {
      name: "greets-customer",
      description: 'Greets the customer by name ("Hi Maria")',
      config: { kind: "regex" as const, pattern: "\\b(Hi|Hello|Hey|Dear) [A-Z][a-z]+", flags: "" },
    },
    { name: "answer-similarity", description: "Close to the reference answer", config: { kind: "levenshtein" as const, threshold: 0.35 } },
    { name: "valid-json", description: "The reply is JSON", config: { kind: "valid_json" as const } },
    {
      name: "triage-schema",
      description: "The reply names a known category with a confidence",
      config: {
        kind: "json_schema" as const,
        schema: {
          type: "object",
          required: ["category", "confidence"],
          properties: { category: { enum: ["billing", "shipping", "technical", "other"] }, confidence: { type: "number", minimum: 0, maximum: 1 } },
        },
      },
    },
  ];
  for (const e of evaluators) await run((w) => createEvaluator(w, ctx, e));

  const runs = [
    {
      prompt: { name: "support/reply", version: 2 },
      dataset: { name: "support-questions" },
      evaluators: ["greets-customer", "length-limit", "cites-policy", "answer-similarity"],
    },
    {
      prompt: { name: "support/reply", version: 3 },
      dataset: { name: "support-questions" },
      evaluators: ["greets-customer", "length-limit", "cites-policy", "answer-similarity"],
    },
    { prompt: { name: "support/triage", version: 1 }, dataset: { name: "ticket-triage" }, evaluators: ["valid-json", "triage-schema"] },
    { prompt: { name: "support/triage", version: 2 }, dataset: { name: "ticket-triage" }, evaluators: ["valid-json", "triage-schema"] },
  ];
  for (const spec of runs) {
    const created = await run((w) => createRun(w, ctx, { ...spec, concurrency: 16 }));
    for (let i = 0; i < 20; i++) {
      if ((await processRun(created.id, { deadline: Date.now() + 30_000, log: () => {} })) !== "continue") break;
    }
  }
  return getDb().evaluationRun.count({ where: { projectId: ctx.projectId, status: "completed" } });
}
