// Audit action names: a closed union so the explorer can group them and nothing is misspelt.
// Add the action here when a new kind of change is introduced.
import { z } from "zod";
import { isoDateTime, text } from "./fields";

export const AUDIT_ACTIONS = {
  "org.created": "Organization created",
  "project.created": "Project created",
  "member.added": "Member added",
  "member.role.changed": "Member role changed",
  "member.project_role.changed": "Member project role changed",
  "member.removed": "Member removed",
  "member.password_link.created": "Set-password link created",
  "member.invited": "Member invited",
  "member.invitation.reissued": "Invitation link re-issued",
  "member.invitation.revoked": "Invitation revoked",
  "member.invitation.accepted": "Invitation accepted",
  "member.invitation.declined": "Invitation declined",
  "user.created": "User created",
  "user.password.changed": "Password changed",
  "user.password.set": "Password set from a one-time link",
  "user.sessions.revoked": "Signed-in sessions revoked",
  "user.mfa.totp_enrolled": "Authenticator app set up as a second factor",
  "user.mfa.totp_removed": "Authenticator app removed",
  "user.mfa.passkey_added": "Passkey added",
  "user.mfa.passkey_renamed": "Passkey renamed",
  "user.mfa.passkey_removed": "Passkey removed",
  "user.mfa.recovery_codes_regenerated": "Recovery codes regenerated",
  "user.mfa.recovery_code_used": "Recovery code used",
  "member.sessions.revoked": "A member's sessions revoked by an administrator",
  "org.identity_policy.updated": "Identity policy changed",
  "auth.login.failed": "Sign-in failed",
  "user.sso.linked": "Account linked to a single sign-on identity",
  "user.signed_in_sso": "Signed in with single sign-on",
  "user.signed_in_break_glass": "Signed in with a password as a break-glass owner",
  "member.joined_via_sso": "Joined through single sign-on",
  "member.break_glass_set": "Break-glass owner marked or unmarked",
  "sso.connection.created": "Single sign-on connection created",
  "sso.connection.updated": "Single sign-on connection changed",
  "sso.connection.deleted": "Single sign-on connection deleted",
  "apikey.created": "API key created",
  "apikey.revoked": "API key revoked",
  "prompt.created": "Prompt created",
  "prompt.updated": "Prompt details changed",
  "prompt.version.created": "Prompt version saved",
  "prompt.label.moved": "Label moved",
  "environment.created": "Environment created",
  "environment.updated": "Environment changed",
  "provider.created": "Provider connection created",
  "provider.updated": "Provider connection changed",
  "provider.deleted": "Provider connection deleted",
  "model_price.set": "Model price set",
  "dataset.created": "Dataset created",
  "dataset.updated": "Dataset details changed",
  "dataset.archived": "Dataset archived",
  "dataset.restored": "Dataset restored",
  "dataset.deleted": "Dataset deleted",
  "dataset.items.added": "Dataset items added",
  "dataset.items.imported": "Dataset items imported",
  "dataset.item.updated": "Dataset item edited",
  "dataset.items.archived": "Dataset items archived",
  "dataset.items.tagged": "Dataset items tagged",
  "dataset.items.bulk_edited": "Dataset items bulk-edited (a field added, renamed or dropped)",
  "evaluator.created": "Evaluator created",
  "evaluator.version.created": "Evaluator version saved",
  "evaluator.archived": "Evaluator archived",
  "evaluation.run.created": "Evaluation run queued",
  "evaluation.run.started": "Evaluation run started by a worker",
  "evaluation.run.cancelled": "Evaluation run cancelled",
  "evaluation.run.finished": "Evaluation run finished",
  "evaluation.run.item.linked": "Dataset item linked to the trace of an external (SDK) run",
  "review.queue.created": "Review queue created",
  "review.reviewers.changed": "Review queue reviewers changed",
  "review.items.added": "Items added to a review queue",
  "review.item.gold": "Gold grade set on an item",
  "review.item.leased": "Review item handed to a reviewer",
  "review.item.skipped": "Review item skipped",
  "review.grade.submitted": "Grade submitted",
  "review.grade.revised": "Grade revised",
  "review.item.adjudicated": "Item adjudicated",
  "environment.policy.updated": "Environment protection rules changed",
  "deployment.requested": "Deployment requested",
  "deployment.approval.given": "Deployment approved by an approver",
  "deployment.approved": "Every approval rule of a deployment met",
  "deployment.rejected": "Deployment rejected",
  "deployment.cancelled": "Deployment request cancelled",
  "deployment.expired": "Deployment request expired",
  "deployment.superseded": "Deployment request superseded",
  "deployment.deployed": "Version deployed (label moved by an approved request)",
  "deployment.freeze_overridden": "Change freeze overridden (break glass)",
  "webhook.created": "Webhook added",
  "webhook.updated": "Webhook changed",
  "webhook.deleted": "Webhook deleted",
  "webhook.redelivered": "Webhook event sent again",
  "settings.encryption.rotated": "Encryption keys rotated",
  "audit.signing_key.created": "Audit signing key created",
  "audit.exported": "Audit events exported",
  "audit.export.signed": "Audit export manifest signed",
  "audit.chain.verified": "Audit chain verification started",
  "audit.checkpoint.created": "Audit chain checkpoint signed",
  "telemetry.settings.updated": "Telemetry and gateway settings changed",
  "guardrail.created": "Guardrail added",
  "guardrail.updated": "Guardrail changed",
  "guardrail.deleted": "Guardrail deleted",
  "online_evaluator.created": "Online evaluator added",
  "online_evaluator.updated": "Online evaluator changed",
  "online_evaluator.deleted": "Online evaluator deleted",
  "trace_rule.created": "Trace routing rule added",
  "trace_rule.updated": "Trace routing rule changed",
  "trace_rule.deleted": "Trace routing rule deleted",
  "apikey.limits.changed": "API key gateway limits changed",
  "access.denied": "Change refused for lack of permission",
} as const;
export type AuditAction = keyof typeof AUDIT_ACTIONS;
export const AUDIT_ACTION_NAMES = Object.keys(AUDIT_ACTIONS) as [AuditAction, ...AuditAction[]];

