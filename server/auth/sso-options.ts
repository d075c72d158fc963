import "server-only";
// next-auth's options for one request (advanced initialization: app/api/auth/[...nextauth]/route.ts
// builds them per request). The providers are the credentials provider, the instance-wide OpenID
// Connect provider from the environment (KEEL_OIDC_*), and an organization's connection
// (`sso-<orgSlug>`), loaded from the database only when the request's path names it. The
// organization's connection never appears in /api/auth/providers: the sign-in page reaches it by
// email domain (server/domain/identity/sso/discovery.ts), and clients start it with
// components/identity/sso-sign-in-client.ts (next-auth/react's signIn() only knows listed providers).
import type { NextAuthOptions, User } from "next-auth";
import type { OAuthConfig } from "next-auth/providers/oauth";
import { getDb } from "../db/client";
import { authOptions } from "./options";
import { credentialsProvider } from "./credentials";
import { instanceSsoConfig } from "./sso-instance";
import { installSsoEgress } from "./sso-http";
import { requestMetaFromHeaders } from "./request-meta";
import { userFromSessionToken } from "./session";
import { sessionCookieName } from "./cookies";
import { orgSlugOfSsoProvider, ssoProviderIdFor } from "../contracts/sso";
import { ssoConnectionForSignIn } from "../domain/identity/sso/connections";
import { completeSsoSignIn, SsoSignInRefusal, type SsoClaims, type SsoSource } from "../domain/identity/sso/sign-in";
import { logger } from "../runtime/log";

const log = logger("sso");

/** What a request tells the options: the provider its path names, its headers (cookies included). */
export type AuthRequest = { providerId?: string; headers: Headers; cookies: Record<string, string> };

type Claims = Record<string, unknown> & { sub: string; email?: string; name?: string };

/** next-auth's OAuth provider for an OpenID Connect issuer: authorization code with PKCE, state and nonce; the ID token's claims are the profile. */
function oidcProvider(input: { id: string; name: string; issuer: string; clientId: string; clientSecret: string }): OAuthConfig<Claims> {
  return {
    id: input.id,
    name: input.name,
    type: "oauth",
    wellKnown: `${input.issuer}/.well-known/openid-configuration`,
    issuer: input.issuer,
    clientId: input.clientId,
    clientSecret: input.clientSecret,
    authorization: { params: { scope: "openid email profile" } },
    idToken: true,
    checks: ["pkce", "state", "nonce"],
    client: { token_endpoint_auth_method: "client_secret_basic" },
    profile: (claims) => ({
      id: claims.sub,
      email: typeof claims.email === "string" ? claims.email : null,
      name: typeof claims.name === "string" ? claims.name : null,
    }),
  };
}

/** The provider ids a sign-in form may name: the path's `/api/auth/<action>/<providerId>`. */
export function providerIdOfPath(segments: string[] | undefined): string | undefined {
  const [action, providerId] = segments ?? [];
  return action === "signin" || action === "callback" ? providerId : undefined;
}

/** The sign-in page's ?error= for a refusal or failure (words for it: components/identity/sso-errors.ts). */
function errorRedirect(code: string): string {
  return `/sign-in?error=${encodeURIComponent(code)}`;
}

export async function authOptionsFor(request: AuthRequest): Promise<NextAuthOptions> {
  installSsoEgress();
  const providers: NextAuthOptions["providers"] = [credentialsProvider];
  const sources = new Map<string, SsoSource>();

  const instance = instanceSsoConfig();
  if (instance) {
    providers.push(oidcProvider({ ...instance, id: instance.providerId }));
    sources.set(instance.providerId, { kind: "instance", issuer: instance.issuer, allowedDomains: instance.allowedDomains, name: instance.name });
  }
  const orgSlug = orgSlugOfSsoProvider(request.providerId);
  if (orgSlug) {
    const connection = await ssoConnectionForSignIn(getDb(), orgSlug).catch((error: unknown) => {
      // A secret that cannot be decrypted (a lost key) reads as "not set up", and is logged.
      log.error("the single sign-on connection could not be loaded", { error, orgSlug });
      return null;
    });
    if (connection) {
      const id = ssoProviderIdFor(orgSlug);
      providers.push(
        oidcProvider({ id, name: connection.org.name, issuer: connection.issuer, clientId: connection.clientId, clientSecret: connection.clientSecret }),
      );
      sources.set(id, { kind: "org", connection });
    }
  }

  return {
    ...authOptions,
    providers,
    callbacks: {
      ...authOptions.callbacks,
      async signIn({ user, account, profile }) {
        if (account?.type !== "oauth") return true;
        const source = sources.get(account.provider);
        if (!source || !profile) return errorRedirect("SsoUnavailable");
        const current = await userFromSessionToken(request.cookies[sessionCookieName()]);
        try {
          const result = await completeSsoSignIn(
            getDb(),
            source,
            profile as SsoClaims,
            requestMetaFromHeaders(request.headers),
            current?.sessionId ? { userId: current.id, sessionId: current.sessionId } : null,
          );
          // The jwt callback (server/auth/options.ts) puts these in the session token.
          Object.assign(user as User & { sv?: number; sid?: string }, {
            id: result.userId,
            email: result.email,
            name: result.name,
            sv: result.sessionVersion,
            sid: result.sessionId,
          });
          return true;
        } catch (error) {
          if (error instanceof SsoSignInRefusal) return errorRedirect(error.message);
          log.error("single sign-on failed", { error, provider: account.provider });
          return errorRedirect("SsoFailed");
        }
      },
    },
  };
}
