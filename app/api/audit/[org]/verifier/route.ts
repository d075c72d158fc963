import { httpHandlers } from "@/server/api/http-handlers";

export const dynamic = "force-dynamic";
export const GET = httpHandlers["audit.verifier"];
