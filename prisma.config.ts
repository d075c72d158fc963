// Prisma CLI configuration. Only `prisma generate` runs through the CLI here: migrations are
// driven by Prisma's WebAssembly schema engine (server/db/migrations), because the native
// engine cannot be downloaded on this machine kind.
process.env.PRISMA_SCHEMA_ENGINE_BINARY ??= "/bin/true";
import "dotenv/config";
import { defineConfig } from "prisma/config";

export default defineConfig({
  schema: "prisma/schema.prisma",
  migrations: { path: "prisma/migrations" },
});
