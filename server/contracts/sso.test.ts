// Single sign-on's pure parts: provider ids, the allowed-domains field, the KEEL_OIDC_* settings
// at start-up, and the sign-in page's words for the callback's refusals.
import { describe, expect, it } from "vitest";
import { emailDomains, orgSlugOfSsoProvider, ssoConnectionInput, ssoProviderIdFor } from "./sso";
import { parseEnv } from "../env";
import { describeSsoError } from "@/components/identity/sso-errors";

describe("single sign-on contracts", () => {
  it("names an organization's provider sso-<slug> and reads the slug back, nothing else", () => {
    expect(ssoProviderIdFor("acme")).toBe("sso-acme");
    expect(orgSlugOfSsoProvider("sso-acme-eu")).toBe("acme-eu");
    for (const id of ["credentials", "oidc", "sso-", "sso-Acme", "sso-../x", undefined]) expect(orgSlugOfSsoProvider(id)).toBeNull();
  });

  it("reads allowed domains from a comma or space list, lower-cased, and refuses what is not a domain", () => {
    expect(emailDomains.parse(" Acme.com, @acme.io\nacme.com ")).toEqual(["acme.com", "acme.io"]);
    expect(emailDomains.safeParse("").success).toBe(false);
    expect(emailDomains.safeParse("acme").error?.issues[0]?.message).toBe('"acme" is not an email domain (acme.com)');
    expect(emailDomains.safeParse("user@acme.com").success).toBe(false);
  });

  it("never lets single sign-on grant owner", () => {
    const base = { issuer: "https://idp.example.com", clientId: "c", clientSecret: "", allowedDomains: "acme.com", groupsClaim: "groups", enabled: true };
    expect(ssoConnectionInput.safeParse({ ...base, jitRole: "owner", roleMapping: [] }).success).toBe(false);
    expect(ssoConnectionInput.safeParse({ ...base, jitRole: "", roleMapping: [{ group: "admins", role: "owner" }] }).success).toBe(false);
    expect(ssoConnectionInput.safeParse({ ...base, jitRole: "viewer", roleMapping: [{ group: "admins", role: "admin" }] }).success).toBe(true);
    expect(ssoConnectionInput.safeParse({ ...base, issuer: "ftp://idp.example.com", jitRole: "", roleMapping: [] }).success).toBe(false);
  });
});

describe("KEEL_OIDC_* at start-up", () => {
  const full = {
    KEEL_OIDC_ISSUER: "https://login.example.com",
    KEEL_OIDC_CLIENT_ID: "keel",
    KEEL_OIDC_CLIENT_SECRET: "secret",
    KEEL_OIDC_ALLOWED_DOMAINS: "example.com",
  };
  it("accepts all of them or none", () => {
    expect(() => parseEnv({})).not.toThrow();
    expect(() => parseEnv(full)).not.toThrow();
    expect(() => parseEnv({ ...full, KEEL_OIDC_CLIENT_SECRET: undefined })).toThrow(/KEEL_OIDC_CLIENT_SECRET: is required with/);
    expect(() => parseEnv({ KEEL_OIDC_NAME: "Okta" })).toThrow(/KEEL_OIDC_NAME: needs KEEL_OIDC_ISSUER/);
  });
  it("refuses an issuer that is not https, or at an address the egress policy refuses, and bad domains", () => {
    expect(() => parseEnv({ ...full, KEEL_OIDC_ISSUER: "http://login.example.com" })).toThrow(/KEEL_OIDC_ISSUER: must be https/);
    expect(() => parseEnv({ ...full, KEEL_OIDC_ISSUER: "https://10.0.0.5" })).toThrow(/KEEL_OIDC_ISSUER: is refused by Keel's egress policy/);
    expect(() => parseEnv({ ...full, KEEL_OIDC_ISSUER: "http://127.0.0.1:9000", KEEL_EGRESS_ALLOW: "127.0.0.0/8" })).not.toThrow();
    expect(() => parseEnv({ ...full, KEEL_OIDC_ALLOWED_DOMAINS: "not a domain" })).toThrow(/KEEL_OIDC_ALLOWED_DOMAINS: must be a comma list of email domains/);
  });
});

describe("the sign-in page's words for single sign-on", () => {
  it("explains the callback's refusals with the email and organization, and ignores anything else", () => {
    expect(describeSsoError("SsoNotMember|ada@acme.com|Acme")).toBe("ada@acme.com is not a member of Acme; ask an owner to invite you.");
    expect(describeSsoError("Acme requires single sign-on. Use 'Sign in with SSO'.")).toBe("Acme requires single sign-on. Use 'Sign in with SSO'.");
    expect(describeSsoError("OAuthCallback")).toMatch(/could not be verified/);
    expect(describeSsoError("Click here to win")).toBeNull();
  });
});
