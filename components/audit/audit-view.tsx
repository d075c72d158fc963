"use client";
// The audit log explorer: newest first, filters kept in the address (shareable, back button) —
// time range, action or action group, outcome, target, actor, project and a full-text search of
// the recorded changes —, keyset "Load more", an event's full record with a before/after diff,
// the chain status panel, and exports of the filtered view with their signed manifests.
import { useInfiniteQuery, useQueryClient } from "@tanstack/react-query";
import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { useCallback, useState } from "react";
import type { Role } from "@/server/contracts/permissions";
import { useTRPC } from "@/components/trpc/client";
import { Alert, Badge, Button, Card, EmptyState, PageHeader, Spinner, TBody, TD, TH, THead, TR, Table, cn } from "@/components/ui";
import { ScrollIcon } from "@/components/ui/icons";
import { errorInfo } from "@/components/lib/errors";
import { QueryErrorAlert } from "@/components/lib/error-alert";
import { Time } from "@/components/lib/time";
import { actionLabel, targetTypeLabel } from "./labels";
import { EventDialog } from "./event-dialog";
import { ChainStatus } from "./chain-status";
import { FilterBar } from "./filter-bar";
import { ExportButtons, ExportStarted, type PendingExport } from "./export-panel";
import { ExportsList, type FinishedExport } from "./exports-list";
import { EMPTY_FILTERS, activeFilterCount, listInput, readFilters, type Filters } from "./filters";

const PAGE_SIZE = 50;

export function AuditView({ orgSlug, orgName, projects }: { orgSlug: string; orgName: string; projects: { slug: string; name: string }[] }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const router = useRouter();
  const pathname = usePathname();
  const searchParams = useSearchParams();
  const filters = readFilters(searchParams, projects);
  const openSeq = /^\d{1,19}$/.test(searchParams.get("event") ?? "") ? searchParams.get("event") : null;
  const [pending, setPending] = useState<(PendingExport & { knownIds: string[] | null; finished: FinishedExport | null }) | null>(null);

  function updateParams(update: Partial<Record<keyof Filters | "event", string | null>>) {
    const params = new URLSearchParams(searchParams.toString());
    for (const [k, v] of Object.entries(update)) {
      if (v) params.set(k, v);
      else params.delete(k);
    }
    // Links made before the `project` parameter.
    params.delete("projectSlug");
    const qs = params.toString();
    router.replace(qs ? `${pathname}?${qs}` : pathname, { scroll: false });
  }

  const input = { orgSlug, ...listInput(filters), limit: PAGE_SIZE };
  const events = useInfiniteQuery(trpc.audit.list.infiniteQueryOptions(input, { getNextPageParam: (last) => last.nextCursor ?? undefined, staleTime: 5_000 }));
  const items = events.data?.pages.flatMap((p) => p.items) ?? [];
  const activeFilters = activeFilterCount(filters);

  // Exporting and verifying are audited too: the newest events include them once they finish.
  const refreshAfterAudited = useCallback(() => {
    void queryClient.invalidateQueries({ queryKey: trpc.audit.list.pathKey() });
    void queryClient.invalidateQueries({ queryKey: trpc.audit.status.queryKey({ orgSlug }) });
  }, [queryClient, trpc, orgSlug]);
  const onExportArrived = useCallback(
    (finished: FinishedExport) => {
      setPending((p) => (p && !p.finished ? { ...p, finished } : p));
      refreshAfterAudited();
    },
    [refreshAfterAudited],
  );

  function startExport(p: PendingExport) {
    const known = queryClient.getQueryData(trpc.audit.exports.queryKey({ orgSlug }));
    setPending({ ...p, knownIds: known ? known.map((e) => e.id) : null, finished: null });
  }

  return (
    <>
      <PageHeader
        title="Audit log"
        description={`Every change in ${orgName}, who made it and from where, newest first. Events are hash-chained: altering or deleting one breaks the chain.`}
      />
      <div className="flex flex-col gap-4">
        <ChainStatus orgSlug={orgSlug} onVerificationStarted={refreshAfterAudited} />
        <FilterBar filters={filters} projects={projects} onApply={(f) => updateParams({ ...f, event: null })} activeCount={activeFilters} />
        <Card aria-labelledby="events-title">
          <div className="flex min-h-12 flex-wrap items-center justify-between gap-2 border-b border-zinc-200 px-4 py-2.5">
            <div className="flex items-baseline gap-3">
              <h2 id="events-title" className="text-sm font-semibold text-zinc-900">
                Events
              </h2>
              <p role="status" className="text-xs text-zinc-500">
                {events.isSuccess
                  ? `${items.length}${events.hasNextPage ? "+" : ""} ${items.length === 1 ? "event" : "events"}${activeFilters ? " matching the filters" : ""}`
                  : ""}
              </p>
            </div>
            <ExportButtons orgSlug={orgSlug} filters={filters} filtered={activeFilters > 0} onStart={startExport} />
          </div>
          {pending ? (
            <div className="border-b border-zinc-200 px-4 py-3">
              <ExportStarted orgSlug={orgSlug} pending={pending} finished={pending.finished} />
            </div>
          ) : null}
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
                  <Button size="sm" onClick={() => updateParams({ ...EMPTY_FILTERS })}>
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
                          <span className="block font-mono text-[11px] text-zinc-500">{e.action}</span>
                        </TD>
                        <TD>
                          <span className="block text-zinc-600">{targetTypeLabel(e.targetType)}</span>
                          {e.targetId ? (
                            <span className="block max-w-36 truncate font-mono text-[11px] text-zinc-500" title={e.targetId}>
                              {e.targetId}
                            </span>
                          ) : null}
                        </TD>
                        <TD className="text-zinc-600">{e.project?.name ?? <span className="text-zinc-500">—</span>}</TD>
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
                  <p className="text-xs text-zinc-500">{activeFilters ? "No more matching events" : "Beginning of the log"}</p>
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
        <ExportsList orgSlug={orgSlug} awaited={pending && !pending.finished ? pending : null} onArrived={onExportArrived} />
      </div>
      <EventDialog orgSlug={orgSlug} seq={openSeq} onClose={() => updateParams({ event: null })} />
    </>
  );
}
