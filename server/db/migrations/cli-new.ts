// `npm run db:migrate:new -- <name>`: writes the next migration, i.e. the SQL that takes the
// database prisma/migrations produces to the one prisma/schema.prisma describes, to
// prisma/migrations/<UTC timestamp>_<name>/migration.sql. Review it, append any SQL Prisma
// cannot express (triggers, partial indexes), and commit it; landed migrations are never edited.
//
// The diff replays the existing migrations into a throwaway shadow database: on the server in
// SHADOW_DATABASE_URL when set, otherwise on a temporary embedded PostgreSQL.
import { existsSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";

import dotenv from "dotenv";

import { generateMigrationSql, MIGRATION_LOCK_CONTENT, migrationsDirectory } from "./engine";

const NAME_PATTERN = /^[a-z][a-z0-9]*(?:_[a-z0-9]+)*$/;
const MAX_NAME_LENGTH = 60;

function fail(message: string): never {
  console.error(`error: ${message}`);
  process.exit(1);
}

/** UTC, like Prisma's own migration folders: 20250101123000. */
function timestamp(now = new Date()): string {
  return now.toISOString().replace(/\D/g, "").slice(0, 14);
}

async function main(): Promise<void> {
  dotenv.config({ quiet: true });
  const args = process.argv.slice(2);
  const name = args[0];
  if (args.length !== 1 || name === undefined) {
    fail("usage: npm run db:migrate:new -- <snake_case_name>");
  }
  if (!NAME_PATTERN.test(name) || name.length > MAX_NAME_LENGTH) {
    fail(
      `migration name "${name}" must be snake_case (a-z, 0-9, single underscores, starting ` +
        `with a letter, at most ${MAX_NAME_LENGTH} characters), e.g. add_prompt_labels`,
    );
  }

  const { sql, upToDate } = await generateMigrationSql();
  if (upToDate) {
    console.log("schema already matches the migrations");
    return;
  }

  const baseDir = migrationsDirectory();
  const dirName = `${timestamp()}_${name}`;
  const dir = path.join(baseDir, dirName);
  if (existsSync(dir)) fail(`${path.relative(process.cwd(), dir)} already exists`);
  await mkdir(dir, { recursive: true });
  await writeFile(path.join(dir, "migration.sql"), sql.endsWith("\n") ? sql : `${sql}\n`);
  const lockPath = path.join(baseDir, "migration_lock.toml");
  if (!existsSync(lockPath)) await writeFile(lockPath, MIGRATION_LOCK_CONTENT);
  console.log(`created ${path.relative(process.cwd(), path.join(dir, "migration.sql"))}`);
}

main().catch((error: unknown) => {
  fail(error instanceof Error ? (error.message.split("\n")[0] ?? "unknown error") : String(error));
});
