// Public API hot path: GET /api/public/v1/whoami with a Bearer key through Keel's request
// handler (key lookup in PostgreSQL per request) vs a bare node:http server sending the same
// JSON. Servers run in their own processes; autocannon drives them from this one.
// Usage: node bench/public-api.mjs [seconds=10] [connections=32]
import { spawn } from "node:child_process";
import autocannon from "autocannon";

const seconds = Number(process.argv[2] ?? 10);
const connections = Number(process.argv[3] ?? 32);

function start(args) {
  const child = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "inherit"] });
  return new Promise((resolve, reject) => {
    let out = "";
    child.stdout.on("data", (chunk) => {
      out += chunk;
      const m = /READY (\d+) (\S+)/.exec(out);
      if (m) resolve({ child, port: Number(m[1]), secret: m[2] });
    });
    child.on("exit", (code) => reject(new Error(`server exited with ${code}`)));
  });
}

async function load(name, port, headers) {
  const url = `http://127.0.0.1:${port}/api/public/v1/whoami`;
  await autocannon({ url, headers, connections, duration: 2 }); // warm-up
  const r = await autocannon({ url, headers, connections, duration: seconds });
  if (r.non2xx || r.errors) throw new Error(`${name}: ${r.non2xx} non-2xx, ${r.errors} errors`);
  return { name, rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99 };
}

const keel = await start(["--conditions=react-server", "--import", "tsx", "bench/servers/keel-public-api.ts"]);
const bare = await start(["bench/servers/bare.mjs"]);
try {
  const a = await load("keel whoami (key auth + PostgreSQL)", keel.port, { authorization: `Bearer ${keel.secret}` });
  const b = await load("bare node:http (reference)", bare.port, {});
  console.log(`\n${connections} connections, ${seconds} s each, 2 cores shared by load generator and servers\n`);
  console.log("| target | req/s | p50 ms | p99 ms |\n| --- | ---: | ---: | ---: |");
  for (const r of [a, b]) console.log(`| ${r.name} | ${Math.round(r.rps)} | ${r.p50} | ${r.p99} |`);
  console.log(`\nratio keel/bare: ${(a.rps / b.rps).toFixed(2)} of the bare server's throughput`);
} finally {
  keel.child.kill("SIGTERM");
  bare.child.kill("SIGTERM");
}
