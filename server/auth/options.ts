import "server-only";
// next-auth: email + password (credentials) with JWT sessions. The JWT carries the user id and
// the session version; every request re-checks both against the database (server/auth/session.ts),
// so removing a user or changing a password ends their sessions.
import type { NextAuthOptions } from "next-auth";
import CredentialsProvider from "next-auth/providers/credentials";
import { getDb } from "../db/client";
import { signInWithPassword } from "../domain/users/sign-in";
import { requestMetaFromHeaders } from "./request-meta";

export const SESSION_MAX_AGE_SECONDS = 7 * 24 * 3600;

function secureCookies(): boolean {
  return (process.env.NEXTAUTH_URL ?? "").startsWith("https://");
}

export function sessionCookieName(): string {
  return secureCookies() ? "__Secure-keel.session" : "keel.session";
}

export const authOptions: NextAuthOptions = {
  secret: process.env.KEEL_SECRET,
  session: { strategy: "jwt", maxAge: SESSION_MAX_AGE_SECONDS },
  pages: { signIn: "/sign-in", error: "/sign-in" },
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
        const result = await signInWithPassword(getDb(), { email, password }, requestMetaFromHeaders(headers));
        if (result.ok) return { id: result.user.id, email: result.user.email, name: result.user.name, sv: result.user.sessionVersion };
        // next-auth passes the message to the sign-in page as ?error=…
        if (result.reason === "throttled") throw new Error(`Too many attempts. Try again in ${result.retryAfterSeconds} s.`);
        return null;
      },
    }),
  ],
  callbacks: {
    jwt({ token, user }) {
      if (user) {
        token.uid = user.id;
        token.sv = (user as { sv?: number }).sv ?? 0;
      }
      return token;
    },
    session({ session, token }) {
      return { ...session, user: { ...session.user, id: token.uid as string } };
    },
  },
};
