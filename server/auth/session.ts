import "server-only";
// The signed-in user for a request. The JWT names a server-side session (server/domain/users/
// sessions.ts): it must be live (not signed out, revoked or expired) and the user's session
// version must still match (a password change ends every session).
import { cookies } from "next/headers";
import { decode } from "next-auth/jwt";
import { findLiveSession, type SessionAuthentication } from "../domain/users/sessions";
import { setting } from "../env";
import { sessionCookieName } from "./cookies";

export type SessionUser = {
  id: string;
  email: string;
  name: string;
  /** The session this request came with, when it came with one. */
  sessionId?: string;
  /** How that session was authenticated (absent for callers without a session, e.g. tests and the CLI). */
  authentication?: SessionAuthentication;
};

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export async function resolveSessionUser(uid: unknown, sv: unknown, sid: unknown): Promise<SessionUser | null> {
  if (typeof uid !== "string" || typeof sv !== "number" || typeof sid !== "string" || !UUID.test(uid) || !UUID.test(sid)) return null;
  const live = await findLiveSession(sid, uid);
  if (!live || live.user.sessionVersion !== sv) return null;
  return { id: live.user.id, email: live.user.email, name: live.user.name, sessionId: live.sessionId, authentication: live.authentication };
}

export async function userFromSessionToken(raw: string | undefined): Promise<SessionUser | null> {
  if (!raw) return null;
  try {
    const token = await decode({ token: raw, secret: setting("KEEL_SECRET") ?? "" });
    return resolveSessionUser(token?.uid, token?.sv, token?.sid);
  } catch {
    return null;
  }
}

/** For server components and route handlers. */
export async function getSessionUser(): Promise<SessionUser | null> {
  return userFromSessionToken((await cookies()).get(sessionCookieName())?.value);
}
