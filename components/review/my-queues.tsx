"use client";
// The review queues the signed-in person is assigned to, with their own progress in each and a
// way in ("Start reviewing" leases the next item on the grading page).
import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useTRPC } from "@/components/trpc/client";
import { ActionsTH, ButtonLink, Card, EmptyState, PageHeader, Spinner, TBody, TD, TH, THead, TR, Table } from "@/components/ui";
import { QueryErrorAlert } from "@/components/lib/error-alert";
import { reviewHref } from "./model";
import { formatCount } from "@/components/lib/format";

export function MyQueues({ orgSlug, projectSlug, projectName }: { orgSlug: string; projectSlug: string; projectName: string }) {
  const trpc = useTRPC();
  const queues = useQuery(trpc.reviews.mine.queryOptions({ orgSlug, projectSlug }));
  const rows = queues.data ?? [];
  return (
    <>
      <PageHeader
        eyebrow={projectName}
        title="My reviews"
        description="Queues a lead has assigned to you. Grade items one after another; your grades stay hidden from the other reviewers."
      />
      <Card aria-labelledby="my-queues-title">
        <div className="flex min-h-12 items-center gap-3 border-b border-zinc-200 px-4 py-3">
          <h2 id="my-queues-title" className="text-sm font-semibold text-zinc-900">
            {queues.isSuccess ? `${rows.length} ${rows.length === 1 ? "queue" : "queues"}` : "Queues"}
          </h2>
        </div>
        {queues.isPending ? (
          <div className="py-12 text-center">
            <Spinner label="Loading your queues…" />
          </div>
        ) : queues.isError ? (
          <div role="region" aria-label="Problem" className="p-4">
            <QueryErrorAlert title="Could not load your queues" error={queues.error} />
          </div>
        ) : rows.length === 0 ? (
          <EmptyState title="No review queues for you yet" description="When a lead adds you as a reviewer of a queue, it shows up here." />
        ) : (
          <Table caption="Review queues assigned to you">
            <THead>
              <TR>
                <TH>Queue</TH>
                <TH className="text-right">Items</TH>
                <TH className="text-right">Graded by you</TH>
                <TH className="text-right">Finalised</TH>
                <TH className="w-56">Queue progress</TH>
                <ActionsTH />
              </TR>
            </THead>
            <TBody>
              {rows.map((q) => {
                const open = Math.max(0, q.items - q.finalized);
                const forMe = q.availableToMe;
                return (
                  <TR key={q.name}>
                    <TD>
                      <Link href={reviewHref(orgSlug, projectSlug, q.name)} className="font-medium text-zinc-900 hover:text-accent hover:underline">
                        {q.name}
                      </Link>
                      {q.description ? <p className="mt-0.5 max-w-md truncate text-xs text-zinc-500">{q.description}</p> : null}
                    </TD>
                    <TD className="text-right tabular-nums">{formatCount(q.items)}</TD>
                    <TD className="text-right tabular-nums">{formatCount(q.gradedByMe)}</TD>
                    <TD className="text-right tabular-nums">{formatCount(q.finalized)}</TD>
                    <TD>
                      <Progress finalized={q.finalized} items={q.items} />
                      <span className="text-xs text-zinc-500">
                        {forMe ? `${formatCount(forMe)} left for you` : open ? `${formatCount(open)} open, none left for you` : "all finalised"}
                      </span>
                    </TD>
                    <TD className="text-right">
                      <span className="inline-flex gap-2">
                        <ButtonLink size="sm" variant="ghost" href={reviewHref(orgSlug, projectSlug, q.name, "mine")} aria-label={`My grades in ${q.name}`}>
                          My grades
                        </ButtonLink>
                        <ButtonLink size="sm" variant="primary" href={reviewHref(orgSlug, projectSlug, q.name)} aria-label={`Start reviewing ${q.name}`}>
                          Start reviewing
                        </ButtonLink>
                      </span>
                    </TD>
                  </TR>
                );
              })}
            </TBody>
          </Table>
        )}
      </Card>
    </>
  );
}

function Progress({ finalized, items }: { finalized: number; items: number }) {
  const pct = items ? Math.round((finalized / items) * 100) : 0;
  return (
    <div
      role="progressbar"
      aria-label="Finalised items"
      aria-valuemin={0}
      aria-valuemax={items}
      aria-valuenow={finalized}
      aria-valuetext={`${finalized} of ${items} finalised`}
      className="mb-1 h-1.5 w-full overflow-hidden rounded-full bg-zinc-100"
    >
      <div className="h-full rounded-full bg-emerald-500" style={{ width: `${pct}%` }} />
    </div>
  );
}
