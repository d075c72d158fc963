// Client-side helpers of the reviewer's pages: addresses, the in-progress grade (a draft kept on
// the server per reviewer and item, with a copy in localStorage as an offline buffer: the newer
// one wins), and how keys map onto a rubric dimension.
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

/** A draft with the time it was last changed (ms since the epoch; 0 when unknown). */
export type StoredDraft = { draft: Draft; savedAt: number };

function readDraftValues(value: unknown): Draft | null {
  if (!value || typeof value !== "object" || Array.isArray(value)) return null;
  const draft: Draft = {};
  for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
    if (typeof v === "string" || typeof v === "number" || typeof v === "boolean") draft[key] = v;
  }
  return Object.keys(draft).length ? draft : null;
}

/** The browser's copy (the offline buffer). Older copies without a time count as oldest. */
export function loadDraft(k: DraftKey): StoredDraft | null {
  try {
    const raw = window.localStorage.getItem(storageKey(k));
    if (!raw) return null;
    const parsed: unknown = JSON.parse(raw);
    if (parsed && typeof parsed === "object" && "savedAt" in parsed && "grade" in parsed) {
      const draft = readDraftValues((parsed as { grade: unknown }).grade);
      const savedAt = Number((parsed as { savedAt: unknown }).savedAt);
      return draft ? { draft, savedAt: Number.isFinite(savedAt) ? savedAt : 0 } : null;
    }
    const draft = readDraftValues(parsed);
    return draft ? { draft, savedAt: 0 } : null;
  } catch {
    return null;
  }
}

export function saveDraft(k: DraftKey, draft: Draft, savedAt = Date.now()) {
  try {
    const grade = gradeFromDraft(draft);
    if (Object.keys(grade).length) window.localStorage.setItem(storageKey(k), JSON.stringify({ grade, savedAt }));
    else window.localStorage.removeItem(storageKey(k));
  } catch {
    // Storage full or disabled: the draft lives only in memory (and on the server).
  }
}

export function clearDraft(k: DraftKey) {
  try {
    window.localStorage.removeItem(storageKey(k));
  } catch {
    // Nothing to clear.
  }
}

/**
 * The draft to start from: the newer of the browser's copy and the server's (by timestamp), and
 * whether the browser's copy is newer and so should be sent to the server.
 */
export function newerDraft(local: StoredDraft | null, server: { grade: Draft; updatedAt: Date | string } | null): { draft: Draft | null; push: boolean } {
  const serverDraft = server ? { draft: readDraftValues(server.grade), savedAt: new Date(server.updatedAt).getTime() } : null;
  if (local && (!serverDraft?.draft || local.savedAt > serverDraft.savedAt)) return { draft: local.draft, push: true };
  return { draft: serverDraft?.draft ?? null, push: false };
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
