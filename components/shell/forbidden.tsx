import type { ReactNode } from "react";
import { Card, EmptyState } from "@/components/ui";
import { ShieldAlertIcon } from "@/components/ui/icons";

/** Shown in place of a page the role does not allow; the server refuses the data anyway. */
export function Forbidden({ title = "You do not have access to this page", children }: { title?: string; children?: ReactNode }) {
  return (
    <Card as="div">
      <EmptyState
        icon={<ShieldAlertIcon size={18} />}
        title={title}
        description={children ?? "Ask an owner or admin of this organization if you need access."}
      />
    </Card>
  );
}
