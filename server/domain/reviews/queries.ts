import "server-only";
// Reading review queues: lists, progress per queue and reviewer (with accuracy on gold items),
// an item as its reviewer sees it (blind: never others' grades), the lead's item list, the
// disagreements, and inter-annotator agreement per dimension and per reviewer pair.
import { readSql, type ReadDb } from "../../db/client";
import { AppError, notFound } from "../../errors";
import type { Grade, Rubric, RubricDimension } from "../../contracts/reviews";
import { cohensKappa, fleissKappa, krippendorffAlpha, percentAgreement, pairwiseAgreement, type Rating } from "./agreement";
import { disagreementOf } from "./consensus";
import { sql } from "../../db/sql";

async function queueByName(db: ReadDb, projectId: string, name: string) {
  const queue = await db.reviewQueue.findUnique({ where: { projectId_name: { projectId, name } } });
  if (!queue) throw notFound(`Review queue "${name}"`);
  return { ...queue, rubric: queue.rubric as Rubric };
}

export async function listQueues(db: ReadDb, projectId: string) {
  const queues = await db.reviewQueue.findMany({
    where: { projectId, archivedAt: null },
    orderBy: { name: "asc" },
    include: { _count: { select: { items: true, reviewers: true } } },
  });
  const finalized = await readSql<{ queue_id: string; n: bigint }>(
    db,
    sql`SELECT i.queue_id::text, count(*) AS n FROM review_items i JOIN review_queues q ON q.id = i.queue_id WHERE q.project_id = ${projectId}::uuid AND i.finalized_at IS NOT NULL GROUP BY 1`,
  );
  const byQueue = new Map(finalized.map((f) => [f.queue_id, Number(f.n)]));
  return queues.map((q) => ({
    name: q.name,
    description: q.description,
    reviewsPerItem: q.reviewsPerItem,
    blind: q.blind,
    items: q._count.items,
    reviewers: q._count.reviewers,
    finalized: byQueue.get(q.id) ?? 0,
    createdAt: q.createdAt,
  }));
}

/** The queues a person reviews, with what is left for them. */
export async function myQueues(db: ReadDb, projectId: string, userId: string) {
  const rows = await readSql<{ name: string; description: string; items: bigint; mine: bigint; finalized: bigint; available: bigint }>(
    db,
    sql`SELECT q.name, q.description,
        (SELECT count(*) FROM review_items i WHERE i.queue_id = q.id AND i.finalized_at IS NULL
           AND NOT EXISTS (SELECT 1 FROM review_assignments a WHERE a.item_id = i.id AND a.reviewer_id = ${userId}::uuid AND (a.status <> 'leased' OR a.lease_until > now()))
           AND (SELECT count(*) FROM review_assignments a WHERE a.item_id = i.id AND (a.status = 'submitted' OR (a.status = 'leased' AND a.lease_until > now())))
               < CASE WHEN i.gold_grade IS NOT NULL THEN (SELECT count(*) FROM review_queue_reviewers x WHERE x.queue_id = q.id) ELSE q.reviews_per_item END) AS available,
        (SELECT count(*) FROM review_items i WHERE i.queue_id = q.id) AS items,
        (SELECT count(*) FROM review_assignments a JOIN review_items i ON i.id = a.item_id WHERE i.queue_id = q.id AND a.reviewer_id = ${userId}::uuid AND a.status = 'submitted') AS mine,
        (SELECT count(*) FROM review_items i WHERE i.queue_id = q.id AND i.finalized_at IS NOT NULL) AS finalized
     FROM review_queues q JOIN review_queue_reviewers r ON r.queue_id = q.id AND r.user_id = ${userId}::uuid
     WHERE q.project_id = ${projectId}::uuid AND q.archived_at IS NULL ORDER BY q.name`,
  );
  return rows.map((r) => ({
    name: r.name,
    description: r.description,
    items: Number(r.items),
    gradedByMe: Number(r.mine),
    finalized: Number(r.finalized),
    availableToMe: Number(r.available),
  }));
}