export const AUDIT_TARGET_TYPES = [
  "organization",
  "project",
  "user",
  "membership",
  "invitation",
  "api_key",
  "procedure",
  "prompt",
  "environment",
  "provider",
  "model_price",
  "dataset",
  "evaluator",
  "evaluation_run",
  "review_queue",
  "deployment_request",
  "webhook",
  "guardrail",
  "online_evaluator",
  "trace_rule",
  "sso_connection",
] as const;
export type AuditTargetType = (typeof AUDIT_TARGET_TYPES)[number];

/** Action groups for the explorer's filter: every action belongs to the group of its prefix. */
export const AUDIT_ACTION_GROUPS = {
  prompts: { label: "Prompts", prefixes: ["prompt.", "environment.created", "environment.updated"] },
  datasets: { label: "Datasets", prefixes: ["dataset."] },
  evaluations: { label: "Evaluations", prefixes: ["evaluator.", "evaluation."] },
  reviews: { label: "Reviews", prefixes: ["review."] },
  deployments: { label: "Deployments", prefixes: ["deployment.", "environment.policy.", "webhook."] },
  observability: { label: "Observability", prefixes: ["telemetry.", "guardrail.", "online_evaluator.", "trace_rule."] },
  members: { label: "Members", prefixes: ["member.", "user.", "auth.", "org.", "project."] },
  keys: { label: "API keys", prefixes: ["apikey."] },
  settings: { label: "Settings", prefixes: ["provider.", "model_price.", "settings.", "audit.", "sso."] },
  access: { label: "Refusals", prefixes: ["access."] },
} as const;
export type AuditActionGroup = keyof typeof AUDIT_ACTION_GROUPS;
export const AUDIT_ACTION_GROUP_NAMES = Object.keys(AUDIT_ACTION_GROUPS) as [AuditActionGroup, ...AuditActionGroup[]];

/** The actions of a group. */
export function actionsOfGroup(group: AuditActionGroup): AuditAction[] {
  const prefixes = AUDIT_ACTION_GROUPS[group].prefixes as readonly string[];
  return AUDIT_ACTION_NAMES.filter((a) => prefixes.some((p) => a.startsWith(p)));
}

const isoTime = isoDateTime();

/** The explorer's and the exports' filters (all optional; strings trimmed, empty means unset). */
export const auditFilters = z.object({
  from: isoTime.optional(),
  to: isoTime.optional(),
  project: text(64)
    .trim()
    .regex(/^[a-z0-9-]*$/, "is not a project slug")
    .optional(),
  action: z
    .string()
    .trim()
    .max(80)
    .refine(
      (a) => a === "" || (AUDIT_ACTION_NAMES as readonly string[]).includes(a) || (a.startsWith("group:") && a.slice(6) in AUDIT_ACTION_GROUPS),
      "is not an audit action or group (group:deployments)",
    )
    .optional(),
  actor: text(254).trim().optional(),
  targetType: z.enum(AUDIT_TARGET_TYPES, { error: `must be one of ${AUDIT_TARGET_TYPES.join(", ")}` }).optional(),
  targetId: text(80).trim().optional(),
  outcome: z.enum(["success", "denied"], { error: "must be success or denied" }).optional(),
  q: text(200).trim().optional(),
});
