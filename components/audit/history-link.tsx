"use client";
// "History": the audit log filtered to one thing (a dataset, a review queue, a deployment
// request, a prompt). Shown only to roles that may read the audit log.
import { useQuery } from "@tanstack/react-query";
import type { AuditTargetType } from "@/server/contracts/audit";
import { roleHasPermission } from "@/server/contracts/permissions";
import { useTRPC } from "@/components/trpc/client";
import { ButtonLink } from "@/components/ui";
import { HistoryIcon } from "@/components/ui/icons";
import { historyHref } from "./filters";
import { targetTypeLabel } from "./labels";

export function HistoryLink({
  orgSlug,
  targetType,
  targetId,
  size = "md",
}: {
  orgSlug: string;
  targetType: AuditTargetType;
  targetId: string | null | undefined;
  size?: "sm" | "md";
}) {
  const trpc = useTRPC();
  const org = useQuery({ ...trpc.orgs.get.queryOptions({ orgSlug }), staleTime: 60_000 });
  if (!targetId || !org.data || !roleHasPermission(org.data.role, "audit:read")) return null;
  return (
    <ButtonLink
      href={historyHref(orgSlug, targetType, targetId)}
      size={size}
      icon={<HistoryIcon size={14} />}
      title={`Audit events of this ${targetTypeLabel(targetType).toLowerCase()}`}
    >
      History
    </ButtonLink>
  );
}
