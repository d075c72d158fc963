"use client";
// One review queue for its leads: settings, progress (overall and per reviewer, with gold
// accuracy), and the items with their reviews side by side. Leads see every grade whatever
// `blind` says (blind hides grades from other reviewers only). The state filter and page are in
// the address. Managers add items, choose reviewers, mark gold items and adjudicate
// disagreements; everyone else with review:read only reads.
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { createColumnHelper, tableFeatures, useTable } from "@tanstack/react-table";
import Link from "next/link";
import { useMemo, useState } from "react";
import type { Grade, Rubric } from "@/server/contracts/reviews";
import { useTRPC } from "@/components/trpc/client";
import {
  Alert,
  Badge,
  Button,
  ButtonLink,
  Card,
  CardBody,
  CardHeader,
  EmptyState,
  PageHeader,
  Spinner,
  Stat,
  TBody,
  TD,
  TH,
  THead,
  TR,
  Table,
  buttonClasses,
  cn,
  ScrollArea,
} from "@/components/ui";
import { formatCount } from "@/components/lib/format";
import { ClipboardCheckIcon, DatabaseIcon, DownloadIcon, PlusIcon, StarIcon, UsersIcon } from "@/components/ui/icons";
import { QueryErrorAlert } from "@/components/lib/error-alert";
import { HistoryLink } from "@/components/audit/history-link";
import { preview } from "@/components/datasets/model";
import { Pagination } from "@/components/ui/pagination";
import { AddItemsDialog, AddToDatasetDialog, AdjudicateDialog, GoldDialog, ReviewersDialog, ReviewsGrid, type QueueItem } from "./queue-dialogs";
import { gradeSummary, ITEM_STATES, percent, reviewsHref, seconds, STATE_COUNT_SUFFIX, STATE_LABELS, STATE_TONES, TYPE_LABELS, type ItemState } from "./model";
import { useUrlParams } from "@/components/lib/url-params";

type Props = { orgSlug: string; projectSlug: string; projectName: string; name: string; canManage: boolean };

type Row = QueueItem;

const features = tableFeatures({});
const helper = createColumnHelper<typeof features, Row>();
const NO_ROWS: Row[] = [];

