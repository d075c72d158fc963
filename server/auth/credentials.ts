import "server-only";
// The email-and-password sign-in (next-auth's credentials provider), with a second step for people
// who have a second factor. A successful sign-in starts a server-side session
// (server/domain/users/sessions.ts) whose id the JWT carries, recording the factor presented.
import CredentialsProvider from "next-auth/providers/credentials";
import { getDb } from "../db/client";
import { signInWithPassword } from "../domain/users/sign-in";
import { startSession } from "../domain/users/sessions";
import { requestMetaFromHeaders } from "./request-meta";
import type { RequestMeta } from "../audit/actor";
import { AppError } from "../errors";
import { SECOND_FACTOR_FAILED_ERROR, SECOND_FACTOR_REQUIRED_ERROR, type SecondFactorProof } from "../contracts/identity";
import type { SecondFactor } from "../domain/users/sessions";
import { availableMethods, listFactors, verifySecondFactor } from "../domain/identity/second-factor";

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
  credentials: {
    email: { label: "Email", type: "email" },
    password: { label: "Password", type: "password" },
    // The second step: a SecondFactorProof as JSON (an authenticator code, a passkey assertion or a recovery code).
    secondFactor: { label: "Second factor", type: "text" },
  },
  async authorize(credentials, req): Promise<SignedInUser | null> {
    const email = typeof credentials?.email === "string" ? credentials.email : "";
    const password = typeof credentials?.password === "string" ? credentials.password : "";
    if (!email || !password || email.length > 254 || password.length > 256) return null;
    const request = requestMetaFromHeaders(headersOf(req));
    const result = await signInWithPassword(getDb(), { email, password }, request);
    if (result.ok) {
      const factor = await secondFactorOf(result.user.id, credentials?.secondFactor, request);
      const sid = await startSession(getDb(), result.user.id, request, { method: "password", factor });
      return { id: result.user.id, email: result.user.email, name: result.user.name, sv: result.user.sessionVersion, sid };
    }
    // next-auth passes the message to the sign-in page as ?error=…
    if (result.reason === "throttled") throw new Error(`Too many attempts. Try again in ${result.retryAfterSeconds} s.`);
    if (result.reason === "sso_required") throw new Error(`${result.orgName} requires single sign-on. Use 'Sign in with SSO'.`);
    return null;
  },
});

/**
 * The password was right. A person with a second factor must present one: without it the form is
 * told which methods they have ("SecondFactorRequired:totp,passkey"), and shows its second step;
 * a refused one comes back as "SecondFactorFailed:<message>".
 */
async function secondFactorOf(userId: string, raw: unknown, request: RequestMeta): Promise<SecondFactor | null> {
  const methods = availableMethods(await listFactors(getDb(), userId));
  if (methods.length === 0) return null;
  if (typeof raw !== "string" || raw === "" || raw.length > 20_000) throw new Error(`${SECOND_FACTOR_REQUIRED_ERROR}:${methods.join(",")}`);
  let proof: unknown;
  try {
    proof = JSON.parse(raw);
  } catch {
    throw new Error(`${SECOND_FACTOR_FAILED_ERROR}:The second factor is not valid.`);
  }
  try {
    return await verifySecondFactor(getDb(), userId, proof as SecondFactorProof, request);
  } catch (error) {
    if (error instanceof AppError) throw new Error(`${SECOND_FACTOR_FAILED_ERROR}:${error.message}`);
    throw error;
  }
}
