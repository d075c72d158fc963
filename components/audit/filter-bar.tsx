"use client";
// The explorer's filters. Text and time fields apply on Enter or "Apply filters"; selects and the
// time presets apply at once. Times are typed in the viewer's time zone and kept in the address
// as ISO 8601 (UTC), which is also what the export receives.
import { useState, useSyncExternalStore, type FormEvent } from "react";
import { AUDIT_TARGET_TYPES } from "@/server/contracts/audit";
import { Badge, Button, Card, Input, Select } from "@/components/ui";
import { ClockIcon, FilterIcon } from "@/components/ui/icons";
import { ACTION_GROUPS, actionLabel, TARGET_TYPE_LABELS } from "./labels";
import { EMPTY_FILTERS, TIME_PRESETS, isoToLocalInput, localInputToIso, type Filters } from "./filters";

type Draft = { actor: string; targetId: string; q: string; from: string; to: string };

function draftOf(f: Filters): Draft {
  return { actor: f.actor, targetId: f.targetId, q: f.q, from: isoToLocalInput(f.from), to: isoToLocalInput(f.to) };
}

const noSubscribe = () => () => undefined;

/** True once running in the browser: local times differ between server and browser, so they render after hydration. */
function useInBrowser() {
  return useSyncExternalStore(
    noSubscribe,
    () => true,
    () => false,
  );
}

