"use client";
// The audit log explorer: newest first, filters kept in the address (shareable, back button),
// keyset "Load more", an event's full record with a before/after diff, and chain verification.
import { useInfiniteQuery, useQuery } from "@tanstack/react-query";
import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { useState, type FormEvent } from "react";
import { AUDIT_TARGET_TYPES } from "@/server/contracts/audit";
import type { Role } from "@/server/contracts/permissions";
import { useTRPC } from "@/components/trpc/client";
import { Alert, Badge, Button, Card, CardHeader, EmptyState, Input, PageHeader, Select, Spinner, TBody, TD, TH, THead, TR, Table, cn } from "@/components/ui";
import { FilterIcon, ScrollIcon, ShieldCheckIcon } from "@/components/ui/icons";
import { errorInfo } from "@/components/lib/errors";
import { QueryErrorAlert } from "@/components/lib/error-alert";
import { Time } from "@/components/lib/time";
import { ACTION_GROUPS, TARGET_TYPE_LABELS, actionLabel } from "./labels";
import { EventDialog } from "./event-dialog";

const PAGE_SIZE = 50;

type Filters = { actor: string; action: string; targetType: string; targetId: string; outcome: string; project: string };
const EMPTY: Filters = { actor: "", action: "", targetType: "", targetId: "", outcome: "", project: "" };

function readFilters(params: URLSearchParams, projects: { slug: string }[]): Filters {
  const get = (k: string) => params.get(k)?.trim() ?? "";
  const action = get("action");
  const targetType = get("targetType");
  const outcome = get("outcome");
  const project = get("project");
  return {
    actor: get("actor").slice(0, 254),
    action: /^[a-z_.]{1,80}$/.test(action) ? action : "",
    targetType: (AUDIT_TARGET_TYPES as readonly string[]).includes(targetType) ? targetType : "",
    targetId: get("targetId").slice(0, 80),
    outcome: outcome === "success" || outcome === "denied" ? outcome : "",
    project: projects.some((p) => p.slug === project) ? project : "",
  };
}

