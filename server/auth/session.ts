import "server-only";
// The signed-in user for a request: the JWT's user id and session version must still match the
// database, otherwise the session is over (user removed, password changed).
import { cookies } from "next/headers";
import { decode } from "next-auth/jwt";
import { getDb } from "../db/client";
import { sessionCookieName } from "./options";

export type SessionUser = { id: string; email: string; name: string };

export async function resolveSessionUser(uid: unknown, sv: unknown): Promise<SessionUser | null> {
  if (typeof uid !== "string" || typeof sv !== "number") return null;
  const user = await getDb().user.findUnique({ where: { id: uid }, select: { id: true, email: true, name: true, sessionVersion: true } });
  if (!user || user.sessionVersion !== sv) return null;
  return { id: user.id, email: user.email, name: user.name };
}

export async function userFromSessionToken(raw: string | undefined): Promise<SessionUser | null> {
  if (!raw) return null;
  try {
    const token = await decode({ token: raw, secret: process.env.KEEL_SECRET ?? "" });
    return resolveSessionUser(token?.uid, token?.sv);
  } catch {
    return null;
  }
}

/** For server components and route handlers. */
export async function getSessionUser(): Promise<SessionUser | null> {
  return userFromSessionToken((await cookies()).get(sessionCookieName())?.value);
}
