// Reference for the otel-ingest case: a bare node:http server that reads each request body,
// JSON.parses it (an OTLP JSON batch) and answers 200 with an empty ExportTraceServiceResponse:
// the ceiling for any OTLP/HTTP endpoint in Node, before decoding, storing or durability.
// Prints `READY {"port":…}` when listening.
import { createServer } from "node:http";

const reply = Buffer.from("{}");
const server = createServer((req, res) => {
  const chunks = [];
  req.on("data", (c) => chunks.push(c));
  req.on("end", () => {
    try {
      JSON.parse(Buffer.concat(chunks).toString("utf8"));
    } catch {
      res.writeHead(400, { "content-type": "application/json", "content-length": 2 }).end("{}");
      return;
    }
    res.writeHead(200, { "content-type": "application/json", "content-length": reply.length });
    res.end(reply);
  });
});
server.listen(0, "127.0.0.1", () => console.log(`READY ${JSON.stringify({ port: server.address().port })}`));
process.on("SIGTERM", () => process.exit(0));
process.on("SIGINT", () => process.exit(0));
