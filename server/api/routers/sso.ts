import "server-only";
// Single sign-on: the organization's OpenID Connect connection (owners configure it, owners and
// admins see it, never its secret), break-glass owners, the sign-in page's discovery by email
// domain, and whether the current session can re-authenticate by single sign-on (step-up).
import { authedProcedure, createRouter, orgProcedure, publicProcedure } from "../trpc";
import { ssoBreakGlassInput, ssoConnectionInput, ssoDiscoverInput, ssoTestInput } from "../../contracts/sso";
import { deleteSsoConnection, getSsoConnection, saveSsoConnection, setBreakGlass, testSsoIssuer } from "../../domain/identity/sso/connections";
import { discoverSsoForEmail, ssoReauthenticationFor } from "../../domain/identity/sso/discovery";
import { instanceSsoConfig } from "../../auth/sso-instance";

export const ssoRouter = createRouter({
  connection: orgProcedure("identity:read").query(({ ctx }) => getSsoConnection(ctx.db, { orgId: ctx.org.id, orgSlug: ctx.org.slug })),
  save: orgProcedure("identity:manage")
    .input(ssoConnectionInput)
    .mutation(({ ctx, input }) => ctx.audited((w) => saveSsoConnection(w, { orgId: ctx.org.id, orgSlug: ctx.org.slug }, input))),
  delete: orgProcedure("identity:manage").mutation(({ ctx }) => ctx.audited((w) => deleteSsoConnection(w, { orgId: ctx.org.id, orgSlug: ctx.org.slug }))),
  // Fetches a discovery document and changes nothing: no audit event (like playground.run).
  test: orgProcedure("identity:manage")
    .input(ssoTestInput)
    .mutation(({ input }) => testSsoIssuer(input.issuer)),
  setBreakGlass: orgProcedure("identity:manage")
    .input(ssoBreakGlassInput)
    .mutation(({ ctx, input }) => ctx.audited((w) => setBreakGlass(w, { orgId: ctx.org.id, orgSlug: ctx.org.slug }, input))),
  discover: publicProcedure("the sign-in page finds the organizations that sign in by single sign-on for an email's domain")
    .input(ssoDiscoverInput)
    .query(({ ctx, input }) => discoverSsoForEmail(ctx.db, input.email)),
  instanceProviders: publicProcedure("the sign-in page shows the operator's instance-wide single sign-on button").query(() => {
    const config = instanceSsoConfig();
    return config ? [{ providerId: config.providerId, name: config.name }] : [];
  }),
  reauthentication: authedProcedure("a signed-in user asks whether their session can re-authenticate by single sign-on").query(({ ctx }) =>
    ssoReauthenticationFor(ctx.db, ctx.user.id, ctx.user.sessionId ?? null, instanceSsoConfig() !== null),
  ),
});
