import "server-only";
// Demo deployment approvals: production's protection rules as a careful team would set them (two
// approvals from different functions, an evaluation gate on the customer-facing reply prompt), a
// rejected request and an approved, deployed one, so the history has something to show. The
// demo prompt's v3 is left for a new user to request (the README walks it).
import { runAudited } from "../../audit/mutation";
import type { Actor } from "../../audit/actor";
import { getDb } from "../../db/client";
import type { Role } from "../../contracts/permissions";
import { setPolicy } from "../deployments/policy";
import { approveRequest, createRequest, rejectRequest } from "../deployments/requests";

type Ctx = { orgId: string; projectId: string };

export async function seedDeployments(ctx: Ctx, editorActor: Actor) {
  const as = async (email: string, role: Role): Promise<Actor> => {
    const user = await getDb().user.findUniqueOrThrow({ where: { email } });
    // Decisions need a fresh authentication; the demo people have no second factor, so the one
    // they would give is their password, as the step-up dialog records it.
    return {
      type: "user",
      id: user.id,
      label: user.email,
      role,
      request: editorActor.request,
      authentication: { method: "password", at: new Date().toISOString() },
    };
  };
  const owner = await as("owner@example.com", "owner");
  const approver = await as("approver@example.com", "approver");
  const admin = await as("admin@example.com", "admin");

  await runAudited(owner, (w) =>
    setPolicy(w, ctx, {
      environment: "production",
      policy: {
        rules: [
          { name: "Release approver", required: 1, roles: ["approver"], users: [] },
          { name: "Engineering lead", required: 1, roles: ["owner", "admin"], users: [] },
        ],
        separationOfDuties: true,
        gate: {
          prompts: ["support/reply"],
          dataset: "support-questions",
          evaluators: [
            { name: "greets-customer", metric: "passRate", min: 0.9 },
            { name: "length-limit", metric: "passRate", min: 0.95 },
          ],
        },
        expiryHours: 168,
        waitMinutes: 0,
        rollbackPolicy: "fast",
      },
    }),
  );

  const rejected = await runAudited(editorActor, (w) =>
    createRequest(w, ctx, {
      prompt: "support/triage",
      version: 1,
      environment: "production",
      justification: "Plain-text categories are easier for the legacy ticket router to read.",
    }),
  );
  await runAudited(approver, (w) =>
    rejectRequest(w, ctx, { number: rejected.number, comment: "v1 has no confidence score, and the new router needs it to decide when to ask a human." }),
  );

  const release = await runAudited(editorActor, (w) =>
    createRequest(w, ctx, {
      prompt: "marketing/release-note",
      version: 1,
      environment: "production",
      justification: "First release-note prompt, for the 2.4 launch announcement.",
    }),
  );
  await runAudited(approver, (w) => approveRequest(w, ctx, { number: release.number, comment: "Read five drafts; tone is right." }));
  await runAudited(admin, (w) => approveRequest(w, ctx, { number: release.number, comment: "" }));
}
