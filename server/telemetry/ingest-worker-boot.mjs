// Starts an ingestion worker thread: TypeScript is loaded through tsx (as `npm start` does for
// the main thread), `server-only` resolves to an empty module (a worker is server code; the main
// thread gets the same through --conditions=react-server), then the worker module in workerData.
import { register } from "node:module";
import { workerData } from "node:worker_threads";
import { register as registerTsx } from "tsx/esm/api";

const serverOnly = `export async function resolve(specifier, context, next) {
  return specifier === "server-only" ? { url: "data:text/javascript,", shortCircuit: true } : next(specifier, context);
}`;
register(`data:text/javascript,${encodeURIComponent(serverOnly)}`);
registerTsx();
await import(workerData.entry);