export function QueueView({ orgSlug, projectSlug, projectName, name, canManage }: Props) {
  const trpc = useTRPC();
  const { searchParams, setParams } = useUrlParams();
  const stateParam = searchParams.get("state") ?? "";
  const state = (ITEM_STATES as readonly string[]).includes(stateParam) ? (stateParam as ItemState) : undefined;
  const pageParam = Number(searchParams.get("page"));
  const page = Number.isInteger(pageParam) && pageParam > 1 ? pageParam : 1;
  const sizeParam = Number(searchParams.get("size"));
  const pageSize = sizeParam === 50 || sizeParam === 100 ? sizeParam : 25;
  const [dialog, setDialog] = useState<
    { kind: "add" } | { kind: "dataset" } | { kind: "reviewers" } | { kind: "gold"; item: Row } | { kind: "adjudicate"; item: Row } | null
  >(null);
  const [saved, setSaved] = useState<string | null>(null);

  // Progress moves while reviewers work: refresh it now and then.
  const queue = useQuery({ ...trpc.reviews.get.queryOptions({ orgSlug, projectSlug, name }), refetchInterval: 15_000 });
  const items = useQuery({ ...trpc.reviews.items.queryOptions({ orgSlug, projectSlug, name, page, pageSize, state }), placeholderData: keepPreviousData });
  const rubric = useMemo(() => (queue.data?.rubric ?? []) as Rubric, [queue.data?.rubric]);

  const columns = useMemo(
    () =>
      helper.columns([
        helper.accessor("position", { header: "#", cell: ({ getValue }) => <span className="font-mono text-xs text-zinc-500">{getValue()}</span> }),
        helper.accessor("state", {
          header: "State",
          cell: ({ row, getValue }) => {
            const s = getValue() as ItemState;
            return (
              <span className="flex flex-col items-start gap-1">
                <Badge tone={STATE_TONES[s] ?? "neutral"}>{STATE_LABELS[s] ?? s}</Badge>
                {row.original.gold ? (
                  <Badge tone="accent">
                    <StarIcon size={10} />
                    Gold
                  </Badge>
                ) : null}
              </span>
            );
          },
        }),
        helper.display({
          id: "content",
          header: "Input and output",
          cell: ({ row }) => (
            <div className="max-w-[24rem] min-w-56">
              <p className="truncate text-zinc-800" title={preview(row.original.input, 600)}>
                {preview(row.original.input, 160) || "—"}
              </p>
              <p className="mt-0.5 line-clamp-2 text-xs text-zinc-500">
                <span className="font-medium text-zinc-500">Output: </span>
                {preview(row.original.output, 240) || "—"}
              </p>
            </div>
          ),
        }),
        helper.display({
          id: "reviews",
          header: "Reviews",
          cell: ({ row }) => (
            <ReviewsGrid rubric={rubric} reviews={row.original.reviews} differing={row.original.differing} position={row.original.position} compact />
          ),
        }),
        helper.display({
          id: "final",
          header: "Final grade",
          cell: ({ row }) => {
            const r = row.original;
            if (!r.finalGrade) return <span className="text-xs text-zinc-500">—</span>;
            return (
              <div className="max-w-56 text-xs">
                <p className="text-zinc-800">{gradeSummary(rubric, r.finalGrade as Grade)}</p>
                <p className="mt-0.5 text-zinc-500">
                  {r.finalSource === "adjudicated"
                    ? "Adjudicated"
                    : r.finalSource === "consensus"
                      ? "Consensus"
                      : r.finalSource === "single"
                        ? "Single review"
                        : r.finalSource}
                </p>
                {r.adjudicationNote ? <p className="mt-0.5 line-clamp-2 text-zinc-600 italic">“{r.adjudicationNote}”</p> : null}
              </div>
            );
          },
        }),
        ...(canManage
          ? [
              helper.display({
                id: "actions",
                header: () => <span className="sr-only">Actions</span>,
                cell: ({ row }) => (
                  <div className="flex justify-end gap-1.5">
                    {row.original.state === "disagreement" ? (
                      <Button
                        size="sm"
                        variant="primary"
                        aria-label={`Adjudicate item #${row.original.position}`}
                        onClick={() => setDialog({ kind: "adjudicate", item: row.original })}
                      >
                        Adjudicate
                      </Button>
                    ) : null}
                    <Button
                      size="sm"
                      variant="ghost"
                      icon={<StarIcon size={12} />}
                      aria-label={row.original.gold ? `Gold… (gold grade of item #${row.original.position})` : `Mark gold (item #${row.original.position})`}
                      onClick={() => setDialog({ kind: "gold", item: row.original })}
                    >
                      {row.original.gold ? "Gold…" : "Mark gold"}
                    </Button>
                  </div>
                ),
              }),
            ]
          : []),
      ]),
    [canManage, rubric],
  );

  const table = useTable({ features, columns, data: items.data?.items ?? NO_ROWS, getRowId: (row) => String(row.position) });
  const rows = table.getRowModel().rows;

  if (queue.isPending) return <Spinner label="Loading the queue…" />;
  if (queue.isError) return <QueryErrorAlert title="Could not load the queue" error={queue.error} />;
  const q = queue.data;
  const p = q.progress;
  const needsSetup = canManage && (p.items === 0 || q.reviewers.length === 0);

  return (
    <>
      <PageHeader
        eyebrow={
          <>
            {projectName} ·{" "}
            <Link href={reviewsHref(orgSlug, projectSlug)} className="hover:text-zinc-800 hover:underline">
              Reviews
            </Link>
          </>
        }
        title={q.name}
        description={q.description || undefined}
        actions={
          <>
            <HistoryLink orgSlug={orgSlug} targetType="review_queue" targetId={q.id} />
            <ButtonLink href={reviewsHref(orgSlug, projectSlug, q.name, "agreement")}>Agreement</ButtonLink>
            <a className={buttonClasses({})} href={`/api/reviews/${orgSlug}/${projectSlug}/${encodeURIComponent(q.name)}/export?format=csv`} download>
              <DownloadIcon size={14} />
              Grades CSV
            </a>
            <a className={buttonClasses({})} href={`/api/reviews/${orgSlug}/${projectSlug}/${encodeURIComponent(q.name)}/export?format=jsonl`} download>
              <DownloadIcon size={14} />
              JSONL
            </a>
            {canManage ? (
              <>
                <Button icon={<DatabaseIcon size={14} />} disabled={q.progress.finalized === 0} onClick={() => setDialog({ kind: "dataset" })}>
                  Add to dataset
                </Button>
                <Button icon={<UsersIcon size={14} />} onClick={() => setDialog({ kind: "reviewers" })}>
                  Reviewers
                </Button>
                <Button variant="primary" icon={<PlusIcon size={14} />} onClick={() => setDialog({ kind: "add" })}>
                  Add items
                </Button>
              </>
            ) : null}
          </>
        }
      />
      {saved ? (
        <Alert tone="success" className="mb-4">
          {saved}
        </Alert>
      ) : null}
      {needsSetup ? (
        <Alert tone="info" className="mb-4" title="Next: fill the queue and choose its reviewers">
          {p.items === 0 ? "Add items from an evaluation run or a dataset. " : null}
          {q.reviewers.length === 0 ? "Choose reviewers: they see only the queues they are assigned to." : null}
        </Alert>
      ) : null}

      <div className="mb-4 grid items-start gap-4 lg:grid-cols-[1fr_20rem]">
        <Card aria-labelledby="progress-title">
          <CardHeader
            title="Progress"
            titleId="progress-title"
            description={p.medianSeconds !== null ? `Median time per review: ${seconds(p.medianSeconds)}` : undefined}
          />
          <CardBody className="py-4">
            <OverallBar items={p.items} finalized={p.finalized} inProgress={p.inProgress} />
            <dl className="mt-4 grid grid-cols-3 gap-x-4 gap-y-3 sm:grid-cols-6">
              <Stat label="Items" look="figure">
                {formatCount(p.items)}
              </Stat>
              <Stat label="Finalized" tone="text-emerald-700" look="figure">
                {formatCount(p.finalized)}
              </Stat>
              <Stat label="In progress" tone="text-accent" look="figure">
                {formatCount(p.inProgress)}
              </Stat>
              <Stat label="Remaining" look="figure">
                {formatCount(p.remaining)}
              </Stat>
              <Stat label="Reviews submitted" look="figure">
                {formatCount(p.reviewsSubmitted)}
              </Stat>
              <Stat label="Gold items" look="figure">
                {formatCount(p.gold)}
              </Stat>
            </dl>
          </CardBody>
          {p.reviewers.length ? (
            <div className="border-t border-zinc-200">
              <Table caption={`Progress per reviewer of ${q.name}`}>
                <THead>
                  <TR>
                    <TH>Reviewer</TH>
                    <TH className="text-right">Done</TH>
                    <TH className="text-right">In progress</TH>
                    <TH className="text-right">Skipped</TH>
                    <TH className="text-right">Median time</TH>
                    <TH className="text-right">Gold accuracy</TH>
                  </TR>
                </THead>
                <TBody>
                  {p.reviewers.map((r) => (
                    <TR key={r.reviewerId}>
                      <TD className="text-zinc-800">{r.email}</TD>
                      <TD className="text-right tabular-nums">{r.done}</TD>
                      <TD className="text-right tabular-nums">{r.inProgress}</TD>
                      <TD className="text-right tabular-nums">{r.skipped}</TD>
                      <TD className="text-right tabular-nums">{seconds(r.medianSeconds)}</TD>
                      <TD className="text-right tabular-nums">
                        {r.goldAccuracy === null ? (
                          <span className="text-xs text-zinc-500">no gold graded</span>
                        ) : (
                          <>
                            <span className={r.goldAccuracy < 0.7 ? "font-medium text-red-700" : "text-zinc-800"}>{percent(r.goldAccuracy)}</span>
                            <span className="ml-1 text-xs text-zinc-500">of {r.goldItems}</span>
                          </>
                        )}
                      </TD>
                    </TR>
                  ))}
                </TBody>
              </Table>
            </div>
          ) : (
            <p className="border-t border-zinc-200 px-4 py-3 text-[13px] text-zinc-500">No reviewers assigned yet.</p>
          )}
        </Card>

        <Card aria-labelledby="settings-title">
          <CardHeader title="Settings" titleId="settings-title" />
          <CardBody className="py-3">
            <dl className="grid grid-cols-[auto_1fr] gap-x-4 gap-y-1.5 text-[13px]">
              <dt className="text-zinc-500">Reviews per item</dt>
              <dd className="text-zinc-800 tabular-nums">{q.reviewsPerItem}</dd>
              <dt className="text-zinc-500">Blind</dt>
              <dd className="text-zinc-800">{q.blind ? "Yes: reviewers do not see others' grades" : "No"}</dd>
              <dt className="text-zinc-500">Automatic scores</dt>
              <dd className="text-zinc-800">{q.showAutoScores ? "Shown to reviewers" : "Hidden from reviewers"}</dd>
              <dt className="text-zinc-500">Lease</dt>
              <dd className="text-zinc-800">{Math.round(q.leaseSeconds / 60)} min</dd>
              <dt className="text-zinc-500">Reviewers</dt>
              <dd className="text-zinc-800">{q.reviewers.length ? q.reviewers.map((r) => r.email).join(", ") : "none"}</dd>
            </dl>
            <h3 className="mt-4 mb-1.5 text-xs font-semibold text-zinc-700">Rubric</h3>
            <ul className="flex flex-col gap-1 text-[13px]">
              {rubric.map((d) => (
                <li key={d.key} className="flex flex-wrap items-baseline gap-x-1.5">
                  <span className="text-zinc-800">{d.label}</span>
                  <span className="text-xs text-zinc-500">
                    {TYPE_LABELS[d.type]}
                    {d.type === "numeric" ? ` ${d.min}–${d.max}` : d.type === "categorical" ? `: ${d.options.map((o) => o.label).join(" / ")}` : ""}
                    {!d.required ? " · optional" : ""}
                  </span>
                </li>
              ))}
            </ul>
            {q.guidelines ? (
              <details className="mt-3 text-[13px]">
                <summary className="cursor-pointer text-xs font-semibold text-zinc-700">Guidelines</summary>
                <ScrollArea as="pre" className="mt-1.5 max-h-64 overflow-auto rounded bg-zinc-50 p-2 font-sans text-xs whitespace-pre-wrap text-zinc-700">
                  {q.guidelines}
                </ScrollArea>
              </details>
            ) : null}
          </CardBody>
        </Card>
      </div>

      <Card aria-labelledby="items-title">
        <div className="flex flex-wrap items-center justify-between gap-3 border-b border-zinc-200 px-4 py-3">
          <div className="flex min-h-7 items-center gap-3">
            <h2 id="items-title" className="text-sm font-semibold text-zinc-900">
              {items.data
                ? `${formatCount(items.data.total)} ${items.data.total === 1 ? "item" : "items"}${state ? ` ${STATE_COUNT_SUFFIX[state]}` : ""}`
                : "Items"}
            </h2>
            {items.isFetching && !items.isPending ? <Spinner size={12} /> : null}
          </div>
          <nav aria-label="Item state" className="flex rounded-md border border-zinc-300 bg-white p-0.5 shadow-xs">
            {[undefined, ...ITEM_STATES].map((s) => (
              <Link
                key={s ?? "all"}
                href={reviewsHref(orgSlug, projectSlug, q.name, undefined, { state: s, size: pageSize !== 25 ? String(pageSize) : undefined })}
                replace
                scroll={false}
                aria-current={state === s ? "page" : undefined}
                className={cn(
                  "rounded px-2.5 py-1 text-xs font-medium transition-colors",
                  state === s ? "bg-zinc-900 text-white" : "text-zinc-600 hover:bg-zinc-100 hover:text-zinc-900",
                )}
              >
                {s ? STATE_LABELS[s] : "All"}
              </Link>
            ))}
          </nav>
        </div>
        {items.isPending ? (
          <div className="px-4 py-10 text-center">
            <Spinner label="Loading items…" />
          </div>
        ) : items.isError ? (
          <div className="p-4">
            <QueryErrorAlert title="Could not load the items" error={items.error} />
          </div>
        ) : rows.length === 0 ? (
          <EmptyState
            icon={<ClipboardCheckIcon />}
            title={state ? `No ${STATE_LABELS[state].toLowerCase()} items` : "No items yet"}
            description={
              state ? undefined : canManage ? "Add outputs from an evaluation run or items from a dataset." : "Editors fill the queue; items will appear here."
            }
            action={
              !state && canManage ? (
                <Button size="sm" variant="primary" icon={<PlusIcon size={14} />} onClick={() => setDialog({ kind: "add" })}>
                  Add items
                </Button>
              ) : null
            }
          />
        ) : (
          <Table caption={`Items of ${q.name}${state ? ` (${STATE_LABELS[state]})` : ""}`}>
            <thead className="border-b border-zinc-200 bg-zinc-50/80">
              {table.getHeaderGroups().map((group) => (
                <tr key={group.id}>
                  {group.headers.map((header) => (
                    <th key={header.id} scope="col" className="h-8 px-3 text-xs font-medium whitespace-nowrap text-zinc-500 first:pl-4 last:pr-4">
                      {header.isPlaceholder ? null : <table.FlexRender header={header} />}
                    </th>
                  ))}
                </tr>
              ))}
            </thead>
            <tbody className="divide-y divide-zinc-100">
              {rows.map((row) => (
                <tr key={row.id} className={cn("align-top", row.original.state === "disagreement" && "bg-amber-50/30")}>
                  {row.getAllCells().map((cell) => (
                    <td key={cell.id} className="px-3 py-2.5 text-zinc-700 first:pl-4 last:pr-4">
                      <table.FlexRender cell={cell} />
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </Table>
        )}
        {items.data && items.data.total > 0 ? (
          <Pagination
            page={items.data.page}
            pageSize={pageSize}
            total={items.data.total}
            onPage={(n) => setParams({ page: n > 1 ? n : undefined })}
            onPageSize={(s) => setParams({ size: s === 25 ? undefined : s, page: undefined })}
          />
        ) : null}
      </Card>

      {dialog?.kind === "dataset" ? (
        <AddToDatasetDialog
          orgSlug={orgSlug}
          projectSlug={projectSlug}
          name={q.name}
          finalized={q.progress.finalized}
          onClose={() => setDialog(null)}
          onSaved={(m) => (setDialog(null), setSaved(m))}
        />
      ) : null}
      {dialog?.kind === "add" ? (
        <AddItemsDialog
          orgSlug={orgSlug}
          projectSlug={projectSlug}
          name={q.name}
          onClose={() => setDialog(null)}
          onAdded={(m) => (setDialog(null), setSaved(m))}
        />
      ) : null}
      {dialog?.kind === "reviewers" ? (
        <ReviewersDialog
          orgSlug={orgSlug}
          projectSlug={projectSlug}
          name={q.name}
          current={q.reviewers.map((r) => r.id)}
          onClose={() => setDialog(null)}
          onSaved={(m) => (setDialog(null), setSaved(m))}
        />
      ) : null}
      {dialog?.kind === "gold" ? (
        <GoldDialog
          orgSlug={orgSlug}
          projectSlug={projectSlug}
          name={q.name}
          rubric={rubric}
          item={dialog.item}
          onClose={() => setDialog(null)}
          onSaved={(m) => (setDialog(null), setSaved(m))}
        />
      ) : null}
      {dialog?.kind === "adjudicate" ? (
        <AdjudicateDialog
          orgSlug={orgSlug}
          projectSlug={projectSlug}
          name={q.name}
          rubric={rubric}
          item={dialog.item}
          onClose={() => setDialog(null)}
          onSaved={(m) => (setDialog(null), setSaved(m))}
        />
      ) : null}
    </>
  );
}

/** Finalized, in progress and remaining as one bar. */
function OverallBar({ items, finalized, inProgress }: { items: number; finalized: number; inProgress: number }) {
  const f = items ? finalized / items : 0;
  const ip = items ? Math.min(1 - f, inProgress / items) : 0;
  return (
    <div>
      <div
        role="progressbar"
        aria-label="Items finalized"
        aria-valuemin={0}
        aria-valuemax={items}
        aria-valuenow={finalized}
        aria-valuetext={`${finalized} of ${items} items finalized, ${inProgress} in progress, ${items - finalized} remaining`}
        className="relative h-3 overflow-hidden rounded-full bg-zinc-200"
      >
        <div className="absolute inset-y-0 left-0 bg-emerald-500" style={{ width: `${f * 100}%` }} />
        <div className="absolute inset-y-0 bg-accent/60" style={{ left: `${f * 100}%`, width: `${ip * 100}%` }} />
      </div>
      <p aria-hidden="true" className="mt-1.5 flex flex-wrap gap-x-4 text-xs text-zinc-500">
        <span className="flex items-center gap-1.5">
          <span className="size-2 rounded-full bg-emerald-500" /> Finalized {items ? Math.round(f * 100) : 0}%
        </span>
        <span className="flex items-center gap-1.5">
          <span className="size-2 rounded-full bg-accent/60" /> In progress
        </span>
        <span className="flex items-center gap-1.5">
          <span className="size-2 rounded-full bg-zinc-300" /> Remaining
        </span>
      </p>
    </div>
  );
}
