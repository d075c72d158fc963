"use client";
// Grading a queue item after item: `reviews.next` leases an item (or hands back the one the
// reviewer already holds), the workspace grades it, submit or skip loads the next one. The lease
// is shown counting down and renewed every few minutes while the page is open; when it has run
// out the page says so and offers the next item. When nothing is left, the counts say why.
import { skipToken, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useEffect, useEffectEvent, useRef, useState } from "react";
import { useTRPC } from "@/components/trpc/client";
import { Alert, Button, ButtonLink, Card, EmptyState, PageHeader, Spinner } from "@/components/ui";
import { CheckCircleIcon } from "@/components/ui/icons";
import { errorInfo } from "@/components/lib/errors";
import { QueryErrorAlert } from "@/components/lib/error-alert";
import { GradeWorkspace } from "./grade-workspace";
import { LeaseTimer } from "./lease-timer";
import { reviewHref, type ReviewItemData } from "./model";
import { formatCount } from "@/components/lib/format";

type Props = { orgSlug: string; projectSlug: string; projectName: string; queue: string; userId: string };
type Lease = { position: number; leaseUntil: Date; resumed: boolean };

const RENEW_EVERY_MS = 3 * 60_000;

export function GradingView({ orgSlug, projectSlug, projectName, queue, userId }: Props) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  // undefined: asking for an item; null: nothing left for this reviewer.
  const [lease, setLease] = useState<Lease | null | undefined>(undefined);
  const [leaseLost, setLeaseLost] = useState(false);
  const [flash, setFlash] = useState<string | null>(null);
  const scope = { orgSlug, projectSlug, name: queue };

  const next = useMutation(trpc.reviews.next.mutationOptions());
  const submit = useMutation(trpc.reviews.submit.mutationOptions());
  const skip = useMutation(trpc.reviews.skip.mutationOptions());
  const renew = useMutation(trpc.reviews.renew.mutationOptions());
  const item = useQuery({
    ...trpc.reviews.item.queryOptions(lease ? { ...scope, position: lease.position } : skipToken),
    staleTime: Infinity,
    refetchOnWindowFocus: false,
  });
  const mine = useQuery({ ...trpc.reviews.mine.queryOptions({ orgSlug, projectSlug }), enabled: lease === null });
  const counts = mine.data?.find((q) => q.name === queue);

  async function takeNext() {
    setLease(undefined);
    setLeaseLost(false);
    try {
      const r = await next.mutateAsync(scope);
      setLease(r ? { position: r.position, leaseUntil: new Date(r.leaseUntil), resumed: r.resumed } : null);
      if (!r) void queryClient.invalidateQueries({ queryKey: trpc.reviews.mine.queryKey() });
    } catch {
      // next.error is shown below.
    }
  }

  const start = useEffectEvent(() => void takeNext());
  const started = useRef(false);
  useEffect(() => {
    if (started.current) return;
    started.current = true;
    start();
  }, []);

  // Keep the lease alive while the page is open.
  const leaseSeconds = item.data?.queue.leaseSeconds ?? 600;
  const renewNow = useEffectEvent(async () => {
    if (!lease || leaseLost) return;
    try {
      const r = await renew.mutateAsync({ ...scope, position: lease.position });
      setLease((l) => (l && l.position === lease.position ? { ...l, leaseUntil: new Date(r.leaseUntil) } : l));
    } catch (error) {
      if (errorInfo(error).code === "CONFLICT") setLeaseLost(true);
    }
  });
  const position = lease?.position;
  useEffect(() => {
    if (position === undefined || leaseLost) return;
    const timer = setInterval(() => void renewNow(), Math.min(RENEW_EVERY_MS, (leaseSeconds * 1000) / 3));
    return () => clearInterval(timer);
  }, [position, leaseLost, leaseSeconds]);

  const header = (
    <PageHeader
      className="mb-4"
      eyebrow={
        <>
          {projectName} ·{" "}
          <Link href={reviewHref(orgSlug, projectSlug)} className="hover:text-zinc-800 hover:underline">
            My reviews
          </Link>
        </>
      }
      title={queue}
      actions={
        <>
          {lease && !leaseLost ? <LeaseTimer until={lease.leaseUntil} onExpired={() => setLeaseLost(true)} /> : null}
          <ButtonLink href={reviewHref(orgSlug, projectSlug, queue, "mine")}>My grades</ButtonLink>
        </>
      }
    />
  );

  const flashBox = flash ? (
    <div role="region" aria-label="Last action" className="mb-4">
      <Alert tone="success">{flash}</Alert>
    </div>
  ) : null;

  if (next.isError && lease === undefined) {
    return (
      <>
        {header}
        <div role="region" aria-label="Problem" className="flex flex-col items-start gap-3">
          <QueryErrorAlert title="Could not get an item" error={next.error} />
          <Button onClick={() => void takeNext()}>Try again</Button>
        </div>
      </>
    );
  }

  if (lease === null) {
    return (
      <>
        {header}
        {flashBox}
        <Card as="div">
          <EmptyState
            icon={<CheckCircleIcon size={18} />}
            title="Nothing left for you in this queue"
            description={
              counts ? (
                <>
                  You graded {formatCount(counts.gradedByMe)} of {formatCount(counts.items)} {counts.items === 1 ? "item" : "items"};{" "}
                  {formatCount(counts.finalized)} {counts.finalized === 1 ? "is" : "are"} finalised.
                  {counts.gradedByMe < counts.items
                    ? " The rest are with other reviewers or already have the reviews they need; an item can come back here if a lease runs out."
                    : null}
                </>
              ) : mine.isPending ? (
                "Counting…"
              ) : (
                "Every item you could take is graded or with other reviewers."
              )
            }
            action={
              <div className="flex flex-wrap justify-center gap-2">
                <Button onClick={() => (setFlash(null), void takeNext())}>Check again</Button>
                <ButtonLink href={reviewHref(orgSlug, projectSlug, queue, "mine")}>My grades</ButtonLink>
                <ButtonLink variant="primary" href={reviewHref(orgSlug, projectSlug)}>
                  Back to my queues
                </ButtonLink>
              </div>
            }
          />
        </Card>
      </>
    );
  }

  if (lease === undefined || item.isPending) {
    return (
      <>
        {header}
        {flashBox}
        <div className="py-16 text-center">
          <Spinner label={flash ? "Loading the next item…" : "Finding an item for you…"} />
        </div>
      </>
    );
  }

  if (item.isError) {
    return (
      <>
        {header}
        <div role="region" aria-label="Problem" className="flex flex-col items-start gap-3">
          <QueryErrorAlert title={`Could not load item #${lease.position}`} error={item.error} />
          <Button onClick={() => void takeNext()}>Take the next item</Button>
        </div>
      </>
    );
  }

  const data = item.data as ReviewItemData;
  const current = lease.position;
  const afterwards = (message: string) => {
    setFlash(message);
    void queryClient.invalidateQueries({ queryKey: trpc.reviews.mine.queryKey() });
    queryClient.removeQueries({ queryKey: trpc.reviews.item.queryKey({ ...scope, position: current }) });
    void takeNext();
  };

  return (
    <>
      {header}
      {flashBox}
      {leaseLost ? (
        <div role="region" aria-label="Lease" className="mb-4">
          <Alert tone="warning" live title={`Your lease on item #${current} has run out`}>
            <span className="flex flex-wrap items-center justify-between gap-2">
              <span>Another reviewer may take this item now. You can still submit: the grade is saved unless someone else has taken your place.</span>
              <Button size="sm" onClick={() => (setFlash(null), void takeNext())}>
                Take the next item
              </Button>
            </span>
          </Alert>
        </div>
      ) : null}
      <GradeWorkspace
        key={current}
        data={data}
        draftKey={{ userId, orgSlug, projectSlug, queue, position: current, mode: "grade" }}
        submitLabel="Submit"
        submit={(grade) => submit.mutateAsync({ ...scope, position: current, grade })}
        onSubmitted={() => afterwards(`Saved your grade for item #${current}.`)}
        skip={() => skip.mutateAsync({ ...scope, position: current })}
        onSkipped={() => afterwards(`Skipped item #${current}; it goes to another reviewer.`)}
        onTakeNext={() => (setFlash(null), void takeNext())}
      />
    </>
  );
}
