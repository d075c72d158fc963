// Writes docs/permissions.md (see server/rbac/permissions-doc.ts).
import { writeFileSync } from "node:fs";
import { appRouter } from "../server/api/root";
import { publicRoutes } from "../server/public-api/routes";
import { listProcedures, renderPermissionsDoc } from "../server/rbac/permissions-doc";

writeFileSync(new URL("../docs/permissions.md", import.meta.url), renderPermissionsDoc(listProcedures(appRouter), publicRoutes));
console.log("docs/permissions.md written");
