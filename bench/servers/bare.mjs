// Reference: a bare node:http server answering every request with the same pre-serialized JSON
// body (read from the file given as the first argument), the ceiling for any handler.
// Prints `READY {"port":…}` when listening.
import { readFileSync } from "node:fs";
import { createServer } from "node:http";

const body = readFileSync(process.argv[2]);
const server = createServer((req, res) => {
  res.writeHead(200, { "content-type": "application/json; charset=utf-8", "content-length": body.length });
  res.end(body);
});
server.listen(0, "127.0.0.1", () => console.log(`READY ${JSON.stringify({ port: server.address().port })}`));
process.on("SIGTERM", () => process.exit(0));
process.on("SIGINT", () => process.exit(0));
