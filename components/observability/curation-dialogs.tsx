"use client";
// From a production trace back into the governed loop: "Add to dataset" (the generation's input as
// the item's input, its output, editable, as the expected output, optional tags) and "Send to
// review queue". Both end with a link to where the item went.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useId, useState, type FormEvent } from "react";
import { DatasetItemDialog } from "@/components/datasets/add-to-dataset-dialog";
import { useTRPC } from "@/components/trpc/client";
import { Alert, Button, Dialog, Select, Spinner } from "@/components/ui";
import { errorInfo } from "@/components/lib/errors";
import { reviewsHref } from "@/components/reviews/model";
import { formatCount } from "@/components/lib/format";

type Target = { orgSlug: string; projectSlug: string; traceId: string; /** The generation; undefined: the trace's first. */ spanId?: string; spanName: string };

/** From a trace: the generation's recorded variables (or last user turn) become the item's input, on the server. */
export function AddTraceToDatasetDialog({
  open,
  onClose,
  target,
  output,
}: {
  open: boolean;
  onClose: () => void;
  target: Target;
  /** The suggested expected output. */ output: string;
}) {
  const trpc = useTRPC();
  const add = useMutation(trpc.observability.addToDataset.mutationOptions());
  const { orgSlug, projectSlug } = target;
  return (
    <DatasetItemDialog
      open={open}
      onClose={onClose}
      orgSlug={orgSlug}
      projectSlug={projectSlug}
      description={`Save the generation “${target.spanName}” as a dataset item: its input (the prompt's variables when they were recorded) as the item's input, and an expected output.`}
      output={output}
      expectedHint="Prefilled with the generation's output; edit it into the answer you expect, or clear it to store none."
      things="traces"
      tagsPlaceholder="production, regression"
      saving={add.isPending}
      save={(choice, callbacks) =>
        add.mutate(
          {
            orgSlug,
            projectSlug,
            traceId: target.traceId,
            spanId: target.spanId,
            dataset: choice.dataset,
            expected: choice.expected.trim() === "" ? null : choice.expected,
            tags: choice.tags,
          },
          callbacks,
        )
      }
    />
  );
}

export function SendTraceToQueueDialog({ open, onClose, target }: { open: boolean; onClose: () => void; target: Target }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const formId = useId();
  const { orgSlug, projectSlug } = target;
  const queues = useQuery({ ...trpc.reviews.list.queryOptions({ orgSlug, projectSlug }), enabled: open });
  const [chosen, setChosen] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const send = useMutation(trpc.observability.sendToQueue.mutationOptions());
  const [wasOpen, setWasOpen] = useState(open);
  if (open !== wasOpen) {
    setWasOpen(open);
    if (open) {
      setError(null);
      setDone(null);
    }
  }
  const close = () => {
    send.reset();
    onClose();
  };
  const queueName = chosen || queues.data?.[0]?.name || "";

  function onSubmit(e: FormEvent) {
    e.preventDefault();
    if (!queueName) return setError("Choose a review queue");
    setError(null);
    const name = queueName;
    send.mutate(
      { orgSlug, projectSlug, traceId: target.traceId, spanId: target.spanId, queue: name },
      {
        onSuccess: () => {
          setDone(name);
          void queryClient.invalidateQueries({ queryKey: trpc.reviews.pathKey() });
        },
      },
    );
  }

  return (
    <Dialog
      open={open}
      onClose={close}
      title="Send to review queue"
      description={`Reviewers grade the generation “${target.spanName}”: its input and output, with the trace's feedback and evaluator scores beside them.`}
      footer={
        done ? (
          <Button variant="primary" onClick={close} data-autofocus>
            Done
          </Button>
        ) : (
          <>
            <Button onClick={close}>Cancel</Button>
            <Button variant="primary" type="submit" form={formId} loading={send.isPending} disabled={!queues.data?.length}>
              Send
            </Button>
          </>
        )
      }
    >
      {done ? (
        <div role="region" aria-label="Sent">
          <Alert tone="success" title={`Sent to ${done}`}>
            The generation is in the queue.{" "}
            <Link href={reviewsHref(orgSlug, projectSlug, done)} className="font-medium underline">
              Open {done}
            </Link>
          </Alert>
        </div>
      ) : (
        <form id={formId} onSubmit={onSubmit} noValidate aria-label="Send to review queue" className="flex flex-col gap-4">
          {send.error ? (
            <div role="region" aria-label="Problems">
              <Alert tone="error" title="Could not send the trace">
                {errorInfo(send.error).message}
              </Alert>
            </div>
          ) : null}
          {queues.isPending ? (
            <Spinner label="Loading review queues…" />
          ) : queues.isError ? (
            <div role="region" aria-label="Problems loading queues">
              <Alert tone="error" title="Could not load the review queues">
                {errorInfo(queues.error).message}
              </Alert>
            </div>
          ) : queues.data.length === 0 ? (
            <Alert tone="info" title="No review queues yet">
              <Link href={reviewsHref(orgSlug, projectSlug)} className="font-medium underline">
                Create a review queue
              </Link>{" "}
              first, then send traces to it.
            </Alert>
          ) : (
            <Select label="Review queue" value={queueName} onChange={(e) => setChosen(e.target.value)} error={error} boxClassName="w-full sm:w-80">
              {queues.data.map((q) => (
                <option key={q.name} value={q.name}>
                  {q.name} ({formatCount(q.items)} {q.items === 1 ? "item" : "items"})
                </option>
              ))}
            </Select>
          )}
        </form>
      )}
    </Dialog>
  );
}
