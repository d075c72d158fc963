// setupFiles module of the `int` project, run before each test file: gives the file its own
// database and points DATABASE_URL at it before any app module reads it (server/db/client.ts
// reads it lazily on first use). The global teardown drops the run's databases.
import { thisFilesDatabase } from "./db";

const database = await thisFilesDatabase();
process.env.DATABASE_URL = database.url;
