import "server-only";
// Server prefetch and hydration (the create-t3-app pattern): a page fetches what its view shows
// into this request's QueryClient, through the same procedures as the browser, and hands that
// cache over with <Hydrate>. The view's first render, on the server and in the browser, then has
// the data: no second request for it and no loading flash. A prefetch that answers NOT_FOUND
// renders the not-found page, as orNavigate does.
import { dehydrate, HydrationBoundary, type FetchQueryOptions, type QueryKey } from "@tanstack/react-query";
import { createTRPCOptionsProxy } from "@trpc/tanstack-react-query";
import { cache, type ReactNode } from "react";
import { makeQueryClient } from "@/components/trpc/query-client";
import { appRouter } from "@/server/api/root";
import { getServerContext } from "@/server/api/server-caller";
import { orNavigate } from "./load";

/** This request's QueryClient: one per request, shared by its layouts and page. */
export const getQueryClient = cache(makeQueryClient);

/** Query options for server components, the same keys as `useTRPC()` in the browser. */
export const trpc = createTRPCOptionsProxy({ router: appRouter, ctx: getServerContext, queryClient: getQueryClient });

/** Fetches into the request's cache and returns the answer; NOT_FOUND (and, if asked, BAD_REQUEST) is the not-found page. */
export function prefetchOrNavigate<TQueryFnData, TError, TData, TQueryKey extends QueryKey>(
  options: FetchQueryOptions<TQueryFnData, TError, TData, TQueryKey>,
  navigation: { badRequestIsNotFound?: boolean } = {},
): Promise<TData> {
  return orNavigate(getQueryClient().fetchQuery(options), navigation);
}

/** Fetches what a view also shows into the request's cache; a failure is left for the browser to ask again. */
export function prefetch<TQueryFnData, TError, TData, TQueryKey extends QueryKey>(
  options: FetchQueryOptions<TQueryFnData, TError, TData, TQueryKey>,
): Promise<void> {
  return getQueryClient().prefetchQuery(options);
}

/** Hands what this request fetched to the browser's QueryClient. */
export function Hydrate({ children }: { children: ReactNode }) {
  return <HydrationBoundary state={dehydrate(getQueryClient())}>{children}</HydrationBoundary>;
}