/** The signed-in reviewer's own submitted grades in a queue (never anyone else's). */
export async function myGrades(db: ReadDb, projectId: string, name: string, reviewerId: string) {
  const queue = await queueByName(db, projectId, name);
  const assigned = await db.reviewQueueReviewer.findUnique({ where: { queueId_userId: { queueId: queue.id, userId: reviewerId } } });
  if (!assigned) throw notFound(`Review queue "${name}"`);
  const rows = await db.reviewAssignment.findMany({
    where: { reviewerId, status: "submitted", item: { queueId: queue.id } },
    include: { item: { select: { position: true, finalizedAt: true } } },
    orderBy: { item: { position: "asc" } },
  });
  return {
    rubric: queue.rubric,
    rows: rows.map((r) => ({
      position: r.item.position,
      grade: r.grade as Grade,
      submittedAt: r.submittedAt,
      revisedAt: r.revisedAt,
      finalized: r.item.finalizedAt !== null,
    })),
  };
}

export async function getQueue(db: ReadDb, projectId: string, name: string) {
  const queue = await queueByName(db, projectId, name);
  const reviewers = await db.reviewQueueReviewer.findMany({
    where: { queueId: queue.id },
    include: { user: { select: { id: true, email: true, name: true } } },
    orderBy: { addedAt: "asc" },
  });
  return { ...queue, reviewers: reviewers.map((r) => r.user), progress: await queueProgress(db, queue) };
}

