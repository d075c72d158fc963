// Shared pieces of the deployment pages: the state and kind badges, the evidence export address,
// and the types of the two procedures the request page reads (deployments.get for the viewer's
// options, deployments.evidence for the pack). Page addresses live in deployment-tabs.tsx.
import type { inferOutput } from "@trpc/tanstack-react-query";
import { DEPLOYMENT_STATE_LABELS, type DeploymentKind, type DeploymentState } from "@/server/contracts/deployments";
import type { useTRPC } from "@/components/trpc/client";
import { Badge, cn, type BadgeTone } from "@/components/ui";

type TRPC = ReturnType<typeof useTRPC>;
export type RequestDetail = inferOutput<TRPC["deployments"]["get"]>;
export type EvidencePack = inferOutput<TRPC["deployments"]["evidence"]>;
export type FreezeOverride = { by: string; reason: string; window?: { start: string; end: string; reason: string } | null };

export function evidenceHref(orgSlug: string, projectSlug: string, number: number, format: "json" | "html"): string {
  return `/api/deployments/${encodeURIComponent(orgSlug)}/${encodeURIComponent(projectSlug)}/${number}/evidence?format=${format}`;
}

// Seven states, seven looks: the open ones stand out, the ended ones recede.
const STATE_TONES: Record<DeploymentState, { tone: BadgeTone; className?: string }> = {
  pending: { tone: "warning" },
  approved: { tone: "accent" },
  deployed: { tone: "success" },
  rejected: { tone: "danger" },
  cancelled: { tone: "neutral" },
  expired: { tone: "outline", className: "text-zinc-500" },
  superseded: { tone: "outline", className: "bg-sky-50 text-sky-800 ring-sky-200" },
};

export function DeploymentStateBadge({ state, className }: { state: DeploymentState; className?: string }) {
  const look = STATE_TONES[state];
  return (
    <Badge tone={look.tone} className={cn(look.className, className)}>
      {DEPLOYMENT_STATE_LABELS[state]}
    </Badge>
  );
}

export const KIND_LABELS: Record<DeploymentKind, string> = { promote: "Promotion", rollback: "Rollback" };

export function DeploymentKindBadge({ kind }: { kind: DeploymentKind }) {
  return <Badge tone={kind === "rollback" ? "warning" : "outline"}>{KIND_LABELS[kind]}</Badge>;
}

export const isOpen = (state: DeploymentState) => state === "pending" || state === "approved";

/** The recorded freeze override of a deployment (stored as JSON), or null. */
export function freezeOverrideOf(deployment: { freezeOverride: unknown } | null | undefined): FreezeOverride | null {
  const value = deployment?.freezeOverride;
  if (!value || typeof value !== "object") return null;
  const o = value as Partial<FreezeOverride>;
  return typeof o.by === "string" && typeof o.reason === "string" ? { by: o.by, reason: o.reason, window: o.window ?? null } : null;
}
