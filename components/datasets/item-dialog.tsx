"use client";
// One item: its content in the version being viewed, where it came from and its revisions; on
// the latest version, writers edit it (form or JSON). Also the "Add item" dialog.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useId, useState } from "react";
import { useTRPC } from "@/components/trpc/client";
import { Badge, Button, Dialog, Spinner, ScrollArea } from "@/components/ui";
import { PencilIcon } from "@/components/ui/icons";
import { QueryErrorAlert } from "@/components/lib/error-alert";
import { Time } from "@/components/lib/time";
import { ItemEditor } from "./item-editor";
import { pretty, SOURCE_LABELS, type ItemContentValue } from "./model";

/** A revision still live has no end (null, or the largest int as the store may write it). */
const stillLive = (validTo: number | null | undefined) => validTo === null || validTo === undefined || validTo >= 2_147_483_647;

type Common = { orgSlug: string; projectSlug: string; name: string };

/** Refreshes everything a change to items can affect. */
export function useInvalidateDataset({ orgSlug, projectSlug, name }: Common) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  return () =>
    Promise.all([
      queryClient.invalidateQueries({ queryKey: trpc.datasets.get.queryKey({ orgSlug, projectSlug, name }) }),
      queryClient.invalidateQueries({ queryKey: trpc.datasets.items.queryKey() }),
      queryClient.invalidateQueries({ queryKey: trpc.datasets.item.queryKey() }),
      queryClient.invalidateQueries({ queryKey: trpc.datasets.tags.queryKey() }),
      queryClient.invalidateQueries({ queryKey: trpc.datasets.fields.queryKey() }),
      queryClient.invalidateQueries({ queryKey: trpc.datasets.versions.queryKey() }),
      queryClient.invalidateQueries({ queryKey: trpc.datasets.list.queryKey() }),
    ]);
}

function Block({ title, children }: { title: string; children: React.ReactNode }) {
  return (
    <section className="flex flex-col gap-1.5">
      <h3 className="text-[13px] font-medium text-zinc-800">{title}</h3>
      {children}
    </section>
  );
}

function JsonBlock({ value, label }: { value: unknown; label: string }) {
  return (
    <ScrollArea
      as="pre"
      label={label}
      className="max-h-72 overflow-auto rounded-md border border-zinc-200 bg-zinc-50 px-3 py-2 font-mono text-xs leading-5 whitespace-pre-wrap text-zinc-800"
    >
      {pretty(value)}
    </ScrollArea>
  );
}

