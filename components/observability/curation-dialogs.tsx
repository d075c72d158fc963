"use client";
// From a production trace back into the governed loop: "Add to dataset" (the generation's input as
// the item's input, its output, editable, as the expected output, optional tags) and "Send to
// review queue". Both end with a link to where the item went.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useId, useState, type FormEvent } from "react";
import { MAX_ITEM_TAGS, itemTag } from "@/server/contracts/datasets";
import { useTRPC } from "@/components/trpc/client";
import { Alert, Button, Dialog, Input, Select, Spinner, Textarea } from "@/components/ui";
import { errorInfo } from "@/components/lib/errors";
import { datasetHref } from "@/components/datasets/model";
import { reviewsHref } from "@/components/reviews/model";

type Target = { orgSlug: string; projectSlug: string; traceId: string; /** The generation; undefined: the trace's first. */ spanId?: string; spanName: string };

function parseTags(text: string): { tags: string[]; error: string | null } {
  const tags = [...new Set(text.split(/[,\s]+/).map((t) => t.trim()).filter(Boolean))];
  if (tags.length > MAX_ITEM_TAGS) return { tags, error: `Use at most ${MAX_ITEM_TAGS} tags` };
  for (const tag of tags) {
    const check = itemTag.safeParse(tag);
    if (!check.success) return { tags, error: `Tag "${tag}" ${check.error.issues[0]?.message ?? "is not valid"}` };
  }
  return { tags, error: null };
}

export function AddTraceToDatasetDialog({ open, onClose, target, output }: { open: boolean; onClose: () => void; target: Target; /** The suggested expected output. */ output: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const formId = useId();
  const { orgSlug, projectSlug } = target;
  const datasets = useQuery({ ...trpc.datasets.list.queryOptions({ orgSlug, projectSlug }), enabled: open });
  const [chosen, setChosen] = useState("");
  const [expected, setExpected] = useState(output);
  const [tagsText, setTagsText] = useState("");
  const [errors, setErrors] = useState<{ dataset?: string; tags?: string }>({});
  const [done, setDone] = useState<{ name: string; version: number } | null>(null);
  const add = useMutation(trpc.observability.addToDataset.mutationOptions());
  // Each opening starts afresh with the selected span's output (the dataset choice is kept).
  const [wasOpen, setWasOpen] = useState(open);
  if (open !== wasOpen) {
    setWasOpen(open);
    if (open) {
      setExpected(output);
      setTagsText("");
      setErrors({});
      setDone(null);
    }
  }
  // A reopened dialog starts without the last attempt's error.
  const close = () => {
    add.reset();
    onClose();
  };
  const datasetName = chosen || datasets.data?.[0]?.name || "";

  function onSubmit(e: FormEvent) {
    e.preventDefault();
    const tags = parseTags(tagsText);
    const next = { dataset: datasetName ? undefined : "Choose a dataset", tags: tags.error ?? undefined };
    setErrors(next);
    if (next.dataset || next.tags) return;
    const name = datasetName;
    add.mutate(
      { orgSlug, projectSlug, traceId: target.traceId, spanId: target.spanId, dataset: name, expected: expected.trim() === "" ? null : expected, tags: tags.tags },
      {
        onSuccess: (result) => {
          setDone({ name, version: result.version });
          void queryClient.invalidateQueries({ queryKey: trpc.datasets.pathKey() });
        },
      },
    );
  }

  return (
    <Dialog
      open={open}
      onClose={close}
      size="lg"
      title="Add to dataset"
      description={`Save the generation “${target.spanName}” as a dataset item: its input (the prompt's variables when they were recorded) as the item's input, and an expected output.`}
      footer={
        done ? (
          <Button variant="primary" onClick={close} data-autofocus>
            Done
          </Button>
        ) : (
          <>
            <Button onClick={close}>Cancel</Button>
            <Button variant="primary" type="submit" form={formId} loading={add.isPending} disabled={!datasets.data?.length}>
              Add item
            </Button>
          </>
        )
      }
    >
      {done ? (
        <div role="region" aria-label="Added">
          <Alert tone="success" title={`Added to ${done.name}`}>
            The item is in version {done.version}.{" "}
            <Link href={datasetHref(orgSlug, projectSlug, done.name, null, { v: done.version })} className="font-medium underline">
              Open {done.name}
            </Link>
          </Alert>
        </div>
      ) : (
        <form id={formId} onSubmit={onSubmit} noValidate aria-label="Add to dataset" className="flex flex-col gap-4">
          {add.error ? (
            <div role="region" aria-label="Problems">
              <Alert tone="error" title="Could not add the item">
                {errorInfo(add.error).message}
              </Alert>
            </div>
          ) : null}
          {datasets.isPending ? (
            <Spinner label="Loading datasets…" />
          ) : datasets.isError ? (
            <div role="region" aria-label="Problems loading datasets">
              <Alert tone="error" title="Could not load the datasets">
                {errorInfo(datasets.error).message}
              </Alert>
            </div>
          ) : datasets.data.length === 0 ? (
            <Alert tone="info" title="No datasets yet">
              <Link href={datasetHref(orgSlug, projectSlug)} className="font-medium underline">
                Create a dataset
              </Link>{" "}
              first, then add traces to it.
            </Alert>
          ) : (
            <Select label="Dataset" value={datasetName} onChange={(e) => setChosen(e.target.value)} error={errors.dataset} boxClassName="w-full sm:w-80">
              {datasets.data.map((d) => (
                <option key={d.id} value={d.name}>
                  {d.name} ({d.itemCount.toLocaleString()} {d.itemCount === 1 ? "item" : "items"})
                </option>
              ))}
            </Select>
          )}
          <Textarea
            label="Expected output"
            value={expected}
            onChange={(e) => setExpected(e.target.value)}
            rows={7}
            hint="Prefilled with the generation's output; edit it into the answer you expect, or clear it to store none."
            className="font-mono text-[12.5px]"
          />
          <Input
            label="Tags"
            labelAside={<span className="text-xs text-zinc-400">optional</span>}
            value={tagsText}
            onChange={(e) => setTagsText(e.target.value)}
            error={errors.tags}
            placeholder="production, regression"
            hint="Separate with commas"
            className="font-mono"
          />
        </form>
      )}
    </Dialog>
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
                  {q.name} ({q.items.toLocaleString()} {q.items === 1 ? "item" : "items"})
                </option>
              ))}
            </Select>
          )}
        </form>
      )}
    </Dialog>
  );
}
