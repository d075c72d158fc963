import "server-only";
// Server components call tRPC through the server caller; these helpers turn its errors into
// navigation: NOT_FOUND renders the not-found page, UNAUTHORIZED goes to sign-in, FORBIDDEN is
// returned for the page to explain.
import { TRPCError } from "@trpc/server";
import { notFound, redirect } from "next/navigation";
import { cache } from "react";
import { getServerCaller } from "@/server/api/server-caller";

export async function orNavigate<T>(promise: Promise<T>, options: { badRequestIsNotFound?: boolean } = {}): Promise<T> {
  try {
    return await promise;
  } catch (error) {
    if (error instanceof TRPCError) {
      if (error.code === "NOT_FOUND") notFound();
      // A malformed slug in the address is simply a page that does not exist.
      if (error.code === "BAD_REQUEST" && options.badRequestIsNotFound) notFound();
      if (error.code === "UNAUTHORIZED") redirect("/sign-in");
    }
    throw error;
  }
}

/** Per-request memoised reads shared by layouts and pages. */
export const getOrg = cache(async (orgSlug: string) => orNavigate((await getServerCaller()).orgs.get({ orgSlug }), { badRequestIsNotFound: true }));
export const getProject = cache(async (orgSlug: string, projectSlug: string) =>
  orNavigate((await getServerCaller()).projects.get({ orgSlug, projectSlug }), { badRequestIsNotFound: true }),
);
export const getMyOrganizations = cache(async () => orNavigate((await getServerCaller()).account.organizations()));
