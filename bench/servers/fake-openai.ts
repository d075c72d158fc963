// Bench peer: the local fake OpenAI-compatible server (test/support/fake-openai.ts) in its own
// process, answering after BENCH_LATENCY_MS (default 200). A control server takes
// `POST /reset?latency=<ms>&share=<0..1>&retryAfter=<s>` and answers `GET /stats` with the
// number of requests and the most that were in flight at once. Prints
// `READY {"url":"…/v1","control":"http://…"}`.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { startFakeOpenAI } from "../../test/support/fake-openai";

const fake = await startFakeOpenAI();
fake.setLatency(Number(process.env.BENCH_LATENCY_MS ?? 200));
const control = createServer((req, res) => {
  const url = new URL(req.url ?? "/", "http://control");
  if (req.method === "POST" && url.pathname === "/reset") {
    fake.reset();
    fake.setLatency(Number(url.searchParams.get("latency") ?? 200));
    fake.setRateLimitShare(Number(url.searchParams.get("share") ?? 0), Number(url.searchParams.get("retryAfter") ?? 1));
  }
  res.writeHead(200, { "content-type": "application/json" });
  res.end(JSON.stringify({ requests: fake.requests.length, maxInFlight: fake.maxInFlight }));
});
control.listen(0, "127.0.0.1", () => {
  console.log(`READY ${JSON.stringify({ url: fake.url, control: `http://127.0.0.1:${(control.address() as AddressInfo).port}` })}`);
});
const stop = async () => {
  control.close();
  await fake.close();
  process.exit(0);
};
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
