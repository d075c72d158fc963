// Two projects: `unit` (pure, no database) and `int` (real PostgreSQL: global setup migrates a
// template database once per run, every test file gets its own clone of it).
import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

const root = fileURLToPath(new URL("./", import.meta.url));
const ignored = ["**/node_modules/**", "**/.next/**", "**/.keel/**", "e2e/**"];

export default defineConfig({
  resolve: {
    alias: [
      // tsconfig's "@/*" path.
      { find: /^@\//, replacement: root },
      { find: /^server-only$/, replacement: `${root}test/support/empty.ts` },
    ],
  },
  test: {
    projects: [
      {
        extends: true,
        test: {
          name: "unit",
          sequence: { groupOrder: 0 },
          include: ["**/*.test.ts"],
          exclude: [...ignored, "**/*.int.test.ts"],
        },
      },
      {
        extends: true,
        test: {
          name: "int",
          sequence: { groupOrder: 1 },
          include: ["**/*.int.test.ts"],
          exclude: ignored,
          globalSetup: ["test/support/global-setup.ts"],
          setupFiles: ["test/support/int-setup.ts"],
          // 2 cores: more workers only contend for the same PostgreSQL.
          maxWorkers: 2,
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
    ],
  },
});
