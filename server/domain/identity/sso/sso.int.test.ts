// Single sign-on against a real OpenID Provider (test/support/oidc-provider.ts): the whole
// authorization-code flow through next-auth's own handler with the per-request options Keel's
// route builds (server/auth/sso-options.ts), cookies carried as a browser would. Covers the
// connection's settings and their audit, just-in-time membership, group → role mapping, linking,
// every refusal (wrong audience, expired ID token, unverified email, a domain not allowed, not a
// member), the egress policy on the issuer, step-up, and requiring SSO with break-glass owners.
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";

vi.hoisted(() => {
  process.env.KEEL_SECRET ??= "test-secret-".padEnd(40, "x");
  process.env.NEXTAUTH_URL = "http://localhost:3999";
});

import NextAuth from "next-auth";
import { getDb } from "../../../db/client";
import { runAudited } from "../../../audit/mutation";
import { systemActor } from "../../../audit/actor";
import { authOptionsFor, providerIdOfPath } from "../../../auth/sso-options";
import { userFromSessionToken } from "../../../auth/session";
import { signInWithPassword } from "../../users/sign-in";
import { assertCanRequireSso } from "./connections";
import { ssoProviderIdFor } from "../../../contracts/sso";
import { auditEventsOf, callerFor, createTestOrg, createUser, lastSeq, TEST_PASSWORD, testRequest, type TestOrg } from "@/test/support/factories";
import { startOidcProvider, type TestOidcProvider } from "@/test/support/oidc-provider";

const KEEL = "http://localhost:3999";
const LOOPBACK = "127.0.0.0/8";
const SECRET = "test-client-secret-0123456789";

type Jar = Record<string, string>;
type KeelResponse = { status: number; redirect?: string; body?: unknown };

/**
 * One request to Keel's /api/auth/* with the options the route handler builds for it, through
 * next-auth's (pages-style) API handler with a minimal response object; cookies go to the jar.
 */
async function keel(
  method: "GET" | "POST",
  path: string,
  jar: Jar,
  init: { query?: Record<string, string>; body?: Record<string, string> } = {},
): Promise<KeelResponse> {
  const segments = path.replace(/^\/api\/auth\//, "").split("/");
  const cookieHeader = Object.entries(jar)
    .map(([k, v]) => `${k}=${encodeURIComponent(v)}`)
    .join("; ");
  const headers = new Headers({ host: "localhost:3999", "user-agent": "vitest", cookie: cookieHeader });
  const options = await authOptionsFor({ providerId: providerIdOfPath(segments), headers, cookies: { ...jar } });
  const out: KeelResponse = { status: 200 };
  const setCookies: string[] = [];
  const res = {
    status(code: number) {
      out.status = code;
      return res;
    },
    setHeader(name: string, value: string | string[]) {
      if (name.toLowerCase() === "set-cookie") setCookies.splice(0, setCookies.length, ...(Array.isArray(value) ? value : [value]));
      else if (name.toLowerCase() === "location") out.redirect = value as string;
      return res;
    },
    getHeader(name: string) {
      return name.toLowerCase() === "set-cookie" ? [...setCookies] : undefined;
    },
    end() {},
    json(body: unknown) {
      out.body = body;
      if (body && typeof body === "object" && "url" in body) out.redirect = (body as { url: string }).url;
    },
    send(body: unknown) {
      out.body = body;
    },
  };
  const req = { method, query: { ...init.query, nextauth: segments }, body: init.body ?? {}, cookies: { ...jar }, headers: Object.fromEntries(headers) };
  await (NextAuth as unknown as (req: unknown, res: unknown, options: unknown) => Promise<void>)(req, res, options);
  for (const line of setCookies) {
    const [pair, ...attributes] = line.split(";");
    const eq = pair!.indexOf("=");
    const name = pair!.slice(0, eq).trim();
    const value = decodeURIComponent(pair!.slice(eq + 1));
    const expired = attributes.some((a) => /^\s*max-age=0$/i.test(a) || (/^\s*expires=/i.test(a) && new Date(a.split("=")[1]!).getTime() < Date.now()));
    if (expired || value === "") delete jar[name];
    else jar[name] = value;
  }
  return out;
}

/** A browser at the identity provider: follows its redirects and signs in as `sub` on its form. */
async function atProvider(op: TestOidcProvider, start: string, sub: string): Promise<URL> {
  const cookies = new Map<string, string>();
  let url = new URL(start);
  let method = "GET";
  let body: string | undefined;
  for (let hop = 0; hop < 20; hop++) {
    if (!url.href.startsWith(op.issuer)) return url;
    const res = await fetch(url, {
      method,
      body,
      redirect: "manual",
      headers: { cookie: [...cookies].map(([k, v]) => `${k}=${v}`).join("; "), ...(body ? { "content-type": "application/x-www-form-urlencoded" } : {}) },
    });
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(";");
      const [name, ...value] = pair!.split("=");
      cookies.set(name!.trim(), value.join("="));
    }
    method = "GET";
    body = undefined;
    if (res.status >= 300 && res.status < 400) {
      url = new URL(res.headers.get("location")!, url);
      continue;
    }
    const html = await res.text();
    const action = /action="([^"]+)"/.exec(html)?.[1];
    if (res.status !== 200 || !action) throw new Error(`the identity provider answered ${res.status}: ${html.slice(0, 300)}`);
    url = new URL(action, url);
    method = "POST";
    body = new URLSearchParams({ sub }).toString();
  }
  throw new Error("too many redirects at the identity provider");
}

