// The explorer's filters as they live in the address (shareable, the back button works) and as
// the export link passes them on: the same names as the server's `auditFilters`, so the file
// holds exactly the events on screen.
import { auditFilters, type AuditTargetType } from "@/server/contracts/audit";

export const FILTER_KEYS = ["from", "to", "project", "action", "actor", "targetType", "targetId", "outcome", "q"] as const;
export type FilterKey = (typeof FILTER_KEYS)[number];
export type Filters = Record<FilterKey, string>;
export const EMPTY_FILTERS: Filters = { from: "", to: "", project: "", action: "", actor: "", targetType: "", targetId: "", outcome: "", q: "" };

/** Reads the filters from the address; a value the server would refuse is dropped (as if unset). */
export function readFilters(params: URLSearchParams, projects: { slug: string }[]): Filters {
  const filters = { ...EMPTY_FILTERS };
  for (const key of FILTER_KEYS) {
    const value = params.get(key)?.trim() ?? "";
    if (!value) continue;
    const parsed = auditFilters.shape[key].safeParse(value);
    if (parsed.success && parsed.data) filters[key] = parsed.data;
  }
  if (filters.project && !projects.some((p) => p.slug === filters.project)) filters.project = "";
  // An empty range would only show an error: keep the start, drop the end.
  if (filters.from && filters.to && Date.parse(filters.from) >= Date.parse(filters.to)) filters.to = "";
  return filters;
}

/** The filters as the audit.list input (unset ones left out). */
export function listInput(filters: Filters) {
  return {
    from: filters.from || undefined,
    to: filters.to || undefined,
    project: filters.project || undefined,
    action: filters.action || undefined,
    actor: filters.actor || undefined,
    targetType: (filters.targetType || undefined) as AuditTargetType | undefined,
    targetId: filters.targetId || undefined,
    outcome: (filters.outcome || undefined) as "success" | "denied" | undefined,
    q: filters.q || undefined,
  };
}

export function activeFilterCount(filters: Filters): number {
  return FILTER_KEYS.filter((k) => filters[k]).length;
}

/** The session route that streams the filtered events as a file (the browser downloads it as it arrives). */
export function exportHref(orgSlug: string, format: "jsonl" | "csv", filters: Filters): string {
  const params = new URLSearchParams({ format });
  for (const key of FILTER_KEYS) if (filters[key]) params.set(key, filters[key]);
  return `/api/audit/${encodeURIComponent(orgSlug)}/export?${params.toString()}`;
}

export function manifestHref(orgSlug: string, exportId: string): string {
  return `/api/audit/${encodeURIComponent(orgSlug)}/exports/${encodeURIComponent(exportId)}/manifest`;
}

/** The audit log filtered to one target: the "History" links on other pages. */
export function historyHref(orgSlug: string, targetType: AuditTargetType, targetId: string): string {
  return `/o/${orgSlug}/audit?${new URLSearchParams({ targetType, targetId }).toString()}`;
}

// ---- Time range ---------------------------------------------------------------------------------

export const TIME_PRESETS = [
  { id: "hour", label: "Last hour", ms: 3_600_000 },
  { id: "day", label: "Last day", ms: 86_400_000 },
  { id: "7d", label: "Last 7 days", ms: 7 * 86_400_000 },
  { id: "30d", label: "Last 30 days", ms: 30 * 86_400_000 },
] as const;

const pad = (n: number) => String(n).padStart(2, "0");

/** An ISO time as the value of a datetime-local input, in the viewer's time zone ("" when unset). */
export function isoToLocalInput(iso: string): string {
  if (!iso) return "";
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return "";
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** A datetime-local value (the viewer's time zone) as an ISO 8601 time in UTC; null when it is not a time. */
export function localInputToIso(value: string): string | null {
  if (!value) return "";
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? null : d.toISOString();
}
