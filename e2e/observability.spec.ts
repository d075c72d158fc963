// Production observability through the browser. The spec sends its own telemetry through the
// public OTLP endpoint (three traces of a model no one else uses: one fails, one gets a thumbs-
// down through the feedback API), then: the dashboard narrowed to that model counts them; the
// trace list finds them and its filters (status, negative feedback) narrow them; a trace shows
// its span tree and the generation's messages; an editor adds the generation to a dataset and
// sends it to a review queue; a viewer reads without the actions; a reviewer sees neither page.
import { randomBytes } from "node:crypto";
import { mkdir } from "node:fs/promises";
import { expect, test, type Browser, type Page } from "@playwright/test";
import { ORG, PROJECT, PROJECT_URL, mutate, signIn, unique } from "./support/helpers";

const SHOTS = "/tmp/shots";

/** The values of a total on the dashboard (the figure and its detail line). */
function stat(page: Page, label: string) {
  return page
    .locator("dl[aria-label=Totals] > div")
    .filter({ has: page.getByText(label, { exact: true }) })
    .locator("dd");
}

async function pageAs(browser: Browser, email: string): Promise<Page> {
  const context = await browser.newContext();
  const page = await context.newPage();
  await signIn(page, email);
  return page;
}

type Attr = { key: string; value: { stringValue: string } | { intValue: string } | { doubleValue: number } | { boolValue: boolean } };
const str = (key: string, v: string): Attr => ({ key, value: { stringValue: v } });
const int = (key: string, v: number): Attr => ({ key, value: { intValue: String(v) } });
const dbl = (key: string, v: number): Attr => ({ key, value: { doubleValue: v } });
const nanos = (ms: number) => `${BigInt(Math.round(ms)) * 1_000_000n}`;
const hexId = (bytes: number) => randomBytes(bytes).toString("hex");

type SpanSpec = { spanId: string; parentSpanId?: string; name: string; startMs: number; endMs: number; attributes: Attr[]; error?: string; kind?: number };

function otlpSpan(traceId: string, s: SpanSpec) {
  return {
    traceId,
    spanId: s.spanId,
    ...(s.parentSpanId ? { parentSpanId: s.parentSpanId } : {}),
    name: s.name,
    kind: s.kind ?? 1,
    startTimeUnixNano: nanos(s.startMs),
    endTimeUnixNano: nanos(s.endMs),
    attributes: s.attributes,
    status: s.error ? { code: 2, message: s.error } : { code: 1 },
  };
}

/** One request of the "support app": a server span around a chat generation linked to support/reply. */
function requestTrace(opts: { name: string; model: string; environment: string; startMs: number; question: string; answer: string | null; error?: string }) {
  const traceId = hexId(16);
  const rootId = hexId(8);
  const genId = hexId(8);
  const toolId = hexId(8);
  const t = opts.startMs;
  const generation: SpanSpec = {
    spanId: genId,
    parentSpanId: rootId,
    name: `chat ${opts.model}`,
    startMs: t + 40,
    endMs: t + 40 + 850,
    kind: 3,
    error: opts.error,
    attributes: [
      str("gen_ai.operation.name", "chat"),
      str("gen_ai.provider.name", "openai"),
      str("gen_ai.request.model", opts.model),
      int("gen_ai.usage.input_tokens", 120),
      int("gen_ai.usage.output_tokens", opts.answer ? 40 : 0),
      dbl("gen_ai.usage.cost", 0.0021),
      str("keel.prompt.name", "support/reply"),
      int("keel.prompt.version", 2),
      str("keel.prompt.label", opts.environment),
      str(
        "gen_ai.input.messages",
        JSON.stringify([
          { role: "system", parts: [{ type: "text", content: "You are Acme's support assistant." }] },
          { role: "user", parts: [{ type: "text", content: opts.question }] },
        ]),
      ),
      ...(opts.answer
        ? [str("gen_ai.output.messages", JSON.stringify([{ role: "assistant", parts: [{ type: "text", content: opts.answer }], finish_reason: "stop" }]))]
        : []),
    ],
  };
  const spans = [
    otlpSpan(traceId, {
      spanId: rootId,
      name: opts.name,
      startMs: t,
      endMs: t + 1000,
      kind: 2,
      attributes: [str("http.request.method", "POST"), str("http.route", "/support"), str("user.id", "customer-42")],
    }),
    otlpSpan(traceId, { spanId: toolId, parentSpanId: rootId, name: "lookup order", startMs: t + 5, endMs: t + 35, attributes: [str("order.id", "A-10021")] }),
    otlpSpan(traceId, generation),
  ];
  return { traceId, genId, spans };
}

