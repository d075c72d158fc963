// Client-side helpers of the reviewer's pages: addresses, the in-progress grade (a draft kept in
// localStorage so a reload loses nothing), and how keys map onto a rubric dimension.
import type { Grade, GradeValue, RubricDimension } from "@/server/contracts/reviews";

/** `/o/{org}/p/{project}/review[/{queue}[/sub]]`. */
export function reviewHref(orgSlug: string, projectSlug: string, queue?: string, sub?: string): string {
  let path = `/o/${orgSlug}/p/${projectSlug}/review`;
  if (queue) path += `/${encodeURIComponent(queue)}`;
  if (queue && sub) path += `/${sub}`;
  return path;
}

/** What the form holds: a value per dimension, or nothing yet. */
export type Draft = Partial<Record<string, GradeValue>>;

/** The grade to send: dimensions without a value (and empty comments) are left out. */
export function gradeFromDraft(draft: Draft): Grade {
  const grade: Grade = {};
  for (const [k, v] of Object.entries(draft)) {
    if (v === undefined || v === "") continue;
    grade[k] = v;
  }
  return grade;
}

export type DraftKey = { userId: string; orgSlug: string; projectSlug: string; queue: string; position: number; mode: "grade" | "revise" };

function storageKey(k: DraftKey): string {
  return `keel:review-draft:${k.userId}:${k.orgSlug}/${k.projectSlug}:${k.queue}:${k.position}:${k.mode}`;
}

export function loadDraft(k: DraftKey): Draft | null {
  try {
    const raw = window.localStorage.getItem(storageKey(k));
    if (!raw) return null;
    const parsed: unknown = JSON.parse(raw);
    if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) return null;
    const draft: Draft = {};
    for (const [key, v] of Object.entries(parsed as Record<string, unknown>)) {
      if (typeof v === "string" || typeof v === "number" || typeof v === "boolean") draft[key] = v;
    }
    return Object.keys(draft).length ? draft : null;
  } catch {
    return null;
  }
}

export function saveDraft(k: DraftKey, draft: Draft) {
  try {
    const grade = gradeFromDraft(draft);
    if (Object.keys(grade).length) window.localStorage.setItem(storageKey(k), JSON.stringify(grade));
    else window.localStorage.removeItem(storageKey(k));
  } catch {
    // Storage full or disabled: the draft lives only in memory.
  }
}

export function clearDraft(k: DraftKey) {
  try {
    window.localStorage.removeItem(storageKey(k));
  } catch {
    // Nothing to clear.
  }
}

/** Whether a numeric dimension's values are the single digits min..max (number keys pick them). */
export function digitScale(d: RubricDimension): number[] | null {
  if (d.type !== "numeric") return null;
  if (d.step !== 1 || !Number.isInteger(d.min) || !Number.isInteger(d.max) || d.min < 0 || d.max > 9) return null;
  const values: number[] = [];
  for (let v = d.min; v <= d.max; v++) values.push(v);
  return values;
}

/** The value a number key picks on a dimension, or undefined when the key means nothing there. */
export function valueForDigit(d: RubricDimension, digit: number): GradeValue | undefined {
  if (d.type === "categorical") return d.options[digit - 1]?.value;
  const scale = digitScale(d);
  if (scale) return scale.includes(digit) ? digit : undefined;
  return undefined;
}

/** How the value reads for people ("Partly", "4", "Yes"). */
export function formatValue(d: RubricDimension | undefined, v: GradeValue | undefined): string {
  if (v === undefined || v === "") return "—";
  if (!d) return String(v);
  if (d.type === "boolean") return v === true ? "Yes" : v === false ? "No" : String(v);
  if (d.type === "categorical") return d.options.find((o) => o.value === v)?.label ?? String(v);
  return String(v);
}

/** "4:05" (or "1:02:03"), never negative. */
export function formatCountdown(ms: number): string {
  const total = Math.max(0, Math.ceil(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const ss = String(s).padStart(2, "0");
  return h ? `${h}:${String(m).padStart(2, "0")}:${ss}` : `${m}:${ss}`;
}

/** Shows JSON values as text: strings as they are, everything else pretty-printed. */
export function displayValue(v: unknown): string {
  if (v === null || v === undefined) return "";
  if (typeof v === "string") return v;
  return JSON.stringify(v, null, 2);
}

/** An item as `reviews.item` hands it to its reviewer (the fields these pages use). */
export type ReviewItemData = {
  queue: { name: string; guidelines: string; rubric: unknown; showAutoScores: boolean; leaseSeconds: number };
  item: { position: number; input: unknown; expected: unknown; output: string | null; autoScores: unknown; finalized: boolean };
  mine: { status: string; grade: Grade | null; leaseUntil: Date | string | null; submittedAt: Date | string | null };
  /** Other reviewers' submitted grades, in queues that are not blind (always empty in blind ones). */
  others: { reviewer: string; grade: Grade }[];
};
