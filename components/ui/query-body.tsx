"use client";
// The three states of a query every list and panel shows: loading, failed (with the server's
// message, or a way back in when the session ended), and empty; otherwise the data.
import type { ReactNode } from "react";
import { QueryErrorAlert } from "@/components/lib/error-alert";
import { Spinner } from "./spinner";

export type QueryState<T> = { isPending: boolean; isError: boolean; error: unknown; data: T | undefined };

export function QueryBody<T>({
  query,
  what,
  children,
  empty,
  isEmpty = (data) => Array.isArray(data) && data.length === 0,
}: {
  query: QueryState<T>;
  /** What is loading, in the plural or with its article: "Loading {what}…", "Could not load the {what}". */
  what: string;
  children: (data: T) => ReactNode;
  /** Shown instead of `children` when the data is empty (an empty array, unless `isEmpty` says otherwise). */
  empty?: ReactNode;
  isEmpty?: (data: T) => boolean;
}) {
  if (query.isPending) {
    return (
      <div className="px-4 py-10 text-center">
        <Spinner label={`Loading ${what}…`} />
      </div>
    );
  }
  if (query.isError || query.data === undefined) {
    return (
      <div className="p-4">
        <QueryErrorAlert title={`Could not load the ${what}`} error={query.error} />
      </div>
    );
  }
  if (empty !== undefined && isEmpty(query.data)) return <>{empty}</>;
  return <>{children(query.data)}</>;
}
