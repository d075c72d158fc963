// `npx keel eval`: a CI gate. Starts an evaluation run through the public API of a running Keel
// (KEEL_URL, KEEL_API_KEY with the evaluations:write scope), waits for it, prints a summary table
// and exits non-zero when a threshold fails. Exit codes: 0 passed, 1 a threshold failed, 2 bad
// usage or a refused request, 3 the run failed, was cancelled or timed out.

export type Threshold = { evaluator: string; min: number };

export type EvalOptions = {
  url: string;
  apiKey: string;
  prompt: string;
  version?: string;
  dataset: string;
  datasetVersion?: number;
  tag?: string;
  evaluators: string[];
  failUnder: Threshold[];
  concurrency?: number;
  repetitions?: number;
  timeoutSeconds: number;
  pollMs: number;
  out: (line: string) => void;
};

type RunView = {
  number: number;
  status: string;
  error: string | null;
  prompt: { name: string; version: number };
  dataset: { name: string; version: number; tag: string | null };
  progress: { total: number; done: number; errors: number };
  summary: {
    done: number;
    errors: number;
    evaluators: { name: string; n: number; mean: number; ciLow: number; ciHigh: number; passRate: number }[];
    latencyP50: number | null;
    latencyP95: number | null;
    costUsd: number | null;
  } | null;
};

export class EvalExit extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

/** `exact=0.9`, `exact=90%`: the evaluator's pass rate must be at least this. */
export function parseThreshold(text: string): Threshold {
  const m = /^([^=]+)=(\d+(?:\.\d+)?)(%?)$/.exec(text.trim());
  if (!m) throw new EvalExit(2, `--fail-under expects <evaluator>=<minimum pass rate>, e.g. exact=0.9 or exact=90% (got "${text}")`);
  const value = Number(m[2]) / (m[3] ? 100 : 1);
  if (value < 0 || value > 1) throw new EvalExit(2, `--fail-under ${m[1]}: the minimum pass rate must be between 0 and 1 (or 0% and 100%)`);
  return { evaluator: m[1]!.trim(), min: value };
}

async function api<T>(options: EvalOptions, method: string, path: string, body?: unknown): Promise<T> {
  let response: Response;
  try {
    // Not through the egress policy (server/net/egress.ts): this is the CLI on the operator's own
    // machine calling the Keel server the operator named with --url (often http://localhost:3000),
    // not the server reaching out on a user's behalf.
    // eslint-disable-next-line no-restricted-globals -- operator-chosen target, see above
    response = await fetch(new URL(path, options.url), {
      method,
      headers: { authorization: `Bearer ${options.apiKey}`, ...(body ? { "content-type": "application/json" } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
  } catch (error) {
    throw new EvalExit(2, `Could not reach Keel at ${options.url}: ${(error as Error).message}`);
  }
  const payload = (await response.json().catch(() => null)) as { error?: { message?: string } } | null;
  if (!response.ok) throw new EvalExit(2, `Keel refused the request (${response.status}): ${payload?.error?.message ?? response.statusText}`);
  return payload as T;
}

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

function table(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) =>
    r
      .map((cell, i) => cell.padEnd(widths[i]!))
      .join("  ")
      .trimEnd(),
  );
}

export async function runEval(options: EvalOptions): Promise<number> {
  const version = options.version;
  const prompt =
    version === undefined
      ? { name: options.prompt }
      : /^\d+$/.test(version)
        ? { name: options.prompt, version: Number(version) }
        : { name: options.prompt, label: version };
  const created = await api<RunView>(options, "POST", "/api/public/v1/evaluations/runs", {
    prompt,
    dataset: { name: options.dataset, ...(options.datasetVersion ? { version: options.datasetVersion } : {}) },
    ...(options.tag ? { tag: options.tag } : {}),
    evaluators: options.evaluators,
    ...(options.concurrency ? { concurrency: options.concurrency } : {}),
    ...(options.repetitions ? { repetitions: options.repetitions } : {}),
  });
  options.out(
    `Run #${created.number}: ${created.prompt.name} v${created.prompt.version} over ${created.dataset.name} v${created.dataset.version}${created.dataset.tag ? ` [${created.dataset.tag}]` : ""}, ${created.progress.total} calls`,
  );
  const deadline = Date.now() + options.timeoutSeconds * 1000;
  let run = created;
  let lastReported = -1;
  while (!["completed", "failed", "cancelled"].includes(run.status)) {
    if (Date.now() > deadline)
      throw new EvalExit(
        3,
        `Run #${run.number} did not finish within ${options.timeoutSeconds} s (${run.progress.done}/${run.progress.total} done); it keeps running in Keel`,
      );
    await new Promise((r) => setTimeout(r, options.pollMs));
    run = await api<RunView>(options, "GET", `/api/public/v1/evaluations/runs/${run.number}`);
    const step = Math.floor((run.progress.done / Math.max(1, run.progress.total)) * 10);
    if (step !== lastReported) {
      lastReported = step;
      options.out(`  ${run.progress.done}/${run.progress.total} done${run.progress.errors ? `, ${run.progress.errors} errors` : ""}`);
    }
  }
  if (run.status !== "completed") throw new EvalExit(3, `Run #${run.number} ${run.status}${run.error ? `: ${run.error}` : ""}`);
  const summary = run.summary!;
  const rows = [["evaluator", "n", "mean [95% CI]", "pass rate", "threshold", "result"]];
  let failed = false;
  for (const e of summary.evaluators) {
    const threshold = options.failUnder.find((t) => t.evaluator === e.name);
    const ok = !threshold || e.passRate >= threshold.min;
    failed ||= !ok;
    rows.push([
      e.name,
      String(e.n),
      `${e.mean.toFixed(3)} [${e.ciLow.toFixed(3)}, ${e.ciHigh.toFixed(3)}]`,
      pct(e.passRate),
      threshold ? `>= ${pct(threshold.min)}` : "-",
      threshold ? (ok ? "PASS" : "FAIL") : "-",
    ]);
  }
  for (const t of options.failUnder) {
    if (!summary.evaluators.some((e) => e.name === t.evaluator)) {
      failed = true;
      rows.push([t.evaluator, "0", "-", "-", `>= ${pct(t.min)}`, "FAIL (not in this run)"]);
    }
  }
  options.out("");
  for (const line of table(rows)) options.out(line);
  options.out("");
  options.out(
    `${summary.done} answered, ${summary.errors} errors; latency p50 ${summary.latencyP50 ?? "-"} ms, p95 ${summary.latencyP95 ?? "-"} ms; cost ${summary.costUsd === null ? "unknown" : `$${summary.costUsd.toFixed(4)}`}`,
  );
  options.out(failed ? `FAILED: a threshold was not met (run #${run.number})` : `PASSED (run #${run.number})`);
  return failed ? 1 : 0;
}
