import { projectRoute } from "@/server/api/http-routes";
import { handleImport } from "@/server/api/dataset-http";

export const dynamic = "force-dynamic";
export const POST = projectRoute("datasets.import", handleImport);
