// Single sign-on (OpenID Connect) as the procedures take it (sso.*) and the forms check it.
// Client code may import this file.
import { z } from "zod";
import { email, id, requiredText, text } from "./fields";
import { ROLES, type Role } from "./permissions";

/** next-auth's provider id of an organization's connection: its callback is /api/auth/callback/sso-<orgSlug>. */
export function ssoProviderIdFor(orgSlug: string): string {
  return `sso-${orgSlug}`;
}

/** The organization slug a provider id names, or null when it is not an organization's connection. */
export function orgSlugOfSsoProvider(providerId: string | undefined | null): string | null {
  const m = /^sso-([a-z0-9]+(?:-[a-z0-9]+)*)$/.exec(providerId ?? "");
  return m ? m[1]! : null;
}

/** The provider id of the instance-wide connection configured by the operator (KEEL_OIDC_*). */
export const INSTANCE_SSO_PROVIDER_ID = "oidc";

/**
 * Roles single sign-on may give: just-in-time membership and group mapping never grant owner
 * (an identity provider's group must not be able to take over the organization).
 */
export const SSO_GRANTABLE_ROLES = ROLES.filter((r): r is Exclude<Role, "owner"> => r !== "owner") as [Exclude<Role, "owner">, ...Exclude<Role, "owner">[]];

const DOMAIN = /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;

/** "acme.com, acme.io" (commas, spaces or new lines) → ["acme.com", "acme.io"], lower-cased, without duplicates. */
export const emailDomains = text(2000).transform((raw, ctx) => {
  const domains = [
    ...new Set(
      raw
        .split(/[\s,]+/)
        .map((d) => d.trim().toLowerCase().replace(/^@/, ""))
        .filter(Boolean),
    ),
  ];
  if (domains.length === 0) {
    ctx.addIssue({ code: "custom", message: "needs at least one email domain (acme.com)" });
    return z.NEVER;
  }
  if (domains.length > 50) {
    ctx.addIssue({ code: "custom", message: "may list at most 50 domains" });
    return z.NEVER;
  }
  const bad = domains.find((d) => !DOMAIN.test(d));
  if (bad) {
    ctx.addIssue({ code: "custom", message: `"${bad.slice(0, 60)}" is not an email domain (acme.com)` });
    return z.NEVER;
  }
  return domains;
});

export const ssoRoleMappingRow = z.object({
  group: requiredText(200),
  role: z.enum(SSO_GRANTABLE_ROLES, { error: "must be a role other than owner (single sign-on never grants owner)" }),
});
export type SsoRoleMappingRow = z.infer<typeof ssoRoleMappingRow>;

const secret = text(500).regex(/^[\x21-\x7e]*$/, "must be printable characters without spaces");

/** What an owner saves: creates the organization's connection or replaces its settings. */
export const ssoConnectionInput = z.object({
  issuer: text(500)
    .trim()
    .pipe(z.url({ protocol: /^https?$/, error: "must be an https:// URL (the issuer your identity provider names)" })),
  clientId: requiredText(300),
  /** Required for a new connection; empty keeps the saved secret. */
  clientSecret: secret,
  allowedDomains: emailDomains,
  /** Just-in-time membership's role; "" turns it off. */
  jitRole: z.union([z.enum(SSO_GRANTABLE_ROLES, { error: "must be a role other than owner" }), z.literal("")]),
  /** The ID token claim listing groups; "" turns role mapping off. */
  groupsClaim: text(100)
    .trim()
    .regex(/^[A-Za-z0-9_:./-]*$/, "must be a claim name (groups, roles, https://example.com/groups)"),
  roleMapping: z.array(ssoRoleMappingRow).max(50, "may have at most 50 rows"),
  enabled: z.boolean(),
});
export type SsoConnectionInput = z.input<typeof ssoConnectionInput>;

/** "Test connection": the issuer to try (the form's, before saving). */
export const ssoTestInput = z.object({
  issuer: ssoConnectionInput.shape.issuer,
});

export const ssoBreakGlassInput = z.object({ userId: id, breakGlass: z.boolean() });

/** The sign-in page's "Sign in with single sign-on": a work email. */
export const ssoDiscoverInput = z.object({ email });