/** The whole flow: Keel's sign-in POST, the provider, Keel's callback. Returns the callback's answer and the jar. */
async function signInWithSso(op: TestOidcProvider, providerId: string, sub: string, jar: Jar = {}, authorizationParams: Record<string, string> = {}) {
  const csrf = await keel("GET", "/api/auth/csrf", jar);
  const csrfToken = (csrf.body as { csrfToken: string }).csrfToken;
  const start = await keel("POST", `/api/auth/signin/${providerId}`, jar, {
    body: { csrfToken, callbackUrl: `${KEEL}/done`, json: "true" },
    query: authorizationParams,
  });
  if (!start.redirect?.startsWith(op.issuer)) return { res: start, jar, session: null };
  const back = await atProvider(op, start.redirect, sub);
  expect(back.pathname).toBe(`/api/auth/callback/${providerId}`);
  const res = await keel("GET", back.pathname, jar, { query: Object.fromEntries(back.searchParams) });
  const session = await userFromSessionToken(jar["keel.session"]);
  return { res, jar, session };
}

const errorOf = (res: KeelResponse) => (res.redirect ? new URL(res.redirect, KEEL).searchParams.get("error") : null);

let op: TestOidcProvider;
let t: TestOrg;
let provider: string;
const domain = "acme-sso.test";

async function saveConnection(org: TestOrg, changes: Partial<Parameters<ReturnType<typeof callerFor>["sso"]["save"]>[0]> = {}) {
  return callerFor(org.users.owner).sso.save({
    orgSlug: org.org.slug,
    issuer: op.issuer,
    clientId: `keel-${org.org.slug}`,
    clientSecret: SECRET,
    allowedDomains: domain,
    jitRole: "viewer",
    groupsClaim: "groups",
    roleMapping: [
      { group: "keel-editors", role: "editor" },
      { group: "keel-admins", role: "admin" },
    ],
    enabled: true,
    ...changes,
  });
}

beforeAll(async () => {
  op = await startOidcProvider({
    users: [
      { sub: "new-person", email: `new.person@${domain}`, name: "New Person", groups: ["keel-editors"], amr: ["pwd", "mfa"] },
      { sub: "admin-person", email: `admin.person@${domain}`, groups: ["keel-admins"] },
      { sub: "unverified", email: `unverified@${domain}`, email_verified: false },
      { sub: "outsider", email: "someone@elsewhere.test" },
      { sub: "plain", email: `plain@${domain}` },
    ],
  });
  t = await createTestOrg();
  provider = ssoProviderIdFor(t.org.slug);
  op.addClient({ clientId: `keel-${t.org.slug}`, clientSecret: SECRET, redirectUris: [`${KEEL}/api/auth/callback/${provider}`] });
  vi.stubEnv("KEEL_EGRESS_ALLOW", LOOPBACK);
  await saveConnection(t);
  vi.unstubAllEnvs();
});
afterAll(async () => {
  await op.close();
});
afterEach(() => {
  vi.unstubAllEnvs();
  op.tamperIdToken = null;
});

