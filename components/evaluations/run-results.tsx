"use client";
// A run's results, one row per call (item × repetition): server-side pages, sort (position,
// latency, cost, an evaluator's score) and filters (status, "failed on <evaluator>"), all kept in
// the address. The table is TanStack Table v9 with manual (server) sorting; markup and
// accessibility are ours. A row opens the item side by side: input, expected, the prompt as sent,
// the output and each evaluator's verdict.
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { createColumnHelper, rowSortingFeature, tableFeatures, useTable, type SortingState, type Updater } from "@tanstack/react-table";
import { useMemo, useState } from "react";
import type { ItemScore, ResultRow } from "@/server/contracts/evaluations";
import { useTRPC } from "@/components/trpc/client";
import { Alert, Badge, Button, Card, Dialog, EmptyState, Select, Spinner, cn, Table, ScrollArea } from "@/components/ui";
import { ArrowDownIcon, ArrowUpIcon, ChevronUpDownIcon, FilterIcon } from "@/components/ui/icons";
import { QueryErrorAlert } from "@/components/lib/error-alert";
import { Pagination } from "@/components/ui/pagination";
import { preview, pretty } from "@/components/datasets/model";
import { formatMs, formatScore, formatUsd } from "./model";
import { formatCount } from "@/components/lib/format";
import { useUrlParams } from "@/components/lib/url-params";

type Props = { orgSlug: string; projectSlug: string; number: number; evaluatorNames: string[]; repetitions: number; live: boolean };

const features = tableFeatures({ rowSortingFeature });
const helper = createColumnHelper<typeof features, ResultRow>();
const NO_ROWS: ResultRow[] = [];
const STATUSES = ["done", "error", "pending"] as const;
type StatusFilter = (typeof STATUSES)[number];
const STATUS_FILTER_LABELS: Record<StatusFilter, string> = { done: "Answered", error: "Errors", pending: "Not yet answered" };

function positiveInt(value: string | null): number | undefined {
  const n = Number(value);
  return Number.isInteger(n) && n >= 1 && n <= 1_000_000 ? n : undefined;
}

/** The sort in the address: "latency", "cost", "score:<evaluator>" (default: position). */
function parseSort(raw: string | null, evaluatorNames: string[]): { id: string; sort: "position" | "latency" | "cost" | "score"; sortEvaluator?: string } {
  if (raw === "latency" || raw === "cost") return { id: raw, sort: raw };
  if (raw?.startsWith("score:") && evaluatorNames.includes(raw.slice(6))) return { id: raw, sort: "score", sortEvaluator: raw.slice(6) };
  return { id: "position", sort: "position" };
}

