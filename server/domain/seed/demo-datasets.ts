import "server-only";
// Demo datasets: the test sets a support team would keep for its prompts, built through the same
// domain functions people use (a CSV import, edits, an archive, a re-tag, an item added from the
// playground), so the versions list, diffs and exports show a real history.
import { runAudited, runAuditedSql } from "../../audit/mutation";
import type { Actor } from "../../audit/actor";
import { createDataset } from "../datasets/datasets";
import { addItems, archiveItems, tagItems, updateItem } from "../datasets/items";
import { importItems } from "../datasets/import/import";
import { getDb } from "../../db/client";

type Ctx = { orgId: string; projectId: string };

const POLICY = "Refunds within 30 days of delivery. Free returns for damaged items. Shipping takes 3-5 business days.";

const QUESTIONS: { question: string; expected: string; category: string }[] = [
  {
    question: "I want a refund for my order, it arrived broken.",
    expected: "Apologise, confirm a free return for the damaged item and a full refund once it is received.",
    category: "refund",
  },
  {
    question: "Can I still return the jacket I bought 6 weeks ago?",
    expected: "Explain that refunds are possible within 30 days of delivery, so this order is outside the window; offer a human hand-over.",
    category: "refund",
  },
  { question: "How long does shipping take to Lisbon?", expected: "Shipping takes 3-5 business days.", category: "shipping" },
  {
    question: "My parcel has not moved for a week. Where is it?",
    expected: "Apologise, share that shipping normally takes 3-5 business days and offer to open an investigation with the carrier.",
    category: "shipping",
  },
  {
    question: "I forgot my password and the reset email never arrives.",
    expected: "Ask them to check the spam folder, then offer to resend the reset link or hand over to a human.",
    category: "account",
  },
  {
    question: "How do I change the email address on my account?",
    expected: "Settings > Account > Email; a confirmation link is sent to the new address.",
    category: "account",
  },
  { question: "Where can I download my invoice?", expected: "Invoices are under Orders > Invoice; each order has a PDF.", category: "billing" },
  {
    question: "I was charged twice for the same order!",
    expected: "Apologise, confirm a duplicate charge is refunded automatically within 5 days, offer a human if it is not.",
    category: "billing",
  },
  {
    question: "Do you ship to Canada?",
    expected: "Say whether Canada is supported according to policy; never promise delivery dates beyond 3-5 business days.",
    category: "shipping",
  },
  { question: "Can I cancel my order before it ships?", expected: "Yes, orders can be cancelled until they ship; explain where to do it.", category: "orders" },
  { question: "The size is wrong, can I exchange it?", expected: "Offer a return within 30 days and a new order in the right size.", category: "refund" },
  {
    question: "Is my payment information stored securely?",
    expected: "Reassure without technical over-promising; payment data is handled by the payment provider.",
    category: "billing",
  },
];

const CUSTOMERS = [
  ["Maria Silva", "A-10482"],
  ["James O'Connor", "A-10517"],
  ["Chen Wei", "A-10533"],
  ["Fatima Khan", "A-10561"],
] as const;

