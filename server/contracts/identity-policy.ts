// The organization's identity policy (docs/identity.md), shared by the security settings form and
// the server. Client code may import this file.
import { z } from "zod";
import { ROLES } from "./permissions";

export const MFA_REQUIREMENTS = ["none", "all", "roles"] as const;

const whole = (min: number, max: number) =>
  z
    .number({ error: "must be a number" })
    .int("must be a whole number")
    .min(min, `must be at least ${min}`)
    .max(max, `must be at most ${max.toLocaleString("en-US")}`);

export const identityPolicyInput = z
  .object({
    requireSso: z.boolean(),
    mfaRequirement: z.enum(MFA_REQUIREMENTS, { error: "must be none, all or roles" }),
    mfaRoles: z.array(z.enum(ROLES, { error: "is not a role" })).max(ROLES.length),
    stepUpMinutes: whole(1, 1440),
    /** Null: the instance's default (7 days without a request). */
    sessionIdleMinutes: whole(5, 43_200).nullable(),
    /** Null: the instance's default (30 days after sign-in). */
    sessionAbsoluteHours: whole(1, 8_760).nullable(),
  })
  .superRefine((p, ctx) => {
    if (p.mfaRequirement === "roles" && p.mfaRoles.length === 0) {
      ctx.addIssue({ code: "custom", path: ["mfaRoles"], message: "Pick at least one role, or require a second factor from everyone" });
    }
    if (p.sessionIdleMinutes !== null && p.sessionAbsoluteHours !== null && p.sessionIdleMinutes > p.sessionAbsoluteHours * 60) {
      ctx.addIssue({ code: "custom", path: ["sessionIdleMinutes"], message: "must not be longer than the absolute timeout" });
    }
  });
export type IdentityPolicy = z.output<typeof identityPolicyInput>;

/** Whether a member with this role must have a second factor in an organization with this policy. */
export function secondFactorRequiredFor(policy: { mfaRequirement: string; mfaRoles: readonly string[] }, role: string): boolean {
  return policy.mfaRequirement === "all" || (policy.mfaRequirement === "roles" && policy.mfaRoles.includes(role));
}

/** How a person authenticated, in words ("approved by X with a passkey"). */
export const AUTHENTICATION_METHOD_LABELS: Record<string, string> = {
  password: "password",
  totp: "authenticator app",
  passkey: "passkey",
  recovery_code: "recovery code",
  sso: "single sign-on",
};
