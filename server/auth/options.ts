import "server-only";
// next-auth: email + password (credentials) with JWT sessions. The JWT carries the user id, the
// session version and the id of a server-side session row; every request re-checks them against
// the database (server/auth/session.ts), so signing out, revoking a session, removing a user or
// changing a password ends sessions at once.
import type { NextAuthOptions } from "next-auth";
import { setting } from "../env";
import { endSession } from "../domain/users/sessions";
import { secureCookies, sessionCookieName } from "./cookies";
import { credentialsProvider } from "./credentials";
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
  providers: [credentialsProvider],
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