export function AuditView({ orgSlug, orgName, projects }: { orgSlug: string; orgName: string; projects: { slug: string; name: string }[] }) {
  const trpc = useTRPC();
  const router = useRouter();
  const pathname = usePathname();
  const searchParams = useSearchParams();
  const filters = readFilters(searchParams, projects);
  const openSeq = /^\d{1,19}$/.test(searchParams.get("event") ?? "") ? searchParams.get("event") : null;

  function updateParams(update: Record<string, string | null>) {
    const params = new URLSearchParams(searchParams.toString());
    for (const [k, v] of Object.entries(update)) {
      if (v) params.set(k, v);
      else params.delete(k);
    }
    const qs = params.toString();
    router.replace(qs ? `${pathname}?${qs}` : pathname, { scroll: false });
  }

  const input = {
    orgSlug,
    projectSlug: filters.project || undefined,
    actor: filters.actor || undefined,
    action: filters.action || undefined,
    targetType: (filters.targetType || undefined) as (typeof AUDIT_TARGET_TYPES)[number] | undefined,
    targetId: filters.targetId || undefined,
    outcome: (filters.outcome || undefined) as "success" | "denied" | undefined,
    limit: PAGE_SIZE,
  };
  const events = useInfiniteQuery(trpc.audit.list.infiniteQueryOptions(input, { getNextPageParam: (last) => last.nextCursor ?? undefined, staleTime: 5_000 }));
  const items = events.data?.pages.flatMap((p) => p.items) ?? [];
  const activeFilters = Object.values(filters).filter(Boolean).length;

  return (
    <>
      <PageHeader title="Audit log" description={`Every change in ${orgName}, who made it and from where, newest first. Events are hash-chained: altering or deleting one breaks the chain.`} />
      <div className="flex flex-col gap-4">
        <ChainPanel orgSlug={orgSlug} />
        <FilterBar filters={filters} projects={projects} onApply={(f) => updateParams({ ...f, event: null })} activeCount={activeFilters} />
        <Card aria-labelledby="events-title">
          <div className="flex min-h-12 flex-wrap items-center justify-between gap-2 border-b border-zinc-200 px-4 py-2.5">
            <h2 id="events-title" className="text-sm font-semibold text-zinc-900">
              Events
            </h2>
            <p role="status" className="text-xs text-zinc-500">
              {events.isSuccess ? `${items.length}${events.hasNextPage ? "+" : ""} ${items.length === 1 ? "event" : "events"}${activeFilters ? " matching the filters" : ""}` : ""}
            </p>
          </div>
          {events.isPending ? (
            <div className="px-4 py-10 text-center">
              <Spinner label="Loading events…" />
            </div>
          ) : events.isError && items.length === 0 ? (
            <div className="p-4">
              <QueryErrorAlert title="Could not load the audit log" error={events.error} />
            </div>
          ) : items.length === 0 ? (
            <EmptyState
              icon={<ScrollIcon />}
              title={activeFilters ? "No events match these filters" : "No events yet"}
              action={
                activeFilters ? (
                  <Button size="sm" onClick={() => updateParams({ ...EMPTY })}>
                    Clear filters
                  </Button>
                ) : null
              }
            />
          ) : (
            <>
              <Table caption={`Audit events of ${orgName}, newest first`}>
                <THead>
                  <TR>
                    <TH className="w-16">#</TH>
                    <TH>Time</TH>
                    <TH>Actor</TH>
                    <TH>Action</TH>
                    <TH>Target</TH>
                    <TH>Project</TH>
                    <TH>Outcome</TH>
                  </TR>
                </THead>
                <TBody>
                  {items.map((e) => {
                    const seq = e.seq.toString();
                    const denied = e.outcome === "denied";
                    return (
                      <TR
                        key={e.id}
                        onClick={(ev) => {
                          if ((ev.target as HTMLElement).closest("button, a")) return;
                          updateParams({ event: seq });
                        }}
                        className={cn("cursor-pointer hover:bg-zinc-50", denied && "bg-red-50/60 hover:bg-red-50")}
                      >
                        <TD>
                          <button
                            type="button"
                            onClick={() => updateParams({ event: seq })}
                            aria-label={`Event ${seq}: ${actionLabel(e.action)}, details`}
                            className="rounded font-mono text-xs text-accent hover:underline"
                          >
                            #{seq}
                          </button>
                        </TD>
                        <TD className="whitespace-nowrap text-zinc-500">
                          <Time value={e.createdAt} />
                        </TD>
                        <TD>
                          <div className="flex items-center gap-1.5">
                            <span className="max-w-52 truncate text-zinc-800" title={e.actorLabel}>
                              {e.actorLabel}
                            </span>
                            {e.actorType !== "user" ? <Badge tone="outline">{e.actorType === "api_key" ? "API key" : "system"}</Badge> : null}
                            {e.actorRole ? <Badge>{e.actorRole as Role}</Badge> : null}
                          </div>
                        </TD>
                        <TD>
                          <span className="block text-zinc-900">{actionLabel(e.action)}</span>
                          <span className="block font-mono text-[11px] text-zinc-400">{e.action}</span>
                        </TD>
                        <TD>
                          <span className="block text-zinc-600">{TARGET_TYPE_LABELS[e.targetType] ?? e.targetType}</span>
                          {e.targetId ? (
                            <span className="block max-w-36 truncate font-mono text-[11px] text-zinc-400" title={e.targetId}>
                              {e.targetId}
                            </span>
                          ) : null}
                        </TD>
                        <TD className="text-zinc-600">{e.project?.name ?? <span className="text-zinc-400">—</span>}</TD>
                        <TD>{denied ? <Badge tone="danger">Denied</Badge> : <Badge tone="success">Success</Badge>}</TD>
                      </TR>
                    );
                  })}
                </TBody>
              </Table>
              <div className="flex items-center justify-center border-t border-zinc-200 px-4 py-3">
                {events.hasNextPage ? (
                  <Button onClick={() => events.fetchNextPage()} loading={events.isFetchingNextPage}>
                    Load more
                  </Button>
                ) : (
                  <p className="text-xs text-zinc-400">{activeFilters ? "No more matching events" : "Beginning of the log"}</p>
                )}
              </div>
              {events.error ? (
                <div className="px-4 pb-3">
                  <Alert tone="error">{errorInfo(events.error).message}</Alert>
                </div>
              ) : null}
            </>
          )}
        </Card>
      </div>
      <EventDialog orgSlug={orgSlug} seq={openSeq} onClose={() => updateParams({ event: null })} />
    </>
  );
}

