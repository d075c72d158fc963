"use client";
// The reviewer's own submitted grades in one queue, with "Revise" while the item is not finalised.
import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useSearchParams } from "next/navigation";
import { rubric as rubricSchema, type Grade, type Rubric } from "@/server/contracts/reviews";
import { useTRPC } from "@/components/trpc/client";
import { ActionsTH, Alert, Badge, ButtonLink, Card, EmptyState, PageHeader, Spinner, TBody, TD, TH, THead, TR, Table } from "@/components/ui";
import { QueryErrorAlert } from "@/components/lib/error-alert";
import { Time } from "@/components/lib/time";
import { formatValue, reviewHref } from "./model";

type Row = { position: number; grade: Grade; submittedAt: Date | string | null; finalized: boolean };

export function MyGrades({ orgSlug, projectSlug, projectName, queue }: { orgSlug: string; projectSlug: string; projectName: string; queue: string }) {
  const trpc = useTRPC();
  const searchParams = useSearchParams();
  const revised = Number(searchParams.get("revised")) || null;
  const mine = useQuery(trpc.reviews.mine.queryOptions({ orgSlug, projectSlug }));
  const counts = mine.data?.find((q) => q.name === queue);

  const grades = useQuery({
    ...trpc.reviews.myGrades.queryOptions({ orgSlug, projectSlug, name: queue }),
    select: (data) => ({ rows: data.rows as Row[], rubric: (rubricSchema.safeParse(data.rubric).data ?? null) as Rubric | null }),
  });

  const header = (
    <PageHeader
      eyebrow={
        <>
          {projectName} ·{" "}
          <Link href={reviewHref(orgSlug, projectSlug)} className="hover:text-zinc-800 hover:underline">
            My reviews
          </Link>{" "}
          ·{" "}
          <Link href={reviewHref(orgSlug, projectSlug, queue)} className="hover:text-zinc-800 hover:underline">
            {queue}
          </Link>
        </>
      }
      title="My grades"
      description="Items you graded in this queue. You can revise a grade until the item is finalised."
      actions={
        <ButtonLink variant="primary" href={reviewHref(orgSlug, projectSlug, queue)}>
          Continue reviewing
        </ButtonLink>
      }
    />
  );

  if (mine.isError || grades.isError) {
    return (
      <>
        {header}
        <div role="region" aria-label="Problem">
          <QueryErrorAlert title="Could not load your grades" error={mine.error ?? grades.error} />
        </div>
      </>
    );
  }
  if (mine.isSuccess && !counts) {
    return (
      <>
        {header}
        <Alert tone="error" title="Not one of your queues">
          You are not a reviewer of &ldquo;{queue}&rdquo;.
        </Alert>
      </>
    );
  }

  const rows = grades.data?.rows ?? [];
  const rubric = grades.data?.rubric ?? null;
  const dims = rubric?.filter((d) => d.type !== "text") ?? [];
  const open = rows.filter((r) => !r.finalized);

  return (
    <>
      {header}
      {revised ? (
        <div role="region" aria-label="Last action" className="mb-4">
          <Alert tone="success">Saved your revised grade for item #{revised}.</Alert>
        </div>
      ) : null}
      <Card aria-labelledby="my-grades-title">
        <div className="flex min-h-12 items-center gap-3 border-b border-zinc-200 px-4 py-3">
          <h2 id="my-grades-title" className="text-sm font-semibold text-zinc-900">
            {grades.isSuccess ? `${rows.length} graded · ${open.length} can be revised` : "Your grades"}
          </h2>
        </div>
        {mine.isPending || grades.isPending ? (
          <div className="py-12 text-center">
            <Spinner label="Loading your grades…" />
          </div>
        ) : rows.length === 0 ? (
          <EmptyState
            title="You have not graded anything here yet"
            action={<ButtonLink href={reviewHref(orgSlug, projectSlug, queue)}>Start reviewing</ButtonLink>}
          />
        ) : (
          <Table caption={`Your grades in ${queue}`}>
            <THead>
              <TR>
                <TH>Item</TH>
                {dims.map((d) => (
                  <TH key={d.key}>{d.label}</TH>
                ))}
                <TH>Submitted</TH>
                <TH>State</TH>
                <ActionsTH />
              </TR>
            </THead>
            <TBody>
              {rows.map((r) => (
                <TR key={r.position}>
                  <TD className="font-mono text-xs text-zinc-900">#{r.position}</TD>
                  {dims.map((d) => (
                    <TD key={d.key}>{formatValue(d, r.grade[d.key])}</TD>
                  ))}
                  <TD className="text-xs text-zinc-500">{r.submittedAt ? <Time value={r.submittedAt} mode="relative" /> : "—"}</TD>
                  <TD>{r.finalized ? <Badge tone="success">Finalised</Badge> : <Badge tone="outline">Open</Badge>}</TD>
                  <TD className="text-right">
                    {r.finalized ? null : (
                      <ButtonLink size="sm" href={reviewHref(orgSlug, projectSlug, queue, `revise/${r.position}`)} aria-label={`Revise item #${r.position}`}>
                        Revise
                      </ButtonLink>
                    )}
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
