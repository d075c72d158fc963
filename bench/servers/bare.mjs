// Reference: a bare node:http server answering the same JSON body, the ceiling for any handler.
import { createServer } from "node:http";

const body = JSON.stringify({
  publicKey: "pk-keel-xxxxxxxxxxxxxxxx",
  scopes: ["prompts:read"],
  project: { slug: "bench", name: "Bench" },
  organization: { slug: "bench", name: "Bench" },
});
const server = createServer((req, res) => {
  res.writeHead(200, { "content-type": "application/json; charset=utf-8", "content-length": Buffer.byteLength(body) });
  res.end(body);
});
server.listen(0, "127.0.0.1", () => console.log(`READY ${server.address().port} -`));
process.on("SIGTERM", () => process.exit(0));