const median = (xs: number[]) => {
  if (!xs.length) return null;
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

function matchesGold(rubric: Rubric, grade: Grade, gold: Grade): boolean {
  return rubric.filter((d) => d.type !== "text").every((d) => gold[d.key] === undefined || grade[d.key] === gold[d.key]);
}

export async function queueProgress(db: ReadDb, queue: { id: string; rubric: Rubric; reviewsPerItem: number }) {
  const [items] = await readSql<{ total: bigint; finalized: bigint; gold: bigint }>(
    db,
    sql`SELECT count(*) AS total, count(*) FILTER (WHERE finalized_at IS NOT NULL) AS finalized, count(*) FILTER (WHERE gold_grade IS NOT NULL) AS gold FROM review_items WHERE queue_id = ${queue.id}::uuid`,
  );
  const rows = await readSql<{
    reviewer_id: string;
    email: string;
    status: string;
    active: boolean;
    seconds: number | null;
    grade: Grade | null;
    gold_grade: Grade | null;
  }>(
    db,
    sql`SELECT a.reviewer_id::text, u.email, a.status::text AS status, (a.status = 'leased' AND a.lease_until > now()) AS active, a.seconds, a.grade, i.gold_grade
     FROM review_assignments a JOIN review_items i ON i.id = a.item_id JOIN users u ON u.id = a.reviewer_id WHERE i.queue_id = ${queue.id}::uuid`,
  );
  const reviewers = await readSql<{ id: string; email: string }>(
    db,
    sql`SELECT u.id::text, u.email FROM review_queue_reviewers r JOIN users u ON u.id = r.user_id WHERE r.queue_id = ${queue.id}::uuid ORDER BY u.email`,
  );
  const perReviewer = reviewers.map((r) => {
    const mine = rows.filter((x) => x.reviewer_id === r.id);
    const submitted = mine.filter((x) => x.status === "submitted");
    const gold = submitted.filter((x) => x.gold_grade);
    return {
      reviewerId: r.id,
      email: r.email,
      done: submitted.length,
      inProgress: mine.filter((x) => x.active).length,
      skipped: mine.filter((x) => x.status === "skipped").length,
      medianSeconds: median(submitted.map((x) => x.seconds).filter((s): s is number => s !== null)),
      goldAccuracy: gold.length ? gold.filter((x) => matchesGold(queue.rubric, x.grade ?? {}, x.gold_grade!)).length / gold.length : null,
      goldItems: gold.length,
    };
  });
  const total = Number(items?.total ?? 0);
  const finalized = Number(items?.finalized ?? 0);
  const inProgress = rows.filter((x) => x.active).length;
  return {
    items: total,
    finalized,
    gold: Number(items?.gold ?? 0),
    reviewsSubmitted: rows.filter((x) => x.status === "submitted").length,
    inProgress,
    remaining: total - finalized,
    medianSeconds: median(rows.filter((x) => x.status === "submitted" && x.seconds !== null).map((x) => x.seconds!)),
    reviewers: perReviewer,
  };
}

/** An item as its reviewer sees it: content, rubric and guidelines, their own grade; never anyone else's. */
export async function itemForReviewer(db: ReadDb, projectId: string, name: string, reviewerId: string, position: number) {
  const queue = await queueByName(db, projectId, name);
  const assigned = await db.reviewQueueReviewer.findUnique({ where: { queueId_userId: { queueId: queue.id, userId: reviewerId } } });
  if (!assigned) throw notFound(`Review queue "${name}"`);
  const item = await db.reviewItem.findUnique({ where: { queueId_position: { queueId: queue.id, position } } });
  if (!item) throw notFound(`Item #${position}`);
  const mine = await db.reviewAssignment.findUnique({ where: { itemId_reviewerId: { itemId: item.id, reviewerId } } });
  if (!mine) throw new AppError("FORBIDDEN", `Item #${position} was not handed to you`);
  // Blind queues (the default) never show anyone else's grade; open ones show the submitted grades of the others.
  const others = queue.blind
    ? []
    : (
        await db.reviewAssignment.findMany({
          where: { itemId: item.id, status: "submitted", reviewerId: { not: reviewerId } },
          include: { reviewer: { select: { email: true } } },
        })
      ).map((a) => ({ reviewer: a.reviewer.email, grade: a.grade as Grade }));
  return {
    queue: { name: queue.name, guidelines: queue.guidelines, rubric: queue.rubric, showAutoScores: queue.showAutoScores, leaseSeconds: queue.leaseSeconds },
    item: {
      position: item.position,
      sourceType: item.sourceType,
      input: item.input,
      expected: item.expected,
      output: item.output,
      // Gold items are mixed in unannounced: nothing here says which they are.
      autoScores: queue.showAutoScores ? item.autoScores : null,
      finalized: item.finalizedAt !== null,
    },
    mine: { status: mine.status, grade: mine.grade as Grade | null, leaseUntil: mine.leaseUntil, submittedAt: mine.submittedAt },
    others,
  };
}

/** The lead's view of the items: state, reviews (with grades and reviewers), final grade. */
export async function queueItems(
  db: ReadDb,
  projectId: string,
  name: string,
  input: { page: number; pageSize: number; state?: "pending" | "disagreement" | "finalized" },
) {
  const queue = await queueByName(db, projectId, name);
  // "all" and "finalized" page in the database; "pending" and "disagreement" depend on the
  // reviews, so they are worked out over the queue's open items (its working set).
  const paged = !input.state || input.state === "finalized";
  const where = { queueId: queue.id, ...(input.state === "finalized" ? { finalizedAt: { not: null } } : input.state ? { finalizedAt: null } : {}) };
  const [items, pagedTotal] = await Promise.all([
    db.reviewItem.findMany({
      where,
      orderBy: { position: "asc" },
      ...(paged ? { skip: (input.page - 1) * input.pageSize, take: input.pageSize } : {}),
      include: { assignments: { where: { status: "submitted" }, include: { reviewer: { select: { email: true } } } } },
    }),
    paged ? db.reviewItem.count({ where }) : Promise.resolve(0),
  ]);
  const reviewerCount = await db.reviewQueueReviewer.count({ where: { queueId: queue.id } });
  const withState = items.map((i) => {
    const grades = i.assignments.map((a) => a.grade as Grade);
    const needed = i.goldGrade ? reviewerCount : queue.reviewsPerItem;
    const differing = disagreementOf(queue.rubric, grades);
    const state = i.finalizedAt ? "finalized" : grades.length >= needed && differing.length ? "disagreement" : "pending";
    return {
      position: i.position,
      state,
      differing,
      input: i.input,
      expected: i.expected,
      output: i.output,
      autoScores: i.autoScores,
      gold: i.goldGrade,
      finalGrade: i.finalGrade,
      finalSource: i.finalSource,
      adjudicationNote: i.adjudicationNote,
      sourceRef: i.sourceRef,
      reviews: i.assignments.map((a) => ({ reviewer: a.reviewer.email, grade: a.grade as Grade, submittedAt: a.submittedAt, revisedAt: a.revisedAt })),
    };
  });
  if (paged) return { total: pagedTotal, page: input.page, pageSize: input.pageSize, items: withState };
  const filtered = withState.filter((i) => i.state === input.state);
  const start = (input.page - 1) * input.pageSize;
  return { total: filtered.length, page: input.page, pageSize: input.pageSize, items: filtered.slice(start, start + input.pageSize) };
}

function levelOf(d: RubricDimension): "nominal" | "ordinal" | "interval" {
  if (d.type === "numeric") return "interval";
  if (d.type === "categorical" && d.ordered) return "ordinal";
  return "nominal";
}

/** Agreement per rubric dimension (and per reviewer pair), with how many items each figure rests on. */
export async function queueAgreement(db: ReadDb, projectId: string, name: string) {
  const queue = await queueByName(db, projectId, name);
  const rows = await readSql<{ position: number; email: string; grade: Grade }>(
    db,
    sql`SELECT i.position, u.email, a.grade FROM review_assignments a JOIN review_items i ON i.id = a.item_id JOIN users u ON u.id = a.reviewer_id
     WHERE i.queue_id = ${queue.id}::uuid AND a.status = 'submitted' ORDER BY i.position`,
  );
  const coders = [...new Set(rows.map((r) => r.email))].sort();
  const dimensions = queue.rubric
    .filter((d) => d.type !== "text")
    .map((d) => {
      const ratings: Rating<number | string | boolean>[] = rows
        .filter((r) => r.grade?.[d.key] !== undefined)
        .map((r) => ({ unit: String(r.position), coder: r.email, value: r.grade[d.key]! }));
      const level = levelOf(d);
      const order = d.type === "categorical" && d.ordered ? d.options.map((o) => o.value) : undefined;
      const alpha = krippendorffAlpha(ratings, level, order ? { order } : {});
      const percent = percentAgreement(ratings);
      let fleiss: ReturnType<typeof fleissKappa> | null = null;
      try {
        fleiss = fleissKappa(ratings);
      } catch {
        fleiss = null;
      }
      const cohen =
        coders.length === 2
          ? cohensKappa(
              ratings,
              coders[0]!,
              coders[1]!,
              level === "nominal" ? {} : { weights: level === "ordinal" ? "linear" : "quadratic", ...(order ? { order } : {}) },
            )
          : null;
      return {
        key: d.key,
        label: d.label,
        level,
        alpha: alpha.alpha,
        alphaReason: alpha.reason,
        units: alpha.units,
        percent: percent.value,
        pairs: percent.pairs,
        fleiss: fleiss?.kappa ?? null,
        fleissReason: fleiss?.reason ?? null,
        cohen: cohen?.kappa ?? null,
        cohenReason: coders.length === 2 ? (cohen?.reason ?? null) : coders.length < 2 ? "no-pairable-units" : null,
        pairwise: pairwiseAgreement(ratings, level, order ? { order } : {}),
      };
    });
  return { reviewers: coders, dimensions };
}
