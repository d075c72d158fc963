"use client";
// The project's review queues: how far each is (finalized of items), who reviews it, how many
// reviews each item gets and whether reviewers grade blind. Leads start new queues here.
import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useTRPC } from "@/components/trpc/client";
import { Badge, ButtonLink, Card, EmptyState, PageHeader, Spinner, TBody, TD, TH, THead, TR, Table } from "@/components/ui";
import { ClipboardCheckIcon, PlusIcon } from "@/components/ui/icons";
import { QueryErrorAlert } from "@/components/lib/error-alert";
import { Time } from "@/components/lib/time";
import { ProgressBar } from "@/components/evaluations/run-bits";
import { newQueueHref, reviewsHref } from "./model";
import { formatCount } from "@/components/lib/format";

type Props = { orgSlug: string; projectSlug: string; projectName: string; canManage: boolean };

export function QueuesList({ orgSlug, projectSlug, projectName, canManage }: Props) {
  const trpc = useTRPC();
  const queues = useQuery(trpc.reviews.list.queryOptions({ orgSlug, projectSlug }));
  const rows = queues.data ?? [];
  const newButton = canManage ? (
    <ButtonLink variant="primary" icon={<PlusIcon />} href={newQueueHref(orgSlug, projectSlug)}>
      New queue
    </ButtonLink>
  ) : null;

  return (
    <>
      <PageHeader
        eyebrow={projectName}
        title="Review queues"
        description="People grade model outputs against a rubric. Each item gets several independent reviews; where reviewers disagree, a lead adjudicates. Agreement between reviewers shows whether the rubric is clear enough to trust."
        actions={newButton}
      />
      <Card aria-labelledby="queues-title">
        <div className="flex min-h-12 items-center gap-3 border-b border-zinc-200 px-4 py-3">
          <h2 id="queues-title" className="text-sm font-semibold text-zinc-900">
            {queues.isSuccess ? `${rows.length} ${rows.length === 1 ? "queue" : "queues"}` : "Queues"}
          </h2>
          {queues.isFetching && !queues.isPending ? <Spinner size={12} /> : null}
        </div>
        {queues.isPending ? (
          <div className="px-4 py-10 text-center">
            <Spinner label="Loading queues…" />
          </div>
        ) : queues.isError ? (
          <div className="p-4">
            <QueryErrorAlert title="Could not load the review queues" error={queues.error} />
          </div>
        ) : rows.length === 0 ? (
          <EmptyState
            icon={<ClipboardCheckIcon />}
            title="No review queues yet"
            description={
              canManage
                ? "Create a queue with a rubric, fill it from an evaluation run or a dataset, and assign reviewers."
                : "Editors create review queues; you will see them here."
            }
            action={newButton}
          />
        ) : (
          <Table caption={`Review queues of ${projectName}`}>
            <THead>
              <TR>
                <TH>Queue</TH>
                <TH className="text-right">Items</TH>
                <TH>Finalized</TH>
                <TH className="text-right">Reviewers</TH>
                <TH className="text-right">Reviews per item</TH>
                <TH>Blind</TH>
                <TH>Created</TH>
              </TR>
            </THead>
            <TBody>
              {rows.map((q) => (
                <TR key={q.name}>
                  <TD className="max-w-80">
                    <Link
                      href={reviewsHref(orgSlug, projectSlug, q.name)}
                      className="font-mono text-[13px] font-medium text-zinc-900 hover:text-accent hover:underline"
                    >
                      {q.name}
                    </Link>
                    {q.description ? <span className="block truncate text-xs text-zinc-500">{q.description}</span> : null}
                  </TD>
                  <TD className="text-right tabular-nums">{formatCount(q.items)}</TD>
                  <TD className="min-w-40">
                    {q.items > 0 ? (
                      <ProgressBar done={q.finalized} total={q.items} label={`${q.name}: items finalized`} compact />
                    ) : (
                      <span className="text-xs text-zinc-500">empty</span>
                    )}
                  </TD>
                  <TD className={q.reviewers ? "text-right tabular-nums" : "text-right text-xs text-amber-700"}>{q.reviewers ? q.reviewers : "none yet"}</TD>
                  <TD className="text-right tabular-nums">{q.reviewsPerItem}</TD>
                  <TD>{q.blind ? <Badge tone="neutral">Blind</Badge> : <span className="text-xs text-zinc-500">No</span>}</TD>
                  <TD className="whitespace-nowrap text-zinc-500">
                    <Time value={q.createdAt} mode="relative" />
                  </TD>
                </TR>
              ))}
            </TBody>
          </Table>
        )}
      </Card>
    </>
  );
}
