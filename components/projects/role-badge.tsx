import type { Role } from "@/server/contracts/permissions";
import { Badge, type BadgeTone } from "@/components/ui";

const tone: Record<Role, BadgeTone> = {
  owner: "accent",
  admin: "accent",
  editor: "neutral",
  reviewer: "neutral",
  approver: "neutral",
  auditor: "neutral",
  viewer: "outline",
};

export function RoleBadge({ role }: { role: Role }) {
  return <Badge tone={tone[role]}>{role}</Badge>;
}
