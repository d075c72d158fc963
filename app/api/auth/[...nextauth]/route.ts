import NextAuth from "next-auth";
import { cookies, headers } from "next/headers";
import type { NextRequest } from "next/server";
import { authOptionsFor, providerIdOfPath } from "@/server/auth/sso-options";

// next-auth's advanced initialization: the options (and so the providers) are built per request,
// because an organization's single sign-on connection is loaded only when the path names it.
type Context = { params: Promise<{ nextauth: string[] }> };

async function handler(req: NextRequest, context: Context) {
  const { nextauth } = await context.params;
  const options = await authOptionsFor({
    providerId: providerIdOfPath(nextauth),
    headers: new Headers(await headers()),
    cookies: Object.fromEntries((await cookies()).getAll().map((c) => [c.name, c.value])),
  });
  return NextAuth(req, context, options) as Promise<Response>;
}

export { handler as GET, handler as POST };
