import { httpHandlers } from "@/server/api/http-handlers";

export const dynamic = "force-dynamic";
export const POST = httpHandlers["datasets.import"];
