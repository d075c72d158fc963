"use client";
// Revising one's own grade of an item that is not finalised yet: the grading workspace, started
// from the submitted grade (or a draft of the revision), saved through `reviews.revise`.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useTRPC } from "@/components/trpc/client";
import { Alert, ButtonLink, PageHeader, Spinner } from "@/components/ui";
import { QueryErrorAlert } from "@/components/lib/error-alert";
import { GradeWorkspace } from "./grade-workspace";
import { reviewHref, type ReviewItemData } from "./model";

type Props = { orgSlug: string; projectSlug: string; projectName: string; queue: string; position: number; userId: string };

export function ReviseView({ orgSlug, projectSlug, projectName, queue, position, userId }: Props) {
  const trpc = useTRPC();
  const router = useRouter();
  const queryClient = useQueryClient();
  const scope = { orgSlug, projectSlug, name: queue, position };
  const item = useQuery({ ...trpc.reviews.item.queryOptions(scope), refetchOnWindowFocus: false });
  const revise = useMutation(trpc.reviews.revise.mutationOptions());
  const mineHref = reviewHref(orgSlug, projectSlug, queue, "mine");

  const header = (
    <PageHeader
      className="mb-4"
      eyebrow={
        <>
          {projectName} ·{" "}
          <Link href={reviewHref(orgSlug, projectSlug)} className="hover:text-zinc-800 hover:underline">
            My reviews
          </Link>{" "}
          ·{" "}
          <Link href={mineHref} className="hover:text-zinc-800 hover:underline">
            {queue}: my grades
          </Link>
        </>
      }
      title={`Revise item #${position}`}
    />
  );

  if (item.isPending) {
    return (
      <>
        {header}
        <div className="py-16 text-center">
          <Spinner label="Loading the item…" />
        </div>
      </>
    );
  }
  if (item.isError) {
    return (
      <>
        {header}
        <div role="region" aria-label="Problem">
          <QueryErrorAlert title={`Could not load item #${position}`} error={item.error} />
        </div>
      </>
    );
  }
  const data = item.data as ReviewItemData;
  const why = data.item.finalized
    ? "This item is finalised; its grades can no longer change."
    : data.mine.status !== "submitted"
      ? "You have not submitted a grade for this item, so there is nothing to revise."
      : null;
  if (why) {
    return (
      <>
        {header}
        <Alert tone="warning" title="Nothing to revise">
          {why}{" "}
          <ButtonLink size="sm" variant="ghost" href={mineHref}>
            Back to my grades
          </ButtonLink>
        </Alert>
      </>
    );
  }

  return (
    <>
      {header}
      <GradeWorkspace
        data={data}
        initialGrade={data.mine.grade}
        draftKey={{ userId, orgSlug, projectSlug, queue, position, mode: "revise" }}
        submitLabel="Save revision"
        submit={(grade) => revise.mutateAsync({ ...scope, grade })}
        onSubmitted={() => {
          void queryClient.invalidateQueries({ queryKey: trpc.reviews.item.queryKey(scope) });
          void queryClient.invalidateQueries({ queryKey: ["review", "my-grades"] });
          router.push(`${mineHref}?revised=${position}`);
        }}
        extraActions={
          <ButtonLink variant="ghost" href={mineHref}>
            Cancel
          </ButtonLink>
        }
      />
    </>
  );
}
