// One QueryClient configuration for the browser and for server components. Server components
// prefetch into a per-request client and hand the cache to the browser (`HydrationBoundary`);
// superjson carries Dates and bigints across exactly as the tRPC link does.
import { QueryClient } from "@tanstack/react-query";
import superjson from "superjson";

export function makeQueryClient() {
  return new QueryClient({
    defaultOptions: {
      queries: {
        // Long enough that a page hydrated from the server does not fetch the same data again at once.
        staleTime: 15_000,
        retry: (count, error) => count < 2 && !/UNAUTHORIZED|FORBIDDEN|NOT_FOUND/.test(String((error as { data?: { code?: string } })?.data?.code)),
      },
      // Only answers go to the browser (the default): a query that failed on the server is asked again there.
      dehydrate: { serializeData: superjson.serialize },
      hydrate: { deserializeData: superjson.deserialize },
    },
  });
}
