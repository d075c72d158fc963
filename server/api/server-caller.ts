import "server-only";
// tRPC for server components: the same procedures, permissions and audit path as over HTTP.
import { headers } from "next/headers";
import { cache } from "react";
import { createCaller } from "./root";
import { createContext } from "./trpc";
import { getSessionUser } from "../auth/session";
import { requestMetaFromHeaders } from "../auth/request-meta";

export const getServerCaller = cache(async () => {
  const user = await getSessionUser();
  return createCaller(createContext(user, requestMetaFromHeaders(await headers())));
});

export const getCurrentUser = cache(getSessionUser);