export function RunResults({ orgSlug, projectSlug, number, evaluatorNames, repetitions, live }: Props) {
  const trpc = useTRPC();
  const { searchParams, setParams } = useUrlParams();
  const statusParam = searchParams.get("status") ?? "";
  const status = (STATUSES as readonly string[]).includes(statusParam) ? (statusParam as StatusFilter) : undefined;
  const failedParam = searchParams.get("failedOn") ?? "";
  const failedOn = evaluatorNames.includes(failedParam) ? failedParam : undefined;
  const sort = parseSort(searchParams.get("sort"), evaluatorNames);
  const direction = searchParams.get("dir") === "desc" ? "desc" : "asc";
  const page = positiveInt(searchParams.get("page")) ?? 1;
  const sizeParam = Number(searchParams.get("size"));
  const pageSize = ([25, 50, 100] as const).find((s) => s === sizeParam) ?? 50;
  const [open, setOpen] = useState<number | null>(null);

  const results = useQuery({
    ...trpc.runs.results.queryOptions({
      orgSlug,
      projectSlug,
      number,
      page,
      pageSize,
      status,
      failedOn,
      sort: sort.sort,
      sortEvaluator: sort.sortEvaluator,
      direction,
    }),
    placeholderData: keepPreviousData,
    refetchInterval: live ? 2000 : false,
  });
  const data = (results.data?.rows as ResultRow[] | undefined) ?? NO_ROWS;
  const filtered = !!(status || failedOn);

  const sorting: SortingState = sort.sort === "position" && direction === "asc" ? [] : [{ id: sort.id, desc: direction === "desc" }];
  function onSortingChange(updater: Updater<SortingState>) {
    const next = typeof updater === "function" ? updater(sorting) : updater;
    const first = next[0];
    if (!first || (first.id === "position" && !first.desc)) setParams({ sort: undefined, dir: undefined });
    else setParams({ sort: first.id === "position" ? undefined : first.id, dir: first.desc ? "desc" : undefined });
  }

  const columns = useMemo(
    () =>
      helper.columns([
        helper.accessor("position", {
          id: "position",
          header: "#",
          cell: ({ row }) => (
            <span className="font-mono text-xs whitespace-nowrap text-zinc-500">
              {row.original.position}
              {repetitions > 1 ? <span className="text-zinc-500">.{row.original.repetition}</span> : null}
            </span>
          ),
        }),
        helper.accessor("input", {
          header: "Input",
          enableSorting: false,
          cell: ({ row, getValue }) => (
            <button
              type="button"
              onClick={() => setOpen(row.index)}
              className="block max-w-[12rem] truncate text-left text-zinc-800 hover:text-accent hover:underline focus-visible:underline"
              title="Open side by side"
            >
              <span className="sr-only">
                Open result #{row.original.position}
                {repetitions > 1 ? `.${row.original.repetition}` : ""}:{" "}
              </span>
              {inputPreview(getValue())}
            </button>
          ),
        }),
        helper.accessor("output", {
          header: "Output",
          enableSorting: false,
          cell: ({ row, getValue }) =>
            row.original.status === "error" ? (
              <span className="flex max-w-[15rem] items-center gap-1.5">
                <Badge tone="danger">error</Badge>
                <span className="truncate text-xs text-red-700">{row.original.error}</span>
              </span>
            ) : row.original.status !== "done" ? (
              <span className="text-xs text-zinc-500">{row.original.status === "running" ? "answering…" : "waiting"}</span>
            ) : (
              <span className="block max-w-[15rem] truncate text-zinc-600">{preview(getValue(), 160)}</span>
            ),
        }),
        ...evaluatorNames.map((name) =>
          helper.display({
            id: `score:${name}`,
            header: () => (
              <span className="block max-w-[7rem] truncate" title={name}>
                {name}
              </span>
            ),
            enableSorting: true,
            cell: ({ row }) => <ScoreCell score={row.original.scores?.find((s) => s.name === name)} />,
          }),
        ),
        helper.accessor("latencyMs", {
          id: "latency",
          header: "Latency",
          cell: ({ getValue }) => <span className="font-mono text-xs whitespace-nowrap text-zinc-600 tabular-nums">{formatMs(getValue())}</span>,
        }),
        helper.accessor("costUsd", {
          id: "cost",
          header: "Cost",
          cell: ({ getValue }) => <span className="font-mono text-xs whitespace-nowrap text-zinc-600 tabular-nums">{formatUsd(getValue())}</span>,
        }),
      ]),
    [evaluatorNames, repetitions, setOpen],
  );

  const table = useTable({
    features,
    columns,
    data,
    getRowId: (row) => `${row.position}.${row.repetition}`,
    state: { sorting },
    onSortingChange,
    manualSorting: true,
    enableMultiSort: false,
    enableSortingRemoval: false,
  });
  const rows = table.getRowModel().rows;
  const openRow = open !== null ? data[open] : undefined;

  return (
    <Card aria-labelledby="results-title">
      <div className="flex flex-wrap items-center justify-between gap-3 border-b border-zinc-200 px-4 py-3">
        <div className="flex min-h-7 items-center gap-3">
          <h2 id="results-title" className="text-sm font-semibold text-zinc-900">
            {results.data ? `${formatCount(results.data.total)} ${results.data.total === 1 ? "result" : "results"}${filtered ? " match" : ""}` : "Results"}
          </h2>
          {results.isFetching && !results.isPending ? <Spinner size={12} /> : null}
        </div>
      </div>
      <form
        role="search"
        aria-label="Filter results"
        className="flex flex-wrap items-end gap-2 border-b border-zinc-200 bg-zinc-50/60 px-4 py-2.5"
        onSubmit={(e) => e.preventDefault()}
      >
        <Select label="Status" size="sm" value={status ?? ""} onChange={(e) => setParams({ status: e.target.value })} boxClassName="w-44">
          <option value="">All calls</option>
          {STATUSES.map((s) => (
            <option key={s} value={s}>
              {STATUS_FILTER_LABELS[s]}
            </option>
          ))}
        </Select>
        {evaluatorNames.length ? (
          <Select label="Failed on" size="sm" value={failedOn ?? ""} onChange={(e) => setParams({ failedOn: e.target.value })} boxClassName="w-52">
            <option value="">Any evaluator</option>
            {evaluatorNames.map((n) => (
              <option key={n} value={n}>
                {n}
              </option>
            ))}
          </Select>
        ) : null}
        <Select
          label="Sort by"
          size="sm"
          value={sort.id}
          onChange={(e) => setParams({ sort: e.target.value === "position" ? undefined : e.target.value })}
          boxClassName="w-52"
        >
          <option value="position">Position</option>
          <option value="latency">Latency</option>
          <option value="cost">Cost</option>
          {evaluatorNames.map((n) => (
            <option key={n} value={`score:${n}`}>
              Score of {n}
            </option>
          ))}
        </Select>
        <Select
          label="Order"
          size="sm"
          value={direction}
          onChange={(e) => setParams({ dir: e.target.value === "desc" ? "desc" : undefined })}
          boxClassName="w-36"
        >
          <option value="asc">Ascending</option>
          <option value="desc">Descending</option>
        </Select>
        {filtered ? (
          <Button size="sm" variant="ghost" onClick={() => setParams({ status: undefined, failedOn: undefined })}>
            Clear filters
          </Button>
        ) : null}
      </form>
      {results.isPending ? (
        <div className="px-4 py-10 text-center">
          <Spinner label="Loading results…" />
        </div>
      ) : results.isError ? (
        <div className="p-4">
          <QueryErrorAlert title="Could not load the results" error={results.error} />
        </div>
      ) : rows.length === 0 ? (
        <EmptyState
          icon={<FilterIcon />}
          title={filtered ? "No results match" : "No results yet"}
          description={filtered ? (failedOn ? `No call failed ${failedOn}${status ? " with this status" : ""}.` : "Try another status.") : undefined}
        />
      ) : (
        <Table caption={`Results of run #${number}`}>
          <thead className="border-b border-zinc-200 bg-zinc-50/80">
            {table.getHeaderGroups().map((group) => (
              <tr key={group.id}>
                {group.headers.map((header) => {
                  const sorted = header.column.getIsSorted() || (header.column.id === "position" && sorting.length === 0 ? "asc" : false);
                  const canSort = header.column.getCanSort();
                  return (
                    <th
                      key={header.id}
                      scope="col"
                      aria-sort={sorted === "asc" ? "ascending" : sorted === "desc" ? "descending" : undefined}
                      className={cn(
                        "h-8 px-3 text-xs font-medium whitespace-nowrap text-zinc-500 first:pl-4 last:pr-4",
                        header.column.id.startsWith("score:") && "font-mono",
                      )}
                    >
                      {header.isPlaceholder ? null : canSort ? (
                        <button type="button" className="inline-flex items-center gap-1 hover:text-zinc-900" onClick={header.column.getToggleSortingHandler()}>
                          <table.FlexRender header={header} />
                          {sorted === "asc" ? (
                            <ArrowUpIcon size={12} />
                          ) : sorted === "desc" ? (
                            <ArrowDownIcon size={12} />
                          ) : (
                            <ChevronUpDownIcon size={12} className="text-zinc-300" />
                          )}
                        </button>
                      ) : (
                        <table.FlexRender header={header} />
                      )}
                    </th>
                  );
                })}
              </tr>
            ))}
          </thead>
          <tbody className="divide-y divide-zinc-100">
            {rows.map((row) => (
              <tr key={row.id} className={cn("align-middle", row.original.status === "error" && "bg-red-50/40")}>
                {row.getAllCells().map((cell) => (
                  <td key={cell.id} className="px-3 py-2 text-zinc-700 first:pl-4 last:pr-4">
                    <table.FlexRender cell={cell} />
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </Table>
      )}
      {results.data && results.data.total > 0 ? (
        <Pagination
          label="Result pages"
          page={results.data.page}
          pageSize={pageSize}
          total={results.data.total}
          onPage={(p) => setParams({ page: p > 1 ? p : undefined }, { resetPage: false })}
          onPageSize={(s) => setParams({ size: s === 50 ? undefined : s })}
        />
      ) : null}
      {openRow ? (
        <ResultDialog
          row={openRow}
          repetitions={repetitions}
          evaluatorNames={evaluatorNames}
          onClose={() => setOpen(null)}
          onPrevious={open! > 0 ? () => setOpen(open! - 1) : undefined}
          onNext={open! < data.length - 1 ? () => setOpen(open! + 1) : undefined}
        />
      ) : null}
    </Card>
  );
}

function ScoreCell({ score }: { score: ItemScore | undefined }) {
  if (!score) return <span className="text-xs text-zinc-500">—</span>;
  return (
    <span className="inline-flex items-center gap-1.5 whitespace-nowrap" title={score.explanation}>
      <Badge tone={score.passed ? "success" : "danger"}>{score.passed ? "pass" : "fail"}</Badge>
      <span className="font-mono text-xs text-zinc-600 tabular-nums">{formatScore(score.score)}</span>
    </span>
  );
}

function inputPreview(input: Record<string, unknown>): string {
  const entries = Object.entries(input);
  if (entries.length === 0) return "(empty input)";
  // The question usually says more than a shared policy text: the shortest differing values last.
  const preferred = entries.find(([k]) => /question|query|prompt|message|text|input/i.test(k));
  const ordered = preferred ? [preferred, ...entries.filter((e) => e !== preferred)] : entries;
  if (ordered.length === 1) return preview(ordered[0]![1], 140);
  return ordered
    .map(([k, v]) => `${k}: ${preview(v, 60)}`)
    .join(" · ")
    .slice(0, 160);
}

type RenderedMessage = { role: string; content: unknown };

function RenderedPrompt({ rendered }: { rendered: unknown }) {
  if (rendered === null || rendered === undefined) return <p className="text-xs text-zinc-500">Not rendered (the call was not made).</p>;
  if (Array.isArray(rendered)) {
    return (
      <ol className="flex flex-col gap-2">
        {(rendered as RenderedMessage[]).map((m, i) => (
          <li key={i} className="rounded-md border border-zinc-200 bg-zinc-50/60">
            <p className="border-b border-zinc-200 px-2.5 py-1 text-[11px] font-medium tracking-wide text-zinc-500 uppercase">{m.role}</p>
            <ScrollArea as="pre" className="max-h-72 overflow-auto px-2.5 py-2 font-mono text-xs whitespace-pre-wrap text-zinc-800">
              {typeof m.content === "string" ? m.content : pretty(m.content)}
            </ScrollArea>
          </li>
        ))}
      </ol>
    );
  }
  return <Block>{pretty(rendered)}</Block>;
}

function Block({ children, tone = "neutral" }: { children: string; tone?: "neutral" | "output" }) {
  return (
    <ScrollArea
      as="pre"
      className={cn(
        "max-h-80 overflow-auto rounded-md border px-3 py-2 font-mono text-xs whitespace-pre-wrap",
        tone === "output" ? "border-indigo-200 bg-accent-soft/30 text-zinc-900" : "border-zinc-200 bg-zinc-50/60 text-zinc-800",
      )}
    >
      {children}
    </ScrollArea>
  );
}

function Section({ title, children, aside }: { title: string; children: React.ReactNode; aside?: React.ReactNode }) {
  return (
    <section aria-label={title} className="flex flex-col gap-1.5">
      <h3 className="flex items-baseline justify-between gap-2 text-xs font-semibold tracking-wide text-zinc-500 uppercase">
        {title}
        {aside}
      </h3>
      {children}
    </section>
  );
}

function ResultDialog({
  row,
  repetitions,
  evaluatorNames,
  onClose,
  onPrevious,
  onNext,
}: {
  row: ResultRow;
  repetitions: number;
  evaluatorNames: string[];
  onClose: () => void;
  onPrevious?: () => void;
  onNext?: () => void;
}) {
  const title = `Result #${row.position}${repetitions > 1 ? `, repetition ${row.repetition}` : ""}`;
  const scores = row.scores ?? [];
  const byName = new Map(scores.map((s) => [s.name, s]));
  return (
    <Dialog
      open
      onClose={onClose}
      size="xl"
      title={title}
      description={
        row.status === "done"
          ? `${formatMs(row.latencyMs)} · ${row.inputTokens ?? "?"} tokens in, ${row.outputTokens ?? "?"} out · ${formatUsd(row.costUsd)}`
          : row.status === "error"
            ? "The call failed."
            : "Not answered yet."
      }
      footer={
        <>
          <Button onClick={onPrevious} disabled={!onPrevious}>
            Previous
          </Button>
          <Button onClick={onNext} disabled={!onNext}>
            Next
          </Button>
          <Button variant="primary" onClick={onClose}>
            Close
          </Button>
        </>
      }
    >
      <div className="grid gap-5 md:grid-cols-2">
        <div className="flex min-w-0 flex-col gap-4">
          <Section title="Input">
            <dl className="flex flex-col gap-2 rounded-md border border-zinc-200 bg-zinc-50/60 px-3 py-2">
              {Object.entries(row.input).map(([k, v]) => (
                <div key={k} className="min-w-0">
                  <dt className="font-mono text-[11px] text-zinc-500">{k}</dt>
                  <dd className="text-[13px] whitespace-pre-wrap text-zinc-800">{typeof v === "string" ? v : pretty(v)}</dd>
                </div>
              ))}
            </dl>
          </Section>
          <Section title="Expected">
            {row.expected === null || row.expected === undefined ? (
              <p className="text-xs text-zinc-500">No expected output.</p>
            ) : (
              <Block>{pretty(row.expected)}</Block>
            )}
          </Section>
          <Section title="Prompt as sent">
            <RenderedPrompt rendered={row.rendered} />
          </Section>
        </div>
        <div className="flex min-w-0 flex-col gap-4">
          {row.status === "error" ? (
            <div role="region" aria-label="Call error">
              <Alert tone="error" title="The call failed">
                <span className="whitespace-pre-wrap">{row.error ?? "No message"}</span>
              </Alert>
            </div>
          ) : null}
          <Section title="Output">
            {row.output !== null ? <Block tone="output">{row.output}</Block> : <p className="text-xs text-zinc-500">No output.</p>}
          </Section>
          <Section title="Evaluators">
            {evaluatorNames.length === 0 ? (
              <p className="text-xs text-zinc-500">This run has no evaluators.</p>
            ) : (
              <ul className="flex flex-col gap-2">
                {evaluatorNames.map((name) => {
                  const s = byName.get(name);
                  return (
                    <li
                      key={name}
                      aria-label={`${name}: ${s ? (s.passed ? "pass" : "fail") : "not scored"}`}
                      className={cn(
                        "rounded-md border px-3 py-2",
                        s ? (s.passed ? "border-emerald-200 bg-emerald-50/40" : "border-red-200 bg-red-50/40") : "border-zinc-200",
                      )}
                    >
                      <div className="flex items-center justify-between gap-2">
                        <span className="font-mono text-[13px] font-medium text-zinc-900">{name}</span>
                        {s ? (
                          <span className="flex items-center gap-2">
                            <span className="font-mono text-xs text-zinc-600 tabular-nums">score {formatScore(s.score)}</span>
                            <Badge tone={s.passed ? "success" : "danger"}>{s.passed ? "pass" : "fail"}</Badge>
                          </span>
                        ) : (
                          <Badge tone="outline">not scored</Badge>
                        )}
                      </div>
                      {s?.explanation ? <p className="mt-1 text-xs whitespace-pre-wrap text-zinc-600">{s.explanation}</p> : null}
                    </li>
                  );
                })}
              </ul>
            )}
          </Section>
        </div>
      </div>
    </Dialog>
  );
}
