import "server-only";
// A demo review queue: outputs of run #1 that the similarity evaluator failed, graded on a
// three-dimension rubric by two reviewers, with one disagreement adjudicated by the lead and
// items left for a new user to grade.
import { runAudited } from "../../audit/mutation";
import type { Actor } from "../../audit/actor";
import { getDb } from "../../db/client";
import type { Grade, Rubric } from "../../contracts/reviews";
import { addFromRun, createQueue, setReviewers } from "../reviews/queues";
import { adjudicate, nextItem, submitGrade } from "../reviews/assignments";

type Ctx = { orgId: string; projectId: string };

export const DEMO_RUBRIC: Rubric = [
  {
    type: "categorical",
    key: "helpful",
    label: "Helpful",
    description: "Does the reply solve the customer's problem?",
    required: true,
    ordered: true,
    options: [
      { value: "no", label: "No" },
      { value: "partly", label: "Partly" },
      { value: "yes", label: "Yes" },
    ],
  },
  { type: "numeric", key: "tone", label: "Tone", description: "1 = curt, 5 = warm and professional", required: true, min: 1, max: 5, step: 1 },
  { type: "boolean", key: "policy_ok", label: "Within policy", description: "Promises only what the policy allows", required: true },
  { type: "text", key: "comment", label: "Comment", description: "", required: false, maxLength: 2000 },
];

const GUIDELINES = `## How to grade support replies

- **Helpful**: *yes* when the customer could act on the reply without writing again; *partly* when it points the right way but misses a step.
- **Tone**: warm, concise, no blame. 3 is neutral.
- **Within policy**: refunds only within 30 days of delivery, free returns only for damaged items.

Skip (\`s\`) an item you cannot judge; it goes to someone else.`;

export async function seedReviews(ctx: Ctx, editorActor: Actor) {
  const user = async (email: string, role: Actor["role"]): Promise<Actor & { id: string }> => {
    const u = await getDb().user.findUniqueOrThrow({ where: { email } });
    return { type: "user", id: u.id, label: u.email, role, request: editorActor.request };
  };
  const reviewer = await user("reviewer@example.com", "reviewer");
  const admin = await user("admin@example.com", "admin");
  const name = "support-reply-review";
  await runAudited(editorActor, (w) =>
    createQueue(w, ctx, {
      name,
      description: "Replies of support/reply v2 that drifted from the reference answers",
      guidelines: GUIDELINES,
      rubric: DEMO_RUBRIC,
      reviewsPerItem: 2,
    }),
  );
  await runAudited(editorActor, (w) => addFromRun(w, ctx, { name, runNumber: 1, select: { kind: "sample", count: 12, seed: 7 } }));
  await runAudited(editorActor, (w) => setReviewers(w, ctx, { name, userIds: [reviewer.id, admin.id] }));

  // The two reviewers grade the first six items; they disagree on one.
  const grades: [Grade, Grade][] = [
    [
      { helpful: "yes", tone: 4, policy_ok: true },
      { helpful: "yes", tone: 4, policy_ok: true },
    ],
    [
      { helpful: "partly", tone: 3, policy_ok: true },
      { helpful: "partly", tone: 4, policy_ok: true },
    ],
    [
      { helpful: "no", tone: 3, policy_ok: false, comment: "Promises a refund after 6 weeks" },
      { helpful: "partly", tone: 2, policy_ok: true },
    ],
    [
      { helpful: "yes", tone: 5, policy_ok: true },
      { helpful: "yes", tone: 5, policy_ok: true },
    ],
    [
      { helpful: "partly", tone: 4, policy_ok: true },
      { helpful: "partly", tone: 4, policy_ok: true },
    ],
    [
      { helpful: "no", tone: 2, policy_ok: true },
      { helpful: "no", tone: 3, policy_ok: true },
    ],
  ];
  for (const [a, b] of grades) {
    for (const [who, grade] of [
      [reviewer, a],
      [admin, b],
    ] as const) {
      const leased = await runAudited(who, (w) => nextItem(w, ctx, { name, reviewerId: who.id }));
      if (!leased) return;
      await runAudited(who, (w) => submitGrade(w, ctx, { name, reviewerId: who.id, position: leased.position, grade }));
    }
  }
  const editor = await getDb().user.findUniqueOrThrow({ where: { email: "editor@example.com" } });
  await runAudited(editorActor, (w) =>
    adjudicate(w, ctx, {
      name,
      position: 3,
      grade: { helpful: "no", tone: 3, policy_ok: false },
      note: "The reply offers a refund outside the 30-day window: not within policy.",
      leadId: editor.id,
    }),
  );
}