function csvField(value: string): string {
  return /[",\n\r]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

/** The file a team would export from their old spreadsheet. */
function supportCsv(): string {
  const rows = ["company,policy,customer_name,order_id,question,expected_answer,category,split"];
  let i = 0;
  for (const q of QUESTIONS) {
    for (const [name, order] of CUSTOMERS) {
      const split = i % 5 === 0 ? "test" : "train";
      rows.push(["Acme", POLICY, name, order, q.question, q.expected, q.category, split].map(csvField).join(","));
      i++;
    }
  }
  return `${rows.join("\n")}\n`;
}

const TICKETS: { ticket: string; category: "billing" | "shipping" | "technical" | "other"; split: string }[] = [
  { ticket: "My card was declined but the money left my account.", category: "billing", split: "train" },
  { ticket: "Please send me a copy of last month's invoice.", category: "billing", split: "train" },
  { ticket: "Why did my subscription price go up?", category: "billing", split: "test" },
  { ticket: "The tracking link says 'label created' for 6 days now.", category: "shipping", split: "train" },
  { ticket: "Can you deliver to a pickup point instead of my home?", category: "shipping", split: "test" },
  { ticket: "The courier left my parcel in the rain and it is soaked.", category: "shipping", split: "train" },
  { ticket: "The app crashes every time I open my order history.", category: "technical", split: "train" },
  { ticket: "I cannot log in with Google anymore, it shows error 403.", category: "technical", split: "test" },
  { ticket: "Your website checkout button does nothing on Safari.", category: "technical", split: "train" },
  { ticket: "Do you have a store in Berlin where I can try shoes on?", category: "other", split: "train" },
  { ticket: "I would like to give feedback about your customer service.", category: "other", split: "test" },
  { ticket: "Are your products vegan and cruelty free?", category: "other", split: "train" },
];

export async function seedDatasets(ctx: Ctx, editorActor: Actor) {
  const run = <T>(fn: Parameters<typeof runAudited<T>>[1]) => runAudited(editorActor, fn);

  // support-questions: imported from a CSV, then curated.
  const support = await run((w) =>
    createDataset(w, ctx, {
      name: "support-questions",
      description: "Customer questions the support reply must handle well, with reference answers. Split into train and test.",
    }),
  );
  const csv = Buffer.from(supportCsv());
  await runAuditedSql(editorActor, (w) =>
    importItems(w, ctx, {
      datasetId: support.id,
      body: (async function* () {
        yield csv;
      })(),
      maxBytes: csv.length,
      options: {
        format: "csv",
        fileName: "support-questions.csv",
        message: "Imported from the support team's spreadsheet",
        allowDuplicates: false,
        tags: [],
        mapping: [
          { column: "company", target: "input.company" },
          { column: "policy", target: "input.policy" },
          { column: "customer_name", target: "input.customer_name" },
          { column: "order_id", target: "input.order_id" },
          { column: "question", target: "input.question" },
          { column: "expected_answer", target: "expected" },
          { column: "category", target: "metadata.category" },
          { column: "split", target: "tags" },
        ],
      },
    }),
  );
  const items = await getDb().datasetItemRevision.findMany({
    where: { datasetId: support.id, validTo: 2147483647 },
    orderBy: { position: "asc" },
    select: { itemId: true, input: true, expected: true, metadata: true, tags: true },
  });
  const at = (i: number) => items[i]!;
  // A reviewer noticed two reference answers were too vague.
  await run((w) =>
    updateItem(w, ctx, {
      datasetId: support.id,
      itemId: at(8).itemId,
      message: "Reference answer: name the actual shipping window",
      content: {
        input: at(8).input,
        expected: "Shipping to Lisbon takes 3-5 business days; the customer gets a tracking link by email.",
        metadata: at(8).metadata,
        tags: at(8).tags,
      },
    }),
  );
  await run((w) =>
    updateItem(w, ctx, {
      datasetId: support.id,
      itemId: at(28).itemId,
      message: "Duplicate charges: give the refund time frame",
      content: {
        input: at(28).input,
        expected: "Apologise; the duplicate charge is refunded automatically within 5 business days. Offer a human if it is not.",
        metadata: at(28).metadata,
        tags: at(28).tags,
      },
    }),
  );
  await run((w) => archiveItems(w, ctx, { datasetId: support.id, itemIds: [at(47).itemId], message: "Payment-security question moved to the compliance set" }));
  await run((w) =>
    tagItems(w, ctx, {
      datasetId: support.id,
      itemIds: [0, 4, 16, 28, 36].map((i) => at(i).itemId),
      add: ["regression"],
      remove: [],
      message: "Cases that broke in earlier versions",
    }),
  );
  await run((w) =>
    addItems(w, ctx, {
      datasetId: support.id,
      source: { type: "playground", ref: "support/reply@v3" },
      message: "Added from the playground",
      items: [
        {
          input: {
            company: "Acme",
            policy: POLICY,
            customer_name: "Noah Weber",
            order_id: "A-10602",
            question: "The parcel says delivered but I never got it.",
          },
          expected: "Apologise, ask the customer to check with neighbours and the pickup point, and open a carrier investigation.",
          metadata: { category: "shipping" },
          tags: ["test", "regression"],
        },
      ],
    }),
  );

  // ticket-triage: typed with JSON Schemas; expected outputs are JSON.
  const triage = await run((w) =>
    createDataset(w, ctx, {
      name: "ticket-triage",
      description: "Labelled tickets for the support/triage classifier.",
      inputSchema: { type: "object", required: ["ticket"], properties: { ticket: { type: "string", minLength: 10 } } },
      expectedSchema: { type: "object", required: ["category"], properties: { category: { enum: ["billing", "shipping", "technical", "other"] } } },
    }),
  );
  await run((w) =>
    addItems(w, ctx, {
      datasetId: triage.id,
      source: { type: "manual" },
      message: "Hand-labelled tickets from last week",
      items: TICKETS.map((t) => ({ input: { ticket: t.ticket }, expected: { category: t.category }, tags: [t.split] })),
    }),
  );
}
