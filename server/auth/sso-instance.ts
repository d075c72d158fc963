import "server-only";
// The instance-wide single sign-on provider from the environment (KEEL_OIDC_*, validated at
// start-up by server/env.ts): one OpenID Connect provider the operator trusts, shown as a button on
// the sign-in page. It signs in existing accounts by verified email within its allowed domains.
import { setting } from "../env";
import { emailDomains, INSTANCE_SSO_PROVIDER_ID } from "../contracts/sso";

export type InstanceSsoConfig = { providerId: string; name: string; issuer: string; clientId: string; clientSecret: string; allowedDomains: string[] };

export function instanceSsoConfig(): InstanceSsoConfig | null {
  const issuer = setting("KEEL_OIDC_ISSUER");
  const clientId = setting("KEEL_OIDC_CLIENT_ID");
  const clientSecret = setting("KEEL_OIDC_CLIENT_SECRET");
  const domains = emailDomains.safeParse(setting("KEEL_OIDC_ALLOWED_DOMAINS") ?? "");
  if (!issuer || !clientId || !clientSecret || !domains.success) return null;
  return {
    providerId: INSTANCE_SSO_PROVIDER_ID,
    name: setting("KEEL_OIDC_NAME") ?? "Single sign-on",
    issuer: issuer.replace(/\/+$/, ""),
    clientId,
    clientSecret,
    allowedDomains: domains.data,
  };
}
