"use client";
// The trace explorer: a project's traces, newest first, with what each did (prompt version, model,
// environment, duration, tokens, cost, status, feedback, source). Every filter is in the address;
// pages load by cursor ("Load more"). A row opens the trace (its name is the link, for keyboards).
import { keepPreviousData, useInfiniteQuery, useQuery } from "@tanstack/react-query";
import { createColumnHelper, tableFeatures, useTable } from "@tanstack/react-table";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useMemo, useOptimistic, useState, useTransition, type FormEvent } from "react";
import type { TraceListInput, TraceSummary } from "@/server/contracts/observability";
import { useUrlParams } from "@/components/lib/url-params";
import { useTRPC } from "@/components/trpc/client";
import { Button, Card, Checkbox, EmptyState, Input, PageHeader, Select, Spinner, cn, Table } from "@/components/ui";
import { FilterIcon, SearchIcon } from "@/components/ui/icons";
import { QueryErrorAlert } from "@/components/lib/error-alert";
import { Time } from "@/components/lib/time";
import { ScoreSummary, SourceBadge, StatusBadge } from "./badges";
import { OptionSelect, WindowPicker } from "./filters";
import { TracesIcon } from "@/components/ui/icons";
import { DEFAULT_WINDOW, formatCompact, formatMs, formatUsd, parseText, parseWindow, traceHref } from "./model";
import { TelemetrySetup } from "./setup-help";
import { formatCount } from "@/components/lib/format";

type Props = { orgSlug: string; projectSlug: string; projectName: string };

const DURATIONS = [
  { ms: 500, label: "≥ 500 ms" },
  { ms: 1000, label: "≥ 1 s" },
  { ms: 5000, label: "≥ 5 s" },
  { ms: 10_000, label: "≥ 10 s" },
  { ms: 30_000, label: "≥ 30 s" },
];

const features = tableFeatures({});
const helper = createColumnHelper<typeof features, TraceSummary>();
const NO_ROWS: TraceSummary[] = [];

type Filters = Omit<TraceListInput, "cursor" | "limit">;

function useFilters() {
  const { searchParams, setParams } = useUrlParams();
  const status = searchParams.get("status");
  const source = searchParams.get("source");
  const slow = Number(searchParams.get("slow"));
  const filters: Filters = {
    window: parseWindow(searchParams.get("window"), DEFAULT_WINDOW.traces),
    promptName: parseText(searchParams.get("prompt")),
    model: parseText(searchParams.get("model")),
    environment: parseText(searchParams.get("environment"), 64),
    status: status === "error" || status === "ok" ? status : undefined,
    feedback: searchParams.get("feedback") === "negative" ? "negative" : undefined,
    source: source === "otel" || source === "gateway" || source === "langfuse" ? source : undefined,
    search: parseText(searchParams.get("q")),
    minDurationMs: DURATIONS.some((d) => d.ms === slow) ? slow : undefined,
  };
  return { filters, setParams };
}

function SearchBox({ value, onSearch }: { value: string; onSearch: (q: string) => void }) {
  const [text, setText] = useState(value);
  const [synced, setSynced] = useState(value);
  // The address changed (back button, "Clear filters"): show what it says.
  if (synced !== value) {
    setSynced(value);
    setText(value);
  }
  const submit = (e: FormEvent) => {
    e.preventDefault();
    onSearch(text.trim());
  };
  return (
    <form role="search" aria-label="Search traces" onSubmit={submit} className="flex items-end gap-1.5">
      <Input
        label="Search"
        type="search"
        placeholder="Trace id or name prefix"
        value={text}
        onChange={(e) => setText(e.target.value)}
        maxLength={200}
        wrapperClassName="w-64"
        className="h-7 font-mono text-[12.5px]"
      />
      <Button size="sm" type="submit" icon={<SearchIcon size={13} />}>
        Search
      </Button>
    </form>
  );
}

/** The checkbox shows the new state at once, while the address (which the list follows) catches up. */
function NegativeOnly({ checked, onChange }: { checked: boolean; onChange: (on: boolean) => void }) {
  const [optimistic, setOptimistic] = useOptimistic(checked);
  const [, startTransition] = useTransition();
  return (
    <Checkbox
      label="Negative feedback only"
      checked={optimistic}
      onChange={(e) => {
        const on = e.target.checked;
        startTransition(() => {
          setOptimistic(on);
          onChange(on);
        });
      }}
    />
  );
}

