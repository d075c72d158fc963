import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { appRouter } from "@/server/api/root";
import { createRequestContext, readAfterCookie, rejectCrossSite } from "@/server/api/http-context";
import { logUnseenFailure } from "@/server/api/trpc";
import { DATABASE_RETRY_AFTER_SECONDS, isDatabaseUnavailable } from "@/server/db/unavailable";

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
    onError: ({ error, path, ctx }) => logUnseenFailure(error, path, ctx?.request.requestId ?? req.headers.get("x-request-id")),
    // A database that cannot be reached answers 503 with Retry-After (clients retry it), also when
    // the context itself could not be built. A change remembers its WAL position in a cookie, so
    // this browser's next reads wait for a replica to replay it (server/db/replica.ts).
    responseMeta: ({ ctx, errors }) => {
      if (errors.some((e) => e.code === "SERVICE_UNAVAILABLE" || isDatabaseUnavailable(e.cause)))
        return { status: 503, headers: new Headers({ "retry-after": String(DATABASE_RETRY_AFTER_SECONDS) }) };
      const wrote = ctx?.consistency.wrote;
      return wrote ? { headers: new Headers({ "set-cookie": readAfterCookie(wrote) }) } : {};
    },
  });
}

export { handler as GET, handler as POST };