function FilterBar({ filters, projects, onApply, activeCount }: { filters: Filters; projects: { slug: string; name: string }[]; onApply: (f: Filters) => void; activeCount: number }) {
  // Text fields apply on Enter or "Apply"; selects apply when changed.
  const [draft, setDraft] = useState({ actor: filters.actor, targetId: filters.targetId });
  const [synced, setSynced] = useState({ actor: filters.actor, targetId: filters.targetId });
  if (synced.actor !== filters.actor || synced.targetId !== filters.targetId) {
    setSynced({ actor: filters.actor, targetId: filters.targetId });
    setDraft({ actor: filters.actor, targetId: filters.targetId });
  }
  const apply = (patch: Partial<Filters>) => onApply({ ...filters, ...draft, ...patch });
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    apply({});
  };

  return (
    <Card aria-labelledby="filters-title">
      <form onSubmit={onSubmit} aria-labelledby="filters-title" role="search" className="px-4 py-3">
        <div className="mb-2.5 flex items-center gap-2">
          <FilterIcon className="text-zinc-400" size={14} />
          <h2 id="filters-title" className="text-sm font-semibold text-zinc-900">
            Filters
          </h2>
          {activeCount ? <Badge tone="accent">{activeCount} active</Badge> : null}
        </div>
        <div className="grid grid-cols-1 gap-3 sm:grid-cols-2 lg:grid-cols-3 xl:grid-cols-6">
          <Input label="Actor" placeholder="Email or key id" value={draft.actor} onChange={(e) => setDraft((d) => ({ ...d, actor: e.target.value }))} maxLength={254} />
          <Select label="Action" value={filters.action} onChange={(e) => apply({ action: e.target.value })}>
            <option value="">All actions</option>
            {ACTION_GROUPS.map((g) => (
              <optgroup key={g.prefix} label={g.label}>
                {g.actions.length > 1 ? <option value={g.prefix}>{`${g.prefix}* (all)`}</option> : null}
                {g.actions.map((a) => (
                  <option key={a} value={a}>
                    {actionLabel(a)}
                  </option>
                ))}
              </optgroup>
            ))}
            {filters.action && !ACTION_GROUPS.some((g) => g.prefix === filters.action || g.actions.some((a) => a === filters.action)) ? <option value={filters.action}>{filters.action}</option> : null}
          </Select>
          <Select label="Target type" value={filters.targetType} onChange={(e) => apply({ targetType: e.target.value })}>
            <option value="">Any target</option>
            {AUDIT_TARGET_TYPES.map((t) => (
              <option key={t} value={t}>
                {TARGET_TYPE_LABELS[t] ?? t}
              </option>
            ))}
          </Select>
          <Input label="Target id" placeholder="Exact id" value={draft.targetId} onChange={(e) => setDraft((d) => ({ ...d, targetId: e.target.value }))} maxLength={80} className="font-mono text-xs" />
          <Select label="Outcome" value={filters.outcome} onChange={(e) => apply({ outcome: e.target.value })}>
            <option value="">Any outcome</option>
            <option value="success">Success</option>
            <option value="denied">Denied</option>
          </Select>
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
          <Button size="sm" variant="ghost" disabled={!activeCount && !draft.actor && !draft.targetId} onClick={() => onApply({ ...EMPTY })}>
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

function ChainPanel({ orgSlug }: { orgSlug: string }) {
  const trpc = useTRPC();
  const verify = useQuery({ ...trpc.audit.verify.queryOptions({ orgSlug }), enabled: false, staleTime: 0, gcTime: 0, retry: false });
  const result = verify.data;
  return (
    <Card aria-labelledby="chain-title">
      <CardHeader
        className={verify.isError || result ? undefined : "border-b-0"}
        titleId="chain-title"
        title="Chain integrity"
        description="Recomputes every event's hash from the first one and compares it with the stored chain."
        actions={
          <Button icon={<ShieldCheckIcon />} loading={verify.isFetching} onClick={() => verify.refetch()}>
            Verify chain
          </Button>
        }
      />
      {verify.isFetching && !result ? null : verify.isError ? (
        <div className="px-4 py-3">
          <Alert tone="error" title="Verification could not run">
            {errorInfo(verify.error).message}
          </Alert>
        </div>
      ) : result ? (
        <div className="px-4 py-3">
          {result.ok ? (
            <Alert tone="success" title="Chain intact">
              {result.eventCount} {result.eventCount === 1 ? "event" : "events"} verified, up to event #{result.lastSeq}. Last hash{" "}
              <code className="font-mono text-xs break-all">{result.lastHash.slice(0, 16)}…</code>{" "}
              <span className="text-xs opacity-80">
                (checked <Time value={new Date(verify.dataUpdatedAt)} />)
              </span>
            </Alert>
          ) : (
            <Alert tone="error" title={`Chain broken at event #${result.firstBrokenSeq}`}>
              {result.reason}. {result.eventCount} {result.eventCount === 1 ? "event" : "events"} before it check out. Treat the log from this event on as untrustworthy and investigate.
            </Alert>
          )}
        </div>
      ) : null}
    </Card>
  );
}
