import "server-only";
// The deployment sweeper: records expiries and deploys approved requests whose wait timer or
// freeze window has passed. Runs in every worker process (KEEL_DEPLOY_SWEEP_SECONDS, default
// 15); each request is handled in its own audited transaction under the request's row lock, so
// several workers sweeping at once deploy a request exactly once.
import { getDb } from "../../db/client";
import { runAudited } from "../../audit/mutation";
import { systemActor } from "../../audit/actor";
import { deployIfDue, expireIfDue } from "./requests";
import { setting } from "../../env";
import { logger, repeatLimited } from "../../runtime/log";

const log = repeatLimited(logger("deployments"));

export async function sweepDeployments(now = new Date()): Promise<{ expired: number; deployed: number }> {
  const db = getDb();
  const actor = systemActor("deployment-sweeper");
  const due = await db.deploymentRequest.findMany({
    where: { state: { in: ["pending", "approved"] }, OR: [{ expiresAt: { lte: now } }, { state: "approved" }] },
    select: { number: true, projectId: true, state: true, expiresAt: true, project: { select: { orgId: true } } },
    orderBy: { createdAt: "asc" },
    take: 200,
  });
  let expired = 0;
  let deployed = 0;
  for (const r of due) {
    const ctx = { orgId: r.project.orgId, projectId: r.projectId };
    try {
      if (r.expiresAt <= now) {
        if ((await runAudited(actor, (w) => expireIfDue(w, ctx, { number: r.number }))).expired) expired++;
      } else if ((await runAudited(actor, (w) => deployIfDue(w, ctx, { number: r.number }))).deployed) {
        deployed++;
      }
    } catch (error) {
      log.error(`request #${r.number} could not be swept`, { error });
    }
  }
  return { expired, deployed };
}

export function startDeploymentSweeper(): { stop(): Promise<void> } {
  const seconds = setting("KEEL_DEPLOY_SWEEP_SECONDS");
  let current: Promise<unknown> | null = null;
  const timer = setInterval(() => {
    if (current) return;
    current = sweepDeployments()
      .catch((error: unknown) => log.error("the sweep failed", { error }))
      .finally(() => (current = null));
  }, seconds * 1000);
  timer.unref();
  return {
    // Lets a sweep in progress finish before the database connections close.
    async stop() {
      clearInterval(timer);
      await current;
    },
  };
}
