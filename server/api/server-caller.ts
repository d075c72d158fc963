import "server-only";
// tRPC for server components: the same procedures, permissions and audit path as over HTTP.
import { headers } from "next/headers";
import { cache } from "react";
import { createCaller } from "./root";
import { createContext } from "./trpc";
import { getSessionUser } from "../auth/session";
import { requestMetaFromHeaders } from "../auth/request-meta";
import { readAfterOf } from "./http-context";

export const getCurrentUser = cache(getSessionUser);

/** The request's tRPC context (signed-in user and request metadata), built once per request. */
export const getServerContext = cache(async () => {
  const requestHeaders = await headers();
  return createContext(await getCurrentUser(), requestMetaFromHeaders(requestHeaders), readAfterOf(requestHeaders.get("cookie")));
});

export const getServerCaller = cache(async () => createCaller(await getServerContext()));
