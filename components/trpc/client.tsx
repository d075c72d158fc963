"use client";
// tRPC + TanStack Query for client components: `const trpc = useTRPC()` then
// `useQuery(trpc.members.list.queryOptions({ orgSlug }))`.
import { QueryClientProvider } from "@tanstack/react-query";
import { createTRPCClient, httpBatchLink, httpBatchStreamLink, loggerLink, splitLink } from "@trpc/client";
import { createTRPCContext } from "@trpc/tanstack-react-query";
import { useState, type ReactNode } from "react";
import superjson from "superjson";
import type { inferRouterOutputs } from "@trpc/server";
import type { AppRouter } from "@/server/api/root";
import { makeQueryClient } from "./query-client";
import { stepUpLink } from "./step-up-link";
import { StepUpHost } from "@/components/identity/step-up-host";

/** What procedures return and take, inferred from the router: never copied by hand. */
export type RouterOutputs = inferRouterOutputs<AppRouter>;

export const { TRPCProvider, useTRPC, useTRPCClient } = createTRPCContext<AppRouter>();

export function Providers({ children }: { children: ReactNode }) {
  const [queryClient] = useState(makeQueryClient);
  const [trpcClient] = useState(() =>
    createTRPCClient<AppRouter>({
      links: [
        loggerLink({ enabled: (op) => process.env.NODE_ENV === "development" && op.direction === "down" && op.result instanceof Error }),
        stepUpLink,
        // playground.run answers with a stream of events (rendered, deltas, done): it alone goes
        // through the streaming link; everything else stays on plain batched requests.
        splitLink({
          condition: (op) => op.path === "playground.run",
          true: httpBatchStreamLink({ url: "/api/trpc", transformer: superjson }),
          false: httpBatchLink({ url: "/api/trpc", transformer: superjson }),
        }),
      ],
    }),
  );
  return (
    <QueryClientProvider client={queryClient}>
      <TRPCProvider trpcClient={trpcClient} queryClient={queryClient}>
        {children}
        <StepUpHost />
      </TRPCProvider>
    </QueryClientProvider>
  );
}