test("the dashboard counts a model's calls, the trace list filters them, a trace shows its tree and messages, and an editor curates it", async ({
  browser,
}) => {
  test.setTimeout(180_000);
  await mkdir(SHOTS, { recursive: true });
  const tag = unique("obs");
  const model = `e2e-model-${tag}`;
  const prefix = `POST /support/${tag}`;
  const dataset = unique("prod-replies");
  const queue = unique("prod-review");

  // Setup through the API: a key that may send traces, a dataset and a queue to curate into.
  const admin = await pageAs(browser, "admin@example.com");
  const { secret } = await mutate<{ secret: string }>(admin.request, "apiKeys.create", {
    orgSlug: ORG,
    projectSlug: PROJECT,
    name: unique("otel-exporter"),
    scopes: ["traces:ingest"],
  });
  const editor = await pageAs(browser, "editor@example.com");
  await mutate(editor.request, "datasets.create", { orgSlug: ORG, projectSlug: PROJECT, name: dataset, description: "Production replies worth keeping" });
  await mutate(editor.request, "reviews.create", {
    orgSlug: ORG,
    projectSlug: PROJECT,
    name: queue,
    reviewsPerItem: 1,
    rubric: [{ type: "boolean", key: "correct", label: "Correct" }],
  });

  // Three requests in the last minutes: one fails, one is disliked.
  const now = Date.now();
  const good = requestTrace({
    name: `${prefix} refund`,
    model,
    environment: "production",
    startMs: now - 120_000,
    question: "Can I return shoes I wore once?",
    answer: "Yes: within 30 days, from your account page.",
  });
  const disliked = requestTrace({
    name: `${prefix} shipping`,
    model,
    environment: "production",
    startMs: now - 90_000,
    question: "Do you ship to Norway?",
    answer: "We do not ship abroad.",
  });
  const failed = requestTrace({
    name: `${prefix} billing`,
    model,
    environment: "staging",
    startMs: now - 60_000,
    question: "I was charged twice.",
    answer: null,
    error: "The provider answered 429: rate limit reached",
  });
  const body = {
    resourceSpans: [
      {
        resource: { attributes: [str("service.name", "support-app-e2e")] },
        scopeSpans: [{ scope: { name: "e2e" }, spans: [...good.spans, ...disliked.spans, ...failed.spans] }],
      },
    ],
  };
  const ingest = await admin.request.post("/api/public/otel/v1/traces", {
    headers: { authorization: `Bearer ${secret}`, "content-type": "application/json" },
    data: body,
  });
  expect(ingest.status(), await ingest.text()).toBe(200);
  expect(((await ingest.json()) as { partialSuccess?: { rejectedSpans?: number } }).partialSuccess?.rejectedSpans ?? 0).toBe(0);
  const feedback = await admin.request.post("/api/public/v1/scores", {
    headers: { authorization: `Bearer ${secret}` },
    data: { traceId: disliked.traceId, spanId: disliked.genId, name: "user-feedback", value: false, comment: "Wrong: we ship to Norway" },
  });
  expect(feedback.status(), await feedback.text()).toBe(201);
  const liked = await admin.request.post("/api/public/v1/scores", {
    headers: { authorization: `Bearer ${secret}` },
    data: { traceId: good.traceId, spanId: good.genId, name: "user-feedback", value: true },
  });
  expect(liked.status(), await liked.text()).toBe(201);

  // The dashboard, narrowed to the model: three generations, one failed.
  const page = editor;
  await page.goto(PROJECT_URL);
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Observability" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Observability" })).toBeVisible();
  await page.getByRole("group", { name: "Time window" }).getByRole("button", { name: "Last hour" }).click();
  await expect(page).toHaveURL(/window=1h/);
  await page.getByRole("search", { name: "Dashboard filters" }).getByLabel("Model").selectOption(model);
  await expect(page).toHaveURL(new RegExp(`model=${model}`));
  await expect(stat(page, "Generations")).toHaveText(["3", "last hour"]);
  await expect(stat(page, "Error rate")).toHaveText(["33%", "1 error"]);
  await expect(stat(page, "Tokens")).toHaveText(["440", "360 in · 80 out"]);
  await expect(stat(page, "Cost")).toHaveText(["$0.0063", "$0.0021 per call"]);
  await expect(page.locator('[data-chart="chart-volume"] svg .recharts-bar-rectangle').first()).toBeVisible();
  await expect(page.getByRole("figure", { name: "Negative feedback" })).toContainText("1 thumbs-down: user-feedback 1");
  // The quality caption counts the same thumbs (one query): one up, one down.
  await expect(page.getByRole("figure", { name: "Quality" })).toContainText("user-feedback (feedback): 1 up, 1 down (average 0.5)");
  const breakdown = page.getByRole("table", { name: "Breakdown by prompt version, model and environment" });
  await expect(breakdown.getByRole("row")).toHaveCount(3); // header, production, staging
  await expect(breakdown.getByRole("row").filter({ hasText: "staging" })).toContainText("100%");
  await page.screenshot({ path: `${SHOTS}/observability-dashboard.png`, fullPage: true });

  // A breakdown row narrows the dashboard to its environment.
  await breakdown.getByRole("link", { name: new RegExp(`^Show support/reply v2 · ${model} · staging`) }).click();
  await expect(page).toHaveURL(/environment=staging/);
  await expect(page).toHaveURL(/version=2/);
  await expect(stat(page, "Generations")).toHaveText(["1", "last hour"]);
  await expect(stat(page, "Error rate")).toHaveText(["100%", "1 error"]);

  // The Traces tab keeps the dashboard's window and filters; the Dashboard tab brings them back.
  const tabs = page.getByRole("navigation", { name: "Observability" });
  await tabs.getByRole("link", { name: "Traces" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Traces" })).toBeVisible();
  await expect(page).toHaveURL(/\/traces\?.*window=1h/);
  await expect(page).toHaveURL(/environment=staging/);
  await expect(page.getByRole("group", { name: "Time window" }).getByRole("button", { name: "Last hour" })).toHaveAttribute("aria-pressed", "true");
  await expect(page.getByRole("table", { name: "Traces, newest first" }).getByRole("row")).toHaveCount(2); // header, the failed staging call
  await tabs.getByRole("link", { name: "Dashboard" }).click();
  await expect(page).toHaveURL(/\/observability\?.*window=1h/);
  await expect(stat(page, "Generations")).toHaveText(["1", "last hour"]);

  // The trace list: search by name prefix, then the filters.
  await page.goto(`${PROJECT_URL}/traces`);
  await expect(page.getByRole("heading", { level: 1, name: "Traces" })).toBeVisible();
  const search = page.getByRole("search", { name: "Search traces" });
  await search.getByLabel("Search").fill(prefix);
  await search.getByRole("button", { name: "Search" }).click();
  const list = page.getByRole("table", { name: "Traces, newest first" });
  await expect(list.getByRole("row")).toHaveCount(4);
  const goodRow = list.getByRole("row").filter({ hasText: `${prefix} refund` });
  await expect(goodRow).toContainText("support/reply@v2");
  await expect(goodRow).toContainText(model);
  await expect(goodRow).toContainText("OK");
  await expect(goodRow).toContainText("OTel");
  await expect(
    list
      .getByRole("row")
      .filter({ hasText: `${prefix} shipping` })
      .getByText("user-feedback (feedback): negative"),
  ).toBeAttached();
  await page.screenshot({ path: `${SHOTS}/observability-traces.png`, fullPage: true });

  const filters = page.getByRole("form", { name: "Filter traces" });
  await filters.getByLabel("Status").selectOption("error");
  await expect(page).toHaveURL(/status=error/);
  await expect(list.getByRole("row")).toHaveCount(2);
  await expect(list.getByRole("row").nth(1)).toContainText(`${prefix} billing`);
  await expect(list.getByRole("row").nth(1)).toContainText("Error");
  await filters.getByLabel("Status").selectOption("");
  await page.getByLabel("Negative feedback only").check();
  await expect(page).toHaveURL(/feedback=negative/);
  await expect(list.getByRole("row")).toHaveCount(2);
  await expect(list.getByRole("row").nth(1)).toContainText(`${prefix} shipping`);
  await filters.getByLabel("Environment").selectOption("staging");
  await expect(page.getByText("No traces match")).toBeVisible();
  await page.getByRole("button", { name: "Clear filters" }).first().click();
  await expect(page).not.toHaveURL(/feedback=/);

  // A trace: the tree, the generation selected, its messages.
  await page.goto(`${PROJECT_URL}/traces?q=${encodeURIComponent(prefix)}`);
  await list.getByRole("link", { name: `${prefix} shipping` }).click();
  await expect(page).toHaveURL(new RegExp(`/traces/${disliked.traceId}`));
  await expect(page.getByRole("heading", { level: 1, name: `${prefix} shipping` })).toBeVisible();
  await expect(page.locator("dl[aria-label='Trace summary']")).toContainText(disliked.traceId);
  await expect(page.getByRole("link", { name: "support/reply v2" }).first()).toHaveAttribute("href", /\/prompts\/support\/reply\?version=2$/);
  const tree = page.getByRole("list", { name: "Spans" });
  await expect(tree.getByRole("button")).toHaveCount(3);
  await expect(tree.getByRole("button", { name: new RegExp(`chat ${model}`) })).toHaveAttribute("aria-current", "true");
  const details = page.getByRole("region", { name: `chat ${model}` });
  const input = page.getByRole("region", { name: "Input" });
  await expect(input.getByRole("list", { name: "Input messages" }).getByRole("listitem")).toHaveCount(2);
  await expect(input).toContainText("system");
  await expect(input).toContainText("Do you ship to Norway?");
  await expect(page.getByRole("region", { name: "Output" })).toContainText("We do not ship abroad.");
  await expect(details).toContainText("120 → 40");
  await expect(page.getByRole("list", { name: "Scores of this trace" })).toContainText("Wrong: we ship to Norway");
  await page.screenshot({ path: `${SHOTS}/observability-trace.png`, fullPage: true });

  // The keyboard moves through the spans; the address follows.
  await tree.getByRole("button", { name: new RegExp(`chat ${model}`) }).focus();
  await page.keyboard.press("Home");
  await expect(tree.getByRole("button", { name: new RegExp(`^${prefix} shipping`) })).toHaveAttribute("aria-current", "true");
  await expect(page.getByRole("table", { name: "Attributes" })).toContainText("http.route");
  await page.keyboard.press("ArrowDown");
  await expect(tree.getByRole("button", { name: /lookup order/ })).toHaveAttribute("aria-current", "true");
  await expect(page.getByRole("table", { name: "Attributes" })).toContainText("A-10021");
  await page.keyboard.press("ArrowDown");
  await expect(page).toHaveURL(new RegExp(`span=${disliked.genId}`));

  // Add the generation to a dataset, with a corrected expected output.
  await page.getByRole("button", { name: "Add to dataset" }).click();
  const add = page.getByRole("dialog", { name: "Add to dataset" });
  await add.getByLabel("Dataset", { exact: true }).selectOption(dataset);
  await expect(add.getByLabel("Expected output")).toHaveValue("We do not ship abroad.");
  await add.getByLabel("Expected output").fill("We do: delivery to Norway takes 4–6 business days.");
  await add.getByLabel("Tags").fill("production, shipping");
  await page.screenshot({ path: `${SHOTS}/observability-add-to-dataset.png` });
  await add.getByRole("button", { name: "Add item" }).click();
  const added = add.getByRole("region", { name: "Added" });
  await expect(added).toContainText(`Added to ${dataset}`);
  await expect(added.getByRole("link", { name: `Open ${dataset}` })).toHaveAttribute("href", new RegExp(`/datasets/${dataset}\\?v=1$`));
  await add.getByRole("button", { name: "Done" }).click();
  await expect(add).toBeHidden();

  // And send it to a review queue.
  await page.getByRole("button", { name: "Send to review queue" }).click();
  const send = page.getByRole("dialog", { name: "Send to review queue" });
  await send.getByLabel("Review queue", { exact: true }).selectOption(queue);
  await send.getByRole("button", { name: "Send", exact: true }).click();
  const sent = send.getByRole("region", { name: "Sent" });
  await expect(sent).toContainText(`Sent to ${queue}`);
  await sent.getByRole("link", { name: `Open ${queue}` }).click();
  await expect(page.getByRole("heading", { level: 1, name: queue })).toBeVisible();
  await expect(page.getByText(/We do not ship abroad/).first()).toBeVisible();
  await page.screenshot({ path: `${SHOTS}/observability-queue-after-send.png`, fullPage: true });

  // The dataset item kept the corrected answer and the tags.
  await page.goto(`${PROJECT_URL}/datasets/${dataset}`);
  await expect(page.getByText("We do: delivery to Norway takes 4–6 business days.").first()).toBeVisible();

  // A viewer reads the trace without the curation actions.
  const viewer = await pageAs(browser, "viewer@example.com");
  await viewer.goto(`${PROJECT_URL}/traces/${failed.traceId}`);
  await expect(viewer.getByRole("heading", { level: 1, name: `${prefix} billing` })).toBeVisible();
  await expect(viewer.getByText("The provider answered 429: rate limit reached")).toBeVisible();
  await expect(viewer.getByRole("button", { name: "Add to dataset" })).toHaveCount(0);
  await expect(viewer.getByRole("button", { name: "Send to review queue" })).toHaveCount(0);
  await viewer.screenshot({ path: `${SHOTS}/observability-trace-error.png`, fullPage: true });

  // A reviewer sees neither page.
  const reviewer = await pageAs(browser, "reviewer@example.com");
  await reviewer.goto(PROJECT_URL);
  await expect(reviewer.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Observability" })).toHaveCount(0);
  await reviewer.goto(`${PROJECT_URL}/observability`);
  await expect(reviewer.getByText("Your role cannot see production telemetry")).toBeVisible();
});

test("the seeded demo telemetry fills the dashboard; a blocked gateway call shows its guardrail violation", async ({ page }) => {
  await mkdir(SHOTS, { recursive: true });
  await signIn(page, "owner@example.com");
  await page.goto(`${PROJECT_URL}/observability?window=7d`);
  await expect(page.getByRole("heading", { level: 1, name: "Observability" })).toBeVisible();
  await expect(page.locator("dl[aria-label=Totals]")).toBeVisible();
  await expect(
    page.getByRole("table", { name: "Breakdown by prompt version, model and environment" }).getByRole("row").filter({ hasText: "support/reply" }).first(),
  ).toBeVisible();
  await page.screenshot({ path: `${SHOTS}/observability-demo-dashboard.png`, fullPage: true });
  await page.goto(`${PROJECT_URL}/traces?source=gateway`);
  await expect(page.getByRole("table", { name: "Traces, newest first" }).getByRole("row").nth(1)).toContainText("Gateway");
  await page.screenshot({ path: `${SHOTS}/observability-demo-traces.png` });

  // A gateway call with a card number: the seeded guardrail blocks it, and the trace shows why.
  const { secret } = await mutate<{ secret: string }>(page.request, "apiKeys.create", {
    orgSlug: ORG,
    projectSlug: PROJECT,
    name: unique("gateway"),
    scopes: ["gateway:invoke"],
  });
  const model = unique("blocked-model");
  const call = await page.request.post("/api/gateway/v1/chat/completions", {
    headers: { authorization: `Bearer ${secret}` },
    data: { model, messages: [{ role: "user", content: "Refund my card 4111 1111 1111 1111 please" }] },
  });
  expect(call.status(), await call.text()).toBe(400);
  await expect(async () => {
    await page.goto(`${PROJECT_URL}/traces?q=${encodeURIComponent(`gateway ${model}`)}`);
    await page
      .getByRole("table", { name: "Traces, newest first" })
      .getByRole("link", { name: `gateway ${model}` })
      .click({ timeout: 2_000 });
  }).toPass({ timeout: 15_000 });
  const violations = page.getByRole("region", { name: /Guardrail violation/ });
  await expect(violations.getByText("Blocked", { exact: true })).toBeVisible();
  await expect(violations).toContainText("Block card numbers and IBANs");
  await page.screenshot({ path: `${SHOTS}/observability-demo-trace.png`, fullPage: true });
});

test("a project without telemetry explains how to send traces and call the gateway", async ({ page }) => {
  await mkdir(SHOTS, { recursive: true });
  await signIn(page, "owner@example.com");
  const slug = unique("quiet").toLowerCase();
  // Projects are listed by name, and the first one is where people land: this name sorts after
  // "Support Assistant", so the other specs still land in the demo project.
  await mutate(page.request, "orgs.createProject", { orgSlug: ORG, name: `Untraced ${slug}`, slug });
  await page.goto(`/o/${ORG}/p/${slug}/observability`);
  const setup = page.getByRole("region", { name: "No telemetry yet" });
  await expect(setup.getByRole("region", { name: "Send OpenTelemetry traces" })).toContainText("/api/public/otel/v1/traces");
  await expect(setup.getByRole("region", { name: "Send OpenTelemetry traces" })).toContainText("traces:ingest");
  await expect(setup.getByRole("region", { name: "Call models through the gateway" })).toContainText("/api/gateway/v1");
  await expect(setup.getByRole("region", { name: "Call models through the gateway" })).toContainText('model: "prompt:<name>@production"');
  await expect(setup.getByRole("link", { name: "Create an API key" })).toHaveAttribute("href", `/o/${ORG}/p/${slug}/api-keys`);
  await expect(setup.getByRole("link", { name: "API reference" })).toHaveAttribute("href", `/o/${ORG}/p/${slug}/api-reference`);
  await page.screenshot({ path: `${SHOTS}/observability-empty.png`, fullPage: true });
  await page.goto(`/o/${ORG}/p/${slug}/traces`);
  await expect(page.getByRole("region", { name: "No traces yet" })).toBeVisible();
});