export function FilterBar({
  filters,
  projects,
  onApply,
  activeCount,
}: {
  filters: Filters;
  projects: { slug: string; name: string }[];
  onApply: (f: Filters) => void;
  activeCount: number;
}) {
  const inBrowser = useInBrowser();
  const [draft, setDraft] = useState<Draft>(() => draftOf(filters));
  const [synced, setSynced] = useState(filters);
  const [rangeError, setRangeError] = useState<{ field: "from" | "to"; message: string } | null>(null);
  // The address changed (back button, "Clear filters", a link): show what it says.
  if (JSON.stringify(synced) !== JSON.stringify(filters)) {
    setSynced(filters);
    setDraft(draftOf(filters));
    setRangeError(null);
  }

  /** The typed time, or the applied one when the field still shows it (the field drops seconds). */
  function timeOf(field: "from" | "to"): string | null {
    if (draft[field] === isoToLocalInput(filters[field])) return filters[field];
    return localInputToIso(draft[field]);
  }

  function apply(patch: Partial<Filters>) {
    const from = patch.from ?? timeOf("from");
    const to = patch.to ?? timeOf("to");
    if (from === null) return setRangeError({ field: "from", message: "From is not a date and time" });
    if (to === null) return setRangeError({ field: "to", message: "To is not a date and time" });
    if (from && to && Date.parse(from) >= Date.parse(to)) return setRangeError({ field: "to", message: "To must be after From" });
    setRangeError(null);
    onApply({ ...filters, actor: draft.actor.trim(), targetId: draft.targetId.trim(), q: draft.q.trim(), ...patch, from, to });
  }

  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    apply({});
  };

  const timeZone = inBrowser ? Intl.DateTimeFormat().resolvedOptions().timeZone : "";
  const dirty = activeCount > 0 || Object.values(draft).some(Boolean);
  const knownAction = !filters.action || ACTION_GROUPS.some((g) => g.value === filters.action || g.actions.some((a) => a === filters.action));

  return (
    <Card aria-labelledby="filters-title">
      <form onSubmit={onSubmit} aria-labelledby="filters-title" role="search" className="px-4 py-3" noValidate>
        <div className="mb-2.5 flex items-center gap-2">
          <FilterIcon className="text-zinc-500" size={14} />
          <h2 id="filters-title" className="text-sm font-semibold text-zinc-900">
            Filters
          </h2>
          {activeCount ? <Badge tone="accent">{activeCount} active</Badge> : null}
        </div>

        <fieldset className="mb-3">
          <legend className="sr-only">Time range</legend>
          <div className="flex flex-wrap items-start gap-3">
            <Input
              type="datetime-local"
              label="From"
              value={inBrowser ? draft.from : ""}
              onChange={(e) => setDraft((d) => ({ ...d, from: e.target.value }))}
              error={rangeError?.field === "from" ? rangeError.message : null}
              wrapperClassName="w-full sm:w-56"
            />
            <Input
              type="datetime-local"
              label="To"
              value={inBrowser ? draft.to : ""}
              onChange={(e) => setDraft((d) => ({ ...d, to: e.target.value }))}
              error={rangeError?.field === "to" ? rangeError.message : null}
              wrapperClassName="w-full sm:w-56"
            />
            <div className="flex flex-col gap-1.5">
              <span aria-hidden="true" className="hidden text-[13px] font-medium text-transparent select-none sm:block">
                Quick range
              </span>
              <div role="group" aria-label="Quick time range" className="flex flex-wrap gap-1.5">
                {TIME_PRESETS.map((p) => (
                  <Button
                    key={p.id}
                    size="md"
                    variant="ghost"
                    className="border border-zinc-200"
                    icon={<ClockIcon size={13} />}
                    onClick={() => apply({ from: new Date(Date.now() - p.ms).toISOString(), to: "" })}
                  >
                    {p.label}
                  </Button>
                ))}
              </div>
            </div>
          </div>
          <p className="mt-1.5 text-xs text-zinc-500">
            {timeZone ? `Times are in your time zone (${timeZone}). ` : ""}From is included, To is not; leave either empty for an open range.
          </p>
        </fieldset>

        <div className="grid grid-cols-1 gap-3 sm:grid-cols-2 lg:grid-cols-4">
          <Input
            type="search"
            label="Search changes"
            placeholder="Words in the before/after data"
            value={draft.q}
            onChange={(e) => setDraft((d) => ({ ...d, q: e.target.value }))}
            maxLength={200}
            wrapperClassName="sm:col-span-2"
          />
          <Select label="Action" value={filters.action} onChange={(e) => apply({ action: e.target.value })}>
            <option value="">All actions</option>
            {ACTION_GROUPS.map((g) => (
              <optgroup key={g.value} label={g.label}>
                <option value={g.value}>{`All ${g.label.toLowerCase()}`}</option>
                {g.actions.map((a) => (
                  <option key={a} value={a}>
                    {actionLabel(a)}
                  </option>
                ))}
              </optgroup>
            ))}
            {knownAction ? null : <option value={filters.action}>{filters.action}</option>}
          </Select>
          <Select label="Outcome" value={filters.outcome} onChange={(e) => apply({ outcome: e.target.value })}>
            <option value="">Any outcome</option>
            <option value="success">Success</option>
            <option value="denied">Denied</option>
          </Select>
          <Input
            label="Actor"
            placeholder="Email or key id (its beginning)"
            value={draft.actor}
            onChange={(e) => setDraft((d) => ({ ...d, actor: e.target.value }))}
            maxLength={254}
          />
          <Select label="Target type" value={filters.targetType} onChange={(e) => apply({ targetType: e.target.value })}>
            <option value="">Any target</option>
            {AUDIT_TARGET_TYPES.map((t) => (
              <option key={t} value={t}>
                {TARGET_TYPE_LABELS[t]}
              </option>
            ))}
          </Select>
          <Input
            label="Target id"
            placeholder="Exact id"
            value={draft.targetId}
            onChange={(e) => setDraft((d) => ({ ...d, targetId: e.target.value }))}
            maxLength={80}
            className="font-mono text-xs"
          />
          <Select label="Project" value={filters.project} onChange={(e) => apply({ project: e.target.value })}>
            <option value="">All projects</option>
            {projects.map((p) => (
              <option key={p.slug} value={p.slug}>
                {p.name}
              </option>
            ))}
          </Select>
        </div>
        <div className="mt-3 flex items-center justify-end gap-2">
          <Button
            size="sm"
            variant="ghost"
            disabled={!dirty}
            onClick={() => {
              setRangeError(null);
              setDraft(draftOf(EMPTY_FILTERS));
              onApply({ ...EMPTY_FILTERS });
            }}
          >
            Reset
          </Button>
          <Button size="sm" type="submit">
            Apply filters
          </Button>
        </div>
      </form>
    </Card>
  );
}
