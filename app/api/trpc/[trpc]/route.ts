import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { appRouter } from "@/server/api/root";
import { createRequestContext, rejectCrossSite } from "@/server/api/http-context";

export const dynamic = "force-dynamic";

function handler(req: Request) {
  const refused = rejectCrossSite(req);
  if (refused) return refused;
  return fetchRequestHandler({
    endpoint: "/api/trpc",
    req,
    router: appRouter,
    createContext: () => createRequestContext(req),
    // Queries arrive as GET and are read-only by construction; mutations only as POST.
    allowMethodOverride: false,
  });
}

export { handler as GET, handler as POST };
