import "server-only";
// The email-and-password sign-in (next-auth's credentials provider). A successful sign-in starts a
// server-side session (server/domain/users/sessions.ts) whose id the JWT carries.
import CredentialsProvider from "next-auth/providers/credentials";
import { getDb } from "../db/client";
import { signInWithPassword } from "../domain/users/sign-in";
import { startSession } from "../domain/users/sessions";
import { requestMetaFromHeaders } from "./request-meta";

/** The user object next-auth hands to the jwt callback on sign-in. */
export type SignedInUser = { id: string; email: string; name: string; sv: number; sid: string };

export function headersOf(req: { headers?: Record<string, unknown> } | undefined): Headers {
  const headers = new Headers();
  for (const [k, v] of Object.entries(req?.headers ?? {})) if (typeof v === "string") headers.set(k, v);
  return headers;
}

export const credentialsProvider = CredentialsProvider({
  id: "credentials",
  name: "Email and password",
  credentials: { email: { label: "Email", type: "email" }, password: { label: "Password", type: "password" } },
  async authorize(credentials, req): Promise<SignedInUser | null> {
    const email = typeof credentials?.email === "string" ? credentials.email : "";
    const password = typeof credentials?.password === "string" ? credentials.password : "";
    if (!email || !password || email.length > 254 || password.length > 256) return null;
    const request = requestMetaFromHeaders(headersOf(req));
    const result = await signInWithPassword(getDb(), { email, password }, request);
    if (result.ok) {
      const sid = await startSession(getDb(), result.user.id, request, { method: "password", factor: null });
      return { id: result.user.id, email: result.user.email, name: result.user.name, sv: result.user.sessionVersion, sid };
    }
    // next-auth passes the message to the sign-in page as ?error=…
    if (result.reason === "throttled") throw new Error(`Too many attempts. Try again in ${result.retryAfterSeconds} s.`);
    if (result.reason === "sso_required") throw new Error(`${result.orgName} requires single sign-on. Use 'Sign in with SSO'.`);
    return null;
  },
});