export function ItemDialog({
  orgSlug,
  projectSlug,
  name,
  itemId,
  version,
  canEdit,
  onClose,
  onSaved,
}: Common & { itemId: string; version: number; canEdit: boolean; onClose: () => void; onSaved: (version: number | null) => void }) {
  const trpc = useTRPC();
  const formId = useId();
  const [editing, setEditing] = useState(false);
  const invalidate = useInvalidateDataset({ orgSlug, projectSlug, name });
  const item = useQuery(trpc.datasets.item.queryOptions({ orgSlug, projectSlug, name, itemId, version }));
  const update = useMutation(
    trpc.datasets.updateItem.mutationOptions({
      onSuccess: async (result) => {
        await invalidate();
        setEditing(false);
        onSaved(result.version);
      },
    }),
  );
  const current = item.data?.current ?? null;
  const position = current?.position ?? item.data?.revisions[0]?.position;

  return (
    <Dialog
      open
      onClose={onClose}
      size="xl"
      closeOnBackdrop={!editing}
      title={position ? `Item #${position}` : "Item"}
      description={editing ? "Saving makes a new version of the dataset; earlier versions keep the old content." : `As it is in version ${version}.`}
      footer={
        editing ? (
          <>
            {/* Keys keep React from reusing the Edit button as the submit button mid-click. */}
            <Button key="cancel" onClick={() => (update.reset(), setEditing(false))}>
              Cancel
            </Button>
            <Button key="save" variant="primary" type="submit" form={formId} loading={update.isPending}>
              Save new version
            </Button>
          </>
        ) : (
          <>
            <Button key="close" onClick={onClose}>
              Close
            </Button>
            {canEdit && current ? (
              <Button key="edit" variant="primary" icon={<PencilIcon size={14} />} onClick={() => setEditing(true)}>
                Edit
              </Button>
            ) : null}
          </>
        )
      }
    >
      {item.isPending ? (
        <Spinner label="Loading the item…" />
      ) : item.isError ? (
        <QueryErrorAlert title="Could not load the item" error={item.error} />
      ) : editing && current ? (
        <ItemEditor
          formId={formId}
          initial={current as ItemContentValue}
          serverError={update.error}
          messagePlaceholder={`Edit item #${current.position}`}
          onSubmit={(content, message) => update.mutate({ orgSlug, projectSlug, name, itemId, content, message })}
        />
      ) : (
        <div className="grid gap-5 lg:grid-cols-[minmax(0,1fr)_16rem]">
          <div className="flex min-w-0 flex-col gap-4">
            {current ? (
              <>
                <Block title="Input">
                  <dl className="divide-y divide-zinc-100 rounded-md border border-zinc-200">
                    {Object.entries(current.input).map(([k, v]) => (
                      <div key={k} className="grid grid-cols-[10rem_minmax(0,1fr)] gap-3 px-3 py-2">
                        <dt className="truncate font-mono text-xs font-medium text-zinc-600" title={k}>
                          {k}
                        </dt>
                        <dd
                          className={
                            typeof v === "string" ? "text-[13px] whitespace-pre-wrap text-zinc-800" : "font-mono text-xs whitespace-pre-wrap text-zinc-800"
                          }
                        >
                          {pretty(v)}
                        </dd>
                      </div>
                    ))}
                    {Object.keys(current.input).length === 0 ? <p className="px-3 py-2 text-xs text-zinc-500">Empty input</p> : null}
                  </dl>
                </Block>
                <Block title="Expected output">
                  {current.expected === null || current.expected === undefined ? (
                    <p className="text-xs text-zinc-500">None</p>
                  ) : typeof current.expected === "string" ? (
                    <p className="rounded-md border border-zinc-200 px-3 py-2 text-[13px] whitespace-pre-wrap text-zinc-800">{current.expected}</p>
                  ) : (
                    <JsonBlock value={current.expected} label="Expected output (JSON)" />
                  )}
                </Block>
                <Block title="Metadata">
                  {Object.keys(current.metadata).length ? (
                    <JsonBlock value={current.metadata} label="Metadata" />
                  ) : (
                    <p className="text-xs text-zinc-500">None</p>
                  )}
                </Block>
              </>
            ) : (
              <p className="text-[13px] text-zinc-600">This item is not in version {version}: it was added later or archived before.</p>
            )}
          </div>
          <aside className="flex min-w-0 flex-col gap-4 text-[13px]">
            {current ? (
              <>
                <Block title="Tags">
                  {current.tags.length ? (
                    <ul className="flex flex-wrap gap-1" aria-label="Tags">
                      {current.tags.map((t) => (
                        <li key={t}>
                          <Badge tone="outline">{t}</Badge>
                        </li>
                      ))}
                    </ul>
                  ) : (
                    <p className="text-xs text-zinc-500">None</p>
                  )}
                </Block>
                <Block title="Source">
                  <p className="text-zinc-700">
                    {SOURCE_LABELS[current.sourceType]}
                    {current.sourceRef ? (
                      <span className="block truncate font-mono text-xs text-zinc-500" title={current.sourceRef}>
                        {current.sourceRef}
                      </span>
                    ) : null}
                  </p>
                </Block>
              </>
            ) : null}
            <Block title="Revisions">
              <ol className="flex flex-col divide-y divide-zinc-100 rounded-md border border-zinc-200" aria-label="Revisions">
                {item.data.revisions.map((r, i) => {
                  const until = stillLive(r.validTo) ? null : (r.validTo as number);
                  const live = r.validFrom <= version && (until === null || until > version);
                  return (
                    <li key={r.validFrom} className={live ? "bg-accent-soft/40 px-2.5 py-1.5" : "px-2.5 py-1.5"} aria-current={live ? "true" : undefined}>
                      <span className="block font-mono text-xs text-zinc-800">
                        {until === null ? `v${r.validFrom} onwards` : until - 1 === r.validFrom ? `v${r.validFrom} only` : `v${r.validFrom}–v${until - 1}`}
                        {until !== null && i === 0 ? " (then archived)" : ""}
                      </span>
                      <Time value={r.createdAt} mode="relative" className="text-[11px] text-zinc-500" />
                    </li>
                  );
                })}
              </ol>
            </Block>
          </aside>
        </div>
      )}
    </Dialog>
  );
}

export function AddItemDialog({
  orgSlug,
  projectSlug,
  name,
  suggestedKeys,
  onClose,
  onSaved,
}: Common & { suggestedKeys: string[]; onClose: () => void; onSaved: (version: number) => void }) {
  const trpc = useTRPC();
  const formId = useId();
  const invalidate = useInvalidateDataset({ orgSlug, projectSlug, name });
  const add = useMutation(
    trpc.datasets.addItems.mutationOptions({
      onSuccess: async (result) => {
        await invalidate();
        onSaved(result.version);
        onClose();
      },
    }),
  );
  return (
    <Dialog
      open
      onClose={onClose}
      size="lg"
      closeOnBackdrop={false}
      title="Add item"
      description="The item is added in a new version of the dataset."
      footer={
        <>
          <Button onClick={onClose}>Cancel</Button>
          <Button variant="primary" type="submit" form={formId} loading={add.isPending}>
            Add item
          </Button>
        </>
      }
    >
      <ItemEditor
        formId={formId}
        initial={null}
        suggestedKeys={suggestedKeys}
        serverError={add.error}
        messagePlaceholder="Add an item"
        onSubmit={(content, message) => add.mutate({ orgSlug, projectSlug, name, items: [content], message, source: { type: "manual", ref: null } })}
      />
    </Dialog>
  );
}