describe("the connection's settings", () => {
  it("are read by owners and admins without the secret, only its hint; saved and audited without it", async () => {
    const read = await callerFor(t.users.admin).sso.connection({ orgSlug: t.org.slug });
    expect(read.connection).toMatchObject({ issuer: op.issuer, clientId: `keel-${t.org.slug}`, allowedDomains: [domain], jitRole: "viewer" });
    expect(read.connection?.clientSecretHint).toBe("tes…6789");
    expect(JSON.stringify(read)).not.toContain(SECRET);
    expect(read.redirectUri).toMatch(new RegExp(`/api/auth/callback/${provider}$`));
    const events = await auditEventsOf(t.org.id);
    const created = events.find((e) => e.action === "sso.connection.created");
    expect(created).toBeTruthy();
    expect(JSON.stringify(events.map((e) => [e.before, e.after]))).not.toContain(SECRET);
    const stored = await getDb().ssoConnection.findUniqueOrThrow({ where: { orgId: t.org.id } });
    expect(stored.clientSecretEncrypted).not.toContain(SECRET);
  });

  it("refuses an admin (identity:manage is the owner's), a plain-http issuer the egress policy does not allow, and mapping to owner", async () => {
    const org = await createTestOrg();
    await expect(saveConnection({ ...org, users: { ...org.users, owner: org.users.admin } })).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(saveConnection(org)).rejects.toMatchObject({ code: "BAD_REQUEST", message: expect.stringMatching(/^issuer: must be an https:\/\/ URL/) });
    await expect(saveConnection(org, { issuer: "https://10.1.2.3/realms/acme" })).rejects.toMatchObject({
      code: "BAD_REQUEST",
      message: expect.stringMatching(/^issuer: is refused by Keel's egress policy \(a private address/),
    });
    vi.stubEnv("KEEL_EGRESS_ALLOW", LOOPBACK);
    await expect(saveConnection(org, { roleMapping: [{ group: "x", role: "owner" as "admin" }] })).rejects.toMatchObject({ code: "BAD_REQUEST" });
    await expect(saveConnection(org, { jitRole: "owner" as "admin" })).rejects.toMatchObject({ code: "BAD_REQUEST" });
    expect(await getDb().ssoConnection.count({ where: { orgId: org.org.id } })).toBe(0);
  });

  it("tests the issuer's discovery document, and refuses a private address without calling it", async () => {
    vi.stubEnv("KEEL_EGRESS_ALLOW", LOOPBACK);
    const ok = await callerFor(t.users.owner).sso.test({ orgSlug: t.org.slug, issuer: op.issuer });
    expect(ok).toMatchObject({ ok: true, supportsPkce: true });
    vi.unstubAllEnvs();
    const hits = op.hits;
    await expect(callerFor(t.users.owner).sso.test({ orgSlug: t.org.slug, issuer: op.issuer })).rejects.toMatchObject({ code: "BAD_REQUEST" });
    expect(op.hits).toBe(hits);
  });
});

describe("signing in through the identity provider", () => {
  it("creates a just-in-time member, maps their groups to a role (audited) and starts an SSO session", async () => {
    vi.stubEnv("KEEL_EGRESS_ALLOW", LOOPBACK);
    const before = await lastSeq(t.org.id);
    const { res, session } = await signInWithSso(op, provider, "new-person");
    expect(errorOf(res)).toBeNull();
    expect(res.redirect).toBe(`${KEEL}/done`);
    expect(session).toMatchObject({ email: `new.person@${domain}`, authentication: { method: "sso", verifiedMethod: "sso" } });
    const user = await getDb().user.findUniqueOrThrow({ where: { email: `new.person@${domain}` } });
    expect(user.passwordHash).toBeNull();
    const membership = await getDb().membership.findUniqueOrThrow({ where: { orgId_userId: { orgId: t.org.id, userId: user.id } } });
    expect(membership.role).toBe("editor");
    const row = await getDb().userSession.findUniqueOrThrow({ where: { id: session!.sessionId! } });
    const connection = await getDb().ssoConnection.findUniqueOrThrow({ where: { orgId: t.org.id } });
    expect(row).toMatchObject({ method: "sso", ssoConnectionId: connection.id });
    const events = await auditEventsOf(t.org.id, before);
    expect(events.map((e) => e.action)).toEqual(["user.created", "member.joined_via_sso", "member.role.changed", "user.signed_in_sso"]);
    expect(events[2]).toMatchObject({ before: { role: "viewer" }, after: { role: "editor", reason: "sso_groups" } });
    expect(events[3]!.after).toMatchObject({ amr: ["pwd", "mfa"] });
    expect(await getDb().userSsoIdentity.findUnique({ where: { issuer_subject: { issuer: op.issuer, subject: "new-person" } } })).toMatchObject({
      userId: user.id,
    });

    // The next sign-in finds the person by their link and changes nothing else.
    const again = await signInWithSso(op, provider, "new-person");
    expect(again.session?.id).toBe(user.id);
    expect(again.session?.sessionId).not.toBe(session!.sessionId);
  });

  it("links an existing member by verified email (audited) and never changes an owner's role", async () => {
    vi.stubEnv("KEEL_EGRESS_ALLOW", LOOPBACK);
    const org = await createTestOrg();
    const id = ssoProviderIdFor(org.org.slug);
    op.addClient({ clientId: `keel-${org.org.slug}`, clientSecret: SECRET, redirectUris: [`${KEEL}/api/auth/callback/${id}`] });
    await saveConnection(org, { jitRole: "" });
    const admin = await createUser(`admin.person@${domain}`, "Admin Person");
    await runAudited(systemActor("test"), async (w) => {
      await w.tx.membership.create({ data: { orgId: org.org.id, userId: admin.id, role: "owner" } });
      w.record({ orgId: org.org.id, action: "member.added", targetType: "membership", targetId: admin.id, after: { role: "owner" } });
    });
    const before = await lastSeq(org.org.id);
    const { session } = await signInWithSso(op, id, "admin-person");
    expect(session?.id).toBe(admin.id);
    const events = await auditEventsOf(org.org.id, before);
    expect(events.map((e) => e.action)).toEqual(["user.sso.linked", "user.signed_in_sso"]);
    // Mapped to admin by the keel-admins group, but owners are not the identity provider's to change.
    expect((await getDb().membership.findUniqueOrThrow({ where: { orgId_userId: { orgId: org.org.id, userId: admin.id } } })).role).toBe("owner");
  });

  it("refuses a person who is not a member when just-in-time membership is off, in words", async () => {
    vi.stubEnv("KEEL_EGRESS_ALLOW", LOOPBACK);
    const org = await createTestOrg();
    const id = ssoProviderIdFor(org.org.slug);
    op.addClient({ clientId: `keel-${org.org.slug}`, clientSecret: SECRET, redirectUris: [`${KEEL}/api/auth/callback/${id}`] });
    await saveConnection(org, { jitRole: "" });
    const { res, session } = await signInWithSso(op, id, "plain");
    expect(session).toBeNull();
    expect(errorOf(res)).toBe(`SsoNotMember|plain@${domain}|Org ${org.org.slug}`);
    expect(await getDb().user.findUnique({ where: { email: `plain@${domain}` } })).toBeNull();
  });

  it("does not link by email an account that also belongs to another organization", async () => {
    vi.stubEnv("KEEL_EGRESS_ALLOW", LOOPBACK);
    const other = await createTestOrg();
    const person = await createUser(`plain@${domain}`, "Plain");
    await runAudited(systemActor("test"), async (w) => {
      for (const orgId of [other.org.id, t.org.id]) {
        await w.tx.membership.create({ data: { orgId, userId: person.id, role: "viewer" } });
        w.record({ orgId, action: "member.added", targetType: "membership", targetId: person.id, after: { role: "viewer" } });
      }
    });
    const refused = await signInWithSso(op, provider, "plain");
    expect(refused.session).toBeNull();
    expect(errorOf(refused.res)).toBe(`SsoAccountExists|plain@${domain}|Org ${t.org.slug}`);
    // Signed in as that account already, the person proves it is theirs: linked.
    const jar: Jar = {};
    const { sessionCookieFor } = await import("@/test/support/factories");
    const cookie = await sessionCookieFor(person);
    jar["keel.session"] = decodeURIComponent(cookie.split("=")[1]!);
    const linked = await signInWithSso(op, provider, "plain", jar);
    expect(linked.session?.id).toBe(person.id);
    await getDb().userSsoIdentity.deleteMany({ where: { userId: person.id } });
    await getDb().membership.deleteMany({ where: { userId: person.id } });
    await getDb().user.delete({ where: { id: person.id } });
  });

  it("refuses an unverified email and an email outside the allowed domains", async () => {
    vi.stubEnv("KEEL_EGRESS_ALLOW", LOOPBACK);
    const unverified = await signInWithSso(op, provider, "unverified");
    expect(unverified.session).toBeNull();
    expect(errorOf(unverified.res)).toBe(`SsoEmailUnverified|unverified@${domain}|`);
    const outsider = await signInWithSso(op, provider, "outsider");
    expect(outsider.session).toBeNull();
    expect(errorOf(outsider.res)).toBe(`SsoDomainNotAllowed|someone@elsewhere.test|Org ${t.org.slug}`);
    expect(await getDb().user.findUnique({ where: { email: "someone@elsewhere.test" } })).toBeNull();
  });

  it("refuses an ID token for another audience, and an expired one", async () => {
    vi.stubEnv("KEEL_EGRESS_ALLOW", LOOPBACK);
    op.tamperIdToken = (claims) => ({ ...claims, aud: "some-other-client" });
    const wrongAudience = await signInWithSso(op, provider, "new-person");
    expect(wrongAudience.session).toBeNull();
    expect(errorOf(wrongAudience.res)).toBe("OAuthCallback");
    const now = Math.floor(Date.now() / 1000);
    op.tamperIdToken = (claims) => ({ ...claims, iat: now - 3600, exp: now - 600 });
    const expired = await signInWithSso(op, provider, "new-person");
    expect(expired.session).toBeNull();
    expect(errorOf(expired.res)).toBe("OAuthCallback");
    // The untampered token is accepted: the refusals above were the claims'.
    op.tamperIdToken = null;
    expect((await signInWithSso(op, provider, "new-person")).session).not.toBeNull();
  });

  it("never reaches an issuer at a private address the egress policy does not allow (next-auth's own requests included)", async () => {
    // Saved while loopback was allowed (beforeAll); the operator has since narrowed the policy.
    const hits = op.hits;
    const { res, session } = await signInWithSso(op, provider, "new-person");
    expect(session).toBeNull();
    expect(errorOf(res)).toBe("OAuthSignin");
    expect(op.hits).toBe(hits);
  });
});

describe("the instance-wide provider (KEEL_OIDC_*)", () => {
  it("signs in an existing account by verified email within its domains, links it in every organization's log, and creates nobody", async () => {
    op.addClient({ clientId: "keel-instance", clientSecret: SECRET, redirectUris: [`${KEEL}/api/auth/callback/oidc`] });
    vi.stubEnv("KEEL_EGRESS_ALLOW", LOOPBACK);
    vi.stubEnv("KEEL_OIDC_ISSUER", op.issuer);
    vi.stubEnv("KEEL_OIDC_CLIENT_ID", "keel-instance");
    vi.stubEnv("KEEL_OIDC_CLIENT_SECRET", SECRET);
    vi.stubEnv("KEEL_OIDC_ALLOWED_DOMAINS", domain);
    vi.stubEnv("KEEL_OIDC_NAME", "Acme login");
    expect(await callerFor(null).sso.instanceProviders()).toEqual([{ providerId: "oidc", name: "Acme login" }]);

    const unknown = await signInWithSso(op, "oidc", "plain");
    expect(unknown.session).toBeNull();
    expect(errorOf(unknown.res)).toBe(`SsoNoAccount|plain@${domain}|`);
    expect(await getDb().user.findUnique({ where: { email: `plain@${domain}` } })).toBeNull();

    const org = await createTestOrg();
    const person = await createUser(`plain@${domain}`, "Plain");
    await runAudited(systemActor("test"), async (w) => {
      await w.tx.membership.create({ data: { orgId: org.org.id, userId: person.id, role: "viewer" } });
      w.record({ orgId: org.org.id, action: "member.added", targetType: "membership", targetId: person.id, after: { role: "viewer" } });
    });
    const before = await lastSeq(org.org.id);
    const { session } = await signInWithSso(op, "oidc", "plain");
    expect(session).toMatchObject({ id: person.id, authentication: { method: "sso" } });
    expect((await getDb().userSession.findUniqueOrThrow({ where: { id: session!.sessionId! } })).ssoConnectionId).toBeNull();
    expect((await auditEventsOf(org.org.id, before)).map((e) => e.action)).toEqual(["user.sso.linked", "user.signed_in_sso"]);
    expect(await getDb().membership.count({ where: { userId: person.id } })).toBe(1);
    await getDb().userSsoIdentity.deleteMany({ where: { userId: person.id } });
    await getDb().membership.deleteMany({ where: { userId: person.id } });
    await getDb().user.delete({ where: { id: person.id } });
  });
});

describe("step-up", () => {
  it("re-verifies the current session instead of starting another when the same person signs in again", async () => {
    vi.stubEnv("KEEL_EGRESS_ALLOW", LOOPBACK);
    const first = await signInWithSso(op, provider, "new-person");
    const sid = first.session!.sessionId!;
    await getDb().userSession.update({ where: { id: sid }, data: { verifiedAt: new Date(Date.now() - 3600_000), verifiedMethod: "password" } });
    const sessions = await getDb().userSession.count({ where: { userId: first.session!.id } });
    const again = await signInWithSso(op, provider, "new-person", first.jar, { prompt: "login", max_age: "0" });
    expect(again.session?.sessionId).toBe(sid);
    expect(await getDb().userSession.count({ where: { userId: first.session!.id } })).toBe(sessions);
    const row = await getDb().userSession.findUniqueOrThrow({ where: { id: sid } });
    expect(row.verifiedMethod).toBe("sso");
    expect(Date.now() - row.verifiedAt.getTime()).toBeLessThan(60_000);
    expect(await callerFor(again.session).sso.reauthentication()).toEqual({ providerId: provider, orgSlug: t.org.slug });
  });
});

describe("requiring single sign-on", () => {
  it("needs an enabled connection and a break-glass owner; then refuses passwords except the break-glass owner's (audited)", async () => {
    const org = await createTestOrg();
    const check = () =>
      runAudited(systemActor("test"), async (w) => {
        await assertCanRequireSso(w.tx, org.org.id);
        w.unchanged();
      });
    await expect(check()).rejects.toMatchObject({ code: "CONFLICT", message: expect.stringMatching(/single sign-on connection/) });
    vi.stubEnv("KEEL_EGRESS_ALLOW", LOOPBACK);
    await saveConnection(org);
    await expect(check()).rejects.toMatchObject({ code: "CONFLICT", message: expect.stringMatching(/break-glass/) });
    await expect(callerFor(org.users.owner).sso.setBreakGlass({ orgSlug: org.org.slug, userId: org.users.admin.id, breakGlass: true })).rejects.toMatchObject({
      code: "BAD_REQUEST",
    });
    await callerFor(org.users.owner).sso.setBreakGlass({ orgSlug: org.org.slug, userId: org.users.owner.id, breakGlass: true });
    await check();
    await getDb().organization.update({ where: { id: org.org.id }, data: { requireSso: true } });
    // The last break-glass owner stays while SSO is required.
    await expect(callerFor(org.users.owner).sso.setBreakGlass({ orgSlug: org.org.slug, userId: org.users.owner.id, breakGlass: false })).rejects.toMatchObject({
      code: "CONFLICT",
    });

    const before = await lastSeq(org.org.id);
    const refused = await signInWithPassword(getDb(), { email: org.users.editor.email, password: TEST_PASSWORD }, testRequest());
    expect(refused).toEqual({ ok: false, reason: "sso_required", orgName: `Org ${org.org.slug}` });
    const owner = await signInWithPassword(getDb(), { email: org.users.owner.email, password: TEST_PASSWORD }, testRequest());
    expect(owner).toMatchObject({ ok: true });
    const events = await auditEventsOf(org.org.id, before);
    expect(events.map((e) => [e.action, e.outcome])).toEqual([
      ["auth.login.failed", "denied"],
      ["user.signed_in_break_glass", "success"],
    ]);
    expect(events[0]).toMatchObject({ targetId: org.users.editor.id, after: { reason: "single sign-on required" } });
    // A wrong password is still just a wrong password (nothing said about single sign-on).
    expect(await signInWithPassword(getDb(), { email: org.users.editor.email, password: "not-the-password" }, testRequest())).toEqual({
      ok: false,
      reason: "invalid",
    });
  });
});

describe("the sign-in page's discovery", () => {
  it("finds the organizations whose connection allows the email's domain, and nothing for others", async () => {
    const found = await callerFor(null).sso.discover({ email: `Someone@${domain.toUpperCase()}` });
    expect(found.organizations).toEqual(expect.arrayContaining([{ orgSlug: t.org.slug, name: `Org ${t.org.slug}`, providerId: provider }]));
    expect((await callerFor(null).sso.discover({ email: "someone@nowhere.test" })).organizations).toEqual([]);
  });
});