export function TracesView({ orgSlug, projectSlug, projectName }: Props) {
  const trpc = useTRPC();
  const router = useRouter();
  const { filters, setParams } = useFilters();
  const narrowed = !!(
    filters.promptName ||
    filters.model ||
    filters.environment ||
    filters.status ||
    filters.feedback ||
    filters.source ||
    filters.search ||
    filters.minDurationMs
  );

  const traces = useInfiniteQuery(
    trpc.observability.traces.infiniteQueryOptions(
      { orgSlug, projectSlug, ...filters, limit: 50 },
      { getNextPageParam: (last) => last.nextCursor ?? undefined, placeholderData: keepPreviousData },
    ),
  );
  // Menus: the prompts, models and environments seen in the window.
  const menus = useQuery({ ...trpc.observability.dashboard.queryOptions({ orgSlug, projectSlug, window: filters.window }), placeholderData: keepPreviousData });
  const items = useMemo(() => traces.data?.pages.flatMap((p) => p.items) ?? NO_ROWS, [traces.data]);
  // No trace at all in 30 days and no filter: explain how to send some.
  const anyTrace = useQuery({
    ...trpc.observability.traces.queryOptions({ orgSlug, projectSlug, window: "30d", limit: 1 }),
    enabled: traces.isSuccess && items.length === 0 && !narrowed,
  });

  const columns = useMemo(
    () =>
      helper.columns([
        helper.accessor("startTime", { header: "Time", cell: ({ getValue }) => <Time value={getValue()} mode="relative" className="text-xs text-zinc-600" /> }),
        helper.accessor("name", {
          header: "Name",
          cell: ({ row }) => (
            <div className="max-w-60 min-w-36">
              <Link
                href={traceHref(orgSlug, projectSlug, row.original.traceId)}
                className="block truncate font-medium text-zinc-900 hover:text-accent hover:underline"
                title={row.original.name ?? undefined}
              >
                {row.original.name || <span className="text-zinc-500 italic">Unnamed trace</span>}
              </Link>
              <span className="mt-0.5 flex items-center gap-1.5">
                <SourceBadge source={row.original.source} />
                <span className="truncate font-mono text-[11px] text-zinc-500">{row.original.traceId.slice(0, 12)}…</span>
              </span>
            </div>
          ),
        }),
        helper.display({
          id: "prompt",
          header: "Prompt",
          cell: ({ row }) =>
            row.original.promptName ? (
              <span className="font-mono text-xs whitespace-nowrap text-zinc-800">
                {row.original.promptName}
                {row.original.promptVersion ? <span className="text-zinc-500">@v{row.original.promptVersion}</span> : null}
              </span>
            ) : (
              <span className="text-xs text-zinc-500">—</span>
            ),
        }),
        helper.display({
          id: "model",
          header: "Model · environment",
          cell: ({ row }) => (
            <div className="max-w-48 font-mono text-xs">
              <span className="block truncate text-zinc-800" title={row.original.model ?? undefined}>
                {row.original.model ?? <span className="text-zinc-500">—</span>}
              </span>
              <span className="block truncate text-[11px] text-zinc-500">{row.original.environment ?? "no environment"}</span>
            </div>
          ),
        }),
        helper.accessor("durationMs", {
          header: () => <span className="block text-right">Duration</span>,
          cell: ({ getValue }) => <span className="block text-right font-mono text-xs whitespace-nowrap tabular-nums">{formatMs(getValue())}</span>,
        }),
        helper.display({
          id: "tokens",
          header: () => <span className="block text-right">Tokens</span>,
          cell: ({ row }) => (
            <span
              className="block text-right font-mono text-xs whitespace-nowrap tabular-nums"
              title={`${formatCount(row.original.inputTokens)} input, ${formatCount(row.original.outputTokens)} output`}
            >
              {row.original.inputTokens + row.original.outputTokens
                ? `${formatCompact(row.original.inputTokens)} → ${formatCompact(row.original.outputTokens)}`
                : "—"}
            </span>
          ),
        }),
        helper.accessor("costUsd", {
          header: () => <span className="block text-right">Cost</span>,
          cell: ({ getValue }) => <span className="block text-right font-mono text-xs tabular-nums">{formatUsd(getValue())}</span>,
        }),
        helper.accessor("errors", { header: "Status", cell: ({ getValue }) => <StatusBadge errors={getValue()} /> }),
        helper.accessor("scores", { header: "Scores", cell: ({ getValue }) => <ScoreSummary scores={getValue()} /> }),
      ]),
    [orgSlug, projectSlug],
  );
  const table = useTable({ features, columns, data: items, getRowId: (row) => row.traceId });
  const clearFilters = () =>
    setParams({
      prompt: undefined,
      model: undefined,
      environment: undefined,
      status: undefined,
      source: undefined,
      slow: undefined,
      feedback: undefined,
      q: undefined,
    });
  const rows = table.getRowModel().rows;
  const opts = menus.data?.options;

  return (
    <>
      <PageHeader
        eyebrow={projectName}
        title="Traces"
        description="Every traced request of this project, newest first: open one to see its spans, inputs and outputs, and to curate it into a dataset or a review queue."
        actions={<WindowPicker value={filters.window} onChange={(w) => setParams({ window: w === "7d" ? undefined : w })} />}
      />
      <Card aria-labelledby="traces-title">
        <div className="flex flex-col gap-3 border-b border-zinc-200 px-4 py-3">
          <div className="flex flex-wrap items-end justify-between gap-3">
            <SearchBox value={filters.search ?? ""} onSearch={(q) => setParams({ q })} />
            <div className="flex items-center gap-3">
              <NegativeOnly checked={filters.feedback === "negative"} onChange={(on) => setParams({ feedback: on ? "negative" : undefined })} />
              {narrowed ? (
                <Button size="sm" variant="ghost" onClick={clearFilters}>
                  Clear filters
                </Button>
              ) : null}
            </div>
          </div>
          <form aria-label="Filter traces" className="flex flex-wrap items-end gap-3" onSubmit={(e) => e.preventDefault()}>
            <OptionSelect
              label="Prompt"
              allLabel="All prompts"
              value={filters.promptName ?? ""}
              options={opts?.prompts ?? []}
              onChange={(v) => setParams({ prompt: v })}
              className="w-48"
            />
            <OptionSelect
              label="Model"
              allLabel="All models"
              value={filters.model ?? ""}
              options={opts?.models ?? []}
              onChange={(v) => setParams({ model: v })}
              className="w-48"
            />
            <OptionSelect
              label="Environment"
              allLabel="All environments"
              value={filters.environment ?? ""}
              options={opts?.environments ?? []}
              onChange={(v) => setParams({ environment: v })}
              className="w-40"
            />
            <Select label="Status" size="sm" value={filters.status ?? ""} onChange={(e) => setParams({ status: e.target.value })} boxClassName="w-28">
              <option value="">Any</option>
              <option value="error">Errors</option>
              <option value="ok">OK</option>
            </Select>
            <Select label="Source" size="sm" value={filters.source ?? ""} onChange={(e) => setParams({ source: e.target.value })} boxClassName="w-28">
              <option value="">Any</option>
              <option value="gateway">Gateway</option>
              <option value="otel">OTel</option>
              <option value="langfuse">Langfuse</option>
            </Select>
            <Select
              label="Duration"
              size="sm"
              value={filters.minDurationMs ? String(filters.minDurationMs) : ""}
              onChange={(e) => setParams({ slow: e.target.value })}
              boxClassName="w-28"
            >
              <option value="">Any</option>
              {DURATIONS.map((d) => (
                <option key={d.ms} value={d.ms}>
                  {d.label}
                </option>
              ))}
            </Select>
          </form>
        </div>
        <div className="flex min-h-10 items-center gap-3 border-b border-zinc-200 px-4 py-2">
          <h2 id="traces-title" className="text-sm font-semibold text-zinc-900">
            {traces.isSuccess ? `${formatCount(items.length)}${traces.hasNextPage ? "+" : ""} ${items.length === 1 ? "trace" : "traces"}` : "Traces"}
          </h2>
          {traces.isFetching && !traces.isFetchingNextPage && !traces.isPending ? <Spinner size={12} /> : null}
        </div>
        {traces.isPending ? (
          <div className="px-4 py-10 text-center">
            <Spinner label="Loading traces…" />
          </div>
        ) : traces.isError ? (
          <div className="p-4">
            <QueryErrorAlert title="Could not load the traces" error={traces.error} />
          </div>
        ) : items.length === 0 ? (
          narrowed ? (
            <EmptyState
              icon={<FilterIcon />}
              title="No traces match"
              description="Try a longer window or fewer filters."
              action={<Button onClick={clearFilters}>Clear filters</Button>}
            />
          ) : anyTrace.data && anyTrace.data.items.length === 0 ? (
            <div className="p-4">
              <TelemetrySetup orgSlug={orgSlug} projectSlug={projectSlug} title="No traces yet" />
            </div>
          ) : (
            <EmptyState icon={<TracesIcon />} title="No traces in this window" description="Choose a longer window to see earlier traces." />
          )
        ) : (
          <Table caption="Traces, newest first">
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
                <tr
                  key={row.id}
                  className={cn("cursor-pointer align-middle hover:bg-zinc-50", row.original.errors > 0 && "bg-red-50/30")}
                  // Mouse users may click anywhere in the row; the name is the link for everyone else.
                  onClick={(e) => {
                    if ((e.target as HTMLElement).closest("a, button")) return;
                    router.push(traceHref(orgSlug, projectSlug, row.original.traceId));
                  }}
                >
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
        {traces.hasNextPage ? (
          <div className="border-t border-zinc-200 px-4 py-2.5 text-center">
            <Button size="sm" loading={traces.isFetchingNextPage} onClick={() => traces.fetchNextPage()}>
              Load more
            </Button>
          </div>
        ) : null}
      </Card>
    </>
  );
}
