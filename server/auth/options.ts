import "server-only";
// next-auth: email + password (credentials) with JWT sessions. The JWT carries the user id, the
// session version and the id of a server-side session row; every request re-checks them against
// the database (server/auth/session.ts), so signing out, revoking a session, removing a user or
// changing a password ends sessions at once.
import type { NextAuthOptions } from "next-auth";
import CredentialsProvider from "next-auth/providers/credentials";
import { getDb } from "../db/client";
import { setting } from "../env";
import { signInWithPassword } from "../domain/users/sign-in";
import { endSession, startSession } from "../domain/users/sessions";
import { requestMetaFromHeaders } from "./request-meta";
import { secureCookies, sessionCookieName } from "./cookies";
import { logger } from "../runtime/log";

const log = logger("auth");

// Kept here too for callers that know the session cookie from next-auth's configuration.
export { sessionCookieName } from "./cookies";

export const SESSION_MAX_AGE_SECONDS = 7 * 24 * 3600;

export const authOptions: NextAuthOptions = {
  secret: setting("KEEL_SECRET"),
  session: { strategy: "jwt", maxAge: SESSION_MAX_AGE_SECONDS },
  pages: { signIn: "/sign-in", error: "/sign-in" },
  // next-auth's own reports as Keel's one-line entries (its default prints objects with stacks).
  logger: {
    error: (code, metadata) => log.error(`next-auth: ${code}`, { error: metadata instanceof Error ? metadata : metadata.error }),
    warn: (code) => log.warn(`next-auth: ${code}`),
    debug: () => {},
  },
  useSecureCookies: secureCookies(),
  cookies: {
    sessionToken: {
      name: sessionCookieName(),
      options: { httpOnly: true, sameSite: "lax", path: "/", secure: secureCookies() },
    },
  },
  providers: [
    CredentialsProvider({
      name: "Email and password",
      credentials: { email: { label: "Email", type: "email" }, password: { label: "Password", type: "password" } },
      async authorize(credentials, req) {
        const email = typeof credentials?.email === "string" ? credentials.email : "";
        const password = typeof credentials?.password === "string" ? credentials.password : "";
        if (!email || !password || email.length > 254 || password.length > 256) return null;
        const headers = new Headers();
        for (const [k, v] of Object.entries(req?.headers ?? {})) if (typeof v === "string") headers.set(k, v);
        const request = requestMetaFromHeaders(headers);
        const result = await signInWithPassword(getDb(), { email, password }, request);
        if (result.ok) {
          const sid = await startSession(getDb(), result.user.id, request);
          return { id: result.user.id, email: result.user.email, name: result.user.name, sv: result.user.sessionVersion, sid };
        }
        // next-auth passes the message to the sign-in page as ?error=…
        if (result.reason === "throttled") throw new Error(`Too many attempts. Try again in ${result.retryAfterSeconds} s.`);
        return null;
      },
    }),
  ],
  events: {
    // Signing out ends the session server-side: the cookie's JWT stops working everywhere.
    async signOut(message) {
      await endSession("token" in message ? message.token?.sid : undefined);
    },
  },
  callbacks: {
    jwt({ token, user }) {
      if (user) {
        token.uid = user.id;
        token.sv = (user as { sv?: number }).sv ?? 0;
        token.sid = (user as { sid?: string }).sid;
      }
      return token;
    },
    session({ session, token }) {
      return { ...session, user: { ...session.user, id: token.uid as string } };
    },
  },
};
