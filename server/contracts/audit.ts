// Audit action names: a closed union so the explorer can group them and nothing is misspelt.
// Add the action here when a new kind of change is introduced.
export const AUDIT_ACTIONS = {
  "org.created": "Organization created",
  "project.created": "Project created",
  "member.added": "Member added",
  "member.role.changed": "Member role changed",
  "member.project_role.changed": "Member project role changed",
  "member.removed": "Member removed",
  "member.password_link.created": "Set-password link created",
  "user.created": "User created",
  "user.password.changed": "Password changed",
  "user.password.set": "Password set from a one-time link",
  "auth.login.failed": "Sign-in failed",
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
  "settings.encryption.rotated": "Encryption keys rotated",
  "access.denied": "Change refused for lack of permission",
} as const;
export type AuditAction = keyof typeof AUDIT_ACTIONS;
export const AUDIT_ACTION_NAMES = Object.keys(AUDIT_ACTIONS) as [AuditAction, ...AuditAction[]];

export const AUDIT_TARGET_TYPES = ["organization", "project", "user", "membership", "api_key", "procedure", "prompt", "environment", "provider", "model_price", "dataset"] as const;
export type AuditTargetType = (typeof AUDIT_TARGET_TYPES)[number];
