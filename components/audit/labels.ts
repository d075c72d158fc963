// Display names for audit actions, action groups and target types.
import {
  AUDIT_ACTIONS,
  AUDIT_ACTION_GROUPS,
  AUDIT_ACTION_GROUP_NAMES,
  actionsOfGroup,
  type AuditAction,
  type AuditActionGroup,
  type AuditTargetType,
} from "@/server/contracts/audit";

export function actionLabel(action: string): string {
  return (AUDIT_ACTIONS as Record<string, string>)[action] ?? action;
}

/** The explorer's action filter: one entry per group (filter value `group:<name>`) with its actions. */
export const ACTION_GROUPS: { name: AuditActionGroup; value: `group:${string}`; label: string; actions: AuditAction[] }[] = AUDIT_ACTION_GROUP_NAMES.map(
  (name) => ({
    name,
    value: `group:${name}`,
    label: AUDIT_ACTION_GROUPS[name].label,
    actions: actionsOfGroup(name),
  }),
);

/** What an action filter value means, in words ("Deployments (all)", "Label moved"). */
export function actionFilterLabel(value: string): string {
  const group = ACTION_GROUPS.find((g) => g.value === value);
  return group ? `${group.label} (all)` : actionLabel(value);
}

export const TARGET_TYPE_LABELS: Record<AuditTargetType, string> = {
  organization: "Organization",
  project: "Project",
  user: "User",
  membership: "Membership",
  invitation: "Invitation",
  api_key: "API key",
  procedure: "Procedure",
  prompt: "Prompt",
  environment: "Environment",
  provider: "Provider connection",
  model_price: "Model price",
  dataset: "Dataset",
  evaluator: "Evaluator",
  evaluation_run: "Evaluation run",
  review_queue: "Review queue",
  deployment_request: "Deployment request",
  webhook: "Webhook",
  guardrail: "Guardrail",
  online_evaluator: "Online evaluator",
  trace_rule: "Trace routing rule",
  sso_connection: "Single sign-on connection",
};

export function targetTypeLabel(type: string): string {
  return (TARGET_TYPE_LABELS as Record<string, string>)[type] ?? type;
}
