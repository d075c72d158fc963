// setupFiles module of the `int` project, run before each test file: gives the file its own
// database and points DATABASE_URL at it before any app module reads it (server/db/client.ts
// reads it lazily on first use). The global teardown drops the run's databases.
import { thisFilesDatabase } from "./db";

const database = await thisFilesDatabase();
process.env.DATABASE_URL = database.url;
// A fixed test key, so provider API keys can be encrypted at rest as in production.
process.env.KEEL_ENCRYPTION_KEY ??= Buffer.alloc(32, 7).toString("base64url");
// The same secret sessionCookieFor uses (recovery codes are hashed under a key derived from it).
process.env.KEEL_SECRET ??= "test-secret-".padEnd(40, "x");
