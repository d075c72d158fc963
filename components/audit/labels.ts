// Display names for audit actions and target types.
import { AUDIT_ACTIONS, AUDIT_ACTION_NAMES, type AuditAction } from "@/server/contracts/audit";

export function actionLabel(action: string): string {
  return (AUDIT_ACTIONS as Record<string, string>)[action] ?? action;
}

const GROUP_LABELS: Record<string, string> = {
  org: "Organization",
  project: "Projects",
  member: "Members",
  user: "Users",
  auth: "Sign-in",
  apikey: "API keys",
  access: "Access",
};

/** Actions grouped by their first segment, for a grouped select ("member." matches the group). */
export const ACTION_GROUPS: { prefix: string; label: string; actions: AuditAction[] }[] = Object.entries(
  AUDIT_ACTION_NAMES.reduce<Record<string, AuditAction[]>>((groups, action) => {
    const prefix = action.split(".")[0]!;
    (groups[prefix] ??= []).push(action);
    return groups;
  }, {}),
).map(([prefix, actions]) => ({ prefix: `${prefix}.`, label: GROUP_LABELS[prefix] ?? prefix, actions }));

export const TARGET_TYPE_LABELS: Record<string, string> = {
  organization: "Organization",
  project: "Project",
  user: "User",
  membership: "Membership",
  api_key: "API key",
  procedure: "Procedure",
};
