import { projectRoute } from "@/server/api/http-routes";
import { handleExport } from "@/server/api/dataset-http";

export const dynamic = "force-dynamic";
export const GET = projectRoute("datasets.export", handleExport);
export const HEAD = GET;
