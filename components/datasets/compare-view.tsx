"use client";
// Comparing two versions of a dataset (?from=&to=, default: the previous and the latest): how many
// items were added, removed and changed, and each entry, with a field-level before/after for
// changed items. Filter by kind and page through, all in the address.
import { formatCount } from "@/components/lib/format";
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { TextDiff } from "@/components/diff/text-diff";
import { useTRPC } from "@/components/trpc/client";
import { Badge, Button, Card, CardBody, EmptyState, Select, Spinner, cn } from "@/components/ui";
import { ArrowRightIcon, ChevronUpDownIcon, CompareIcon } from "@/components/ui/icons";
import { QueryErrorAlert } from "@/components/lib/error-alert";
import { pretty } from "./model";
import { Pagination } from "@/components/ui/pagination";
import { useUrlParams } from "@/components/lib/url-params";

type Props = { orgSlug: string; projectSlug: string; name: string };
type Kind = "added" | "removed" | "changed";
type Content = { input: Record<string, unknown>; expected: unknown; metadata: Record<string, unknown>; tags: string[] };
type Entry = { itemId: string; position: number; kind: Kind; before: Content | null; after: Content | null };

const KINDS: Kind[] = ["added", "removed", "changed"];
const KIND_STYLE: Record<Kind, { tone: "success" | "danger" | "warning"; label: string; border: string }> = {
  added: { tone: "success", label: "Added", border: "border-l-emerald-500" },
  removed: { tone: "danger", label: "Removed", border: "border-l-red-500" },
  changed: { tone: "warning", label: "Changed", border: "border-l-amber-500" },
};

function positiveInt(value: string | null): number | undefined {
  const n = Number(value);
  return Number.isInteger(n) && n >= 1 ? n : undefined;
}

const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

/** The fields that differ between two versions of an item: input keys, expected, metadata, tags. */
function changedFields(before: Content, after: Content): { field: string; before: unknown; after: unknown }[] {
  const out: { field: string; before: unknown; after: unknown }[] = [];
  const keys = [...new Set([...Object.keys(before.input), ...Object.keys(after.input)])];
  for (const k of keys) if (!same(before.input[k], after.input[k])) out.push({ field: `input.${k}`, before: before.input[k], after: after.input[k] });
  if (!same(before.expected, after.expected)) out.push({ field: "expected", before: before.expected, after: after.expected });
  if (!same(before.metadata, after.metadata)) out.push({ field: "metadata", before: before.metadata, after: after.metadata });
  if (!same(before.tags, after.tags)) out.push({ field: "tags", before: before.tags.join(", "), after: after.tags.join(", ") });
  return out;
}

function ContentList({ content, tone }: { content: Content; tone: "added" | "removed" }) {
  const rows: [string, unknown][] = [...Object.entries(content.input).map(([k, v]) => [`input.${k}`, v] as [string, unknown]), ["expected", content.expected]];
  if (Object.keys(content.metadata).length) rows.push(["metadata", content.metadata]);
  if (content.tags.length) rows.push(["tags", content.tags.join(", ")]);
  return (
    <dl
      className={cn(
        "divide-y rounded-md border text-[13px]",
        tone === "added" ? "divide-emerald-100 border-emerald-200 bg-emerald-50/40" : "divide-red-100 border-red-200 bg-red-50/40",
      )}
    >
      {rows.map(([k, v]) => (
        <div key={k} className="grid grid-cols-[9rem_minmax(0,1fr)] gap-3 px-3 py-1.5">
          <dt className="truncate font-mono text-xs text-zinc-600" title={k}>
            {k}
          </dt>
          <dd
            className={cn(
              "whitespace-pre-wrap",
              typeof v === "string" ? "text-zinc-800" : "font-mono text-xs text-zinc-800",
              tone === "removed" && "line-through decoration-red-300",
            )}
          >
            {v === null || v === undefined ? <span className="text-zinc-500 no-underline">none</span> : pretty(v)}
          </dd>
        </div>
      ))}
    </dl>
  );
}

function EntryCard({ entry, from, to }: { entry: Entry; from: number; to: number }) {
  const style = KIND_STYLE[entry.kind];
  const fields = entry.kind === "changed" && entry.before && entry.after ? changedFields(entry.before, entry.after) : [];
  return (
    <li className={cn("border-l-4 px-4 py-3", style.border)} aria-label={`Item #${entry.position}, ${style.label.toLowerCase()}`}>
      <p className="mb-2 flex items-center gap-2">
        <span className="font-mono text-xs font-medium text-zinc-900">#{entry.position}</span>
        <Badge tone={style.tone}>{style.label}</Badge>
        {entry.kind === "changed" ? <span className="text-xs text-zinc-500">{fields.map((f) => f.field).join(", ")}</span> : null}
      </p>
      {entry.kind === "added" && entry.after ? <ContentList content={entry.after} tone="added" /> : null}
      {entry.kind === "removed" && entry.before ? <ContentList content={entry.before} tone="removed" /> : null}
      {entry.kind === "changed" ? (
        <div className="flex flex-col gap-2">
          {fields.map((f) => (
            <TextDiff
              key={f.field}
              title={
                <>
                  <span className="font-mono">{f.field}</span>{" "}
                  <span className="font-normal text-zinc-500">
                    v{from} → v{to}
                  </span>
                </>
              }
              before={f.before === undefined || f.before === null ? "" : pretty(f.before)}
              after={f.after === undefined || f.after === null ? "" : pretty(f.after)}
              notes={f.before === undefined ? <span>new key</span> : f.after === undefined ? <span>key removed</span> : null}
              maxHeight="max-h-64"
            />
          ))}
        </div>
      ) : null}
    </li>
  );
}

/** A side's label follows the versions it shows: "(older)"/"(newer)" swap with the versions. */
const age = (version: number, other: number) => (version === other ? "" : version < other ? " (older)" : " (newer)");

export function CompareView({ orgSlug, projectSlug, name }: Props) {
  const trpc = useTRPC();
  const { searchParams, setParams } = useUrlParams();
  const dataset = useQuery(trpc.datasets.get.queryOptions({ orgSlug, projectSlug, name }));
  const latest = dataset.data?.latestVersion ?? 0;
  const to = positiveInt(searchParams.get("to")) ?? latest;
  const from = positiveInt(searchParams.get("from")) ?? Math.max(1, to - 1);
  const kindParam = searchParams.get("kind");
  const kind = KINDS.includes(kindParam as Kind) ? (kindParam as Kind) : undefined;
  const page = positiveInt(searchParams.get("page")) ?? 1;
  const ready = latest >= 2 && from < to;
  const diff = useQuery({
    ...trpc.datasets.diff.queryOptions({ orgSlug, projectSlug, name, from, to, page, pageSize: 25, kind }),
    enabled: ready,
    placeholderData: keepPreviousData,
  });

  if (dataset.isPending) return <Spinner label="Loading…" />;
  if (dataset.isError) return <QueryErrorAlert title="Could not load the dataset" error={dataset.error} />;
  if (latest < 2) {
    return (
      <Card as="div">
        <EmptyState
          icon={<CompareIcon />}
          title="Nothing to compare yet"
          description="A dataset needs two versions to compare. Every change to its items makes one."
        />
      </Card>
    );
  }

  const numbers = Array.from({ length: latest }, (_, i) => latest - i);
  const options = numbers.map((n) => (
    <option key={n} value={n}>
      Version {n}
      {n === latest ? " (latest)" : ""}
    </option>
  ));
  const summary = diff.data?.summary;

  return (
    <div className="flex flex-col gap-4">
      <h2 className="sr-only">Compare versions</h2>
      <Card as="div">
        <CardBody className="flex flex-wrap items-end gap-3">
          <Select label={`From${age(from, to)}`} size="sm" value={String(from)} onChange={(e) => setParams({ from: e.target.value })} boxClassName="w-44">
            {options}
          </Select>
          <ArrowRightIcon className="mb-1.5 text-zinc-500" />
          <Select label={`To${age(to, from)}`} size="sm" value={String(to)} onChange={(e) => setParams({ to: e.target.value })} boxClassName="w-44">
            {options}
          </Select>
          <Button size="sm" icon={<ChevronUpDownIcon size={14} className="rotate-90" />} onClick={() => setParams({ from: to, to: from })}>
            Swap
          </Button>
        </CardBody>
        {from >= to ? (
          <p className="border-t border-zinc-200 px-4 py-2.5 text-[13px] text-amber-800">Choose an older version on the left and a newer one on the right.</p>
        ) : null}
        {summary ? (
          <div className="flex flex-wrap items-center gap-2 border-t border-zinc-200 px-4 py-2.5" role="group" aria-label="Show">
            <span className="mr-1 text-xs text-zinc-500">
              Version {from} → version {to}:
            </span>
            {([undefined, ...KINDS] as (Kind | undefined)[]).map((k) => {
              const count = k ? summary[k] : summary.added + summary.removed + summary.changed;
              const label = k ? KIND_STYLE[k].label : "All changes";
              return (
                <Button
                  key={k ?? "all"}
                  size="sm"
                  variant={kind === k ? "primary" : "secondary"}
                  aria-pressed={kind === k}
                  aria-label={`${label} ${count}`}
                  onClick={() => setParams({ kind: k })}
                  className={cn(
                    kind !== k && k === "added" && "text-emerald-800",
                    kind !== k && k === "removed" && "text-red-800",
                    kind !== k && k === "changed" && "text-amber-800",
                  )}
                >
                  {label}
                  <span className="font-mono tabular-nums">{formatCount(count)}</span>
                </Button>
              );
            })}
          </div>
        ) : null}
      </Card>
      {from >= to ? null : diff.isPending ? (
        <div className="py-10 text-center">
          <Spinner label="Comparing…" />
        </div>
      ) : diff.isError ? (
        <QueryErrorAlert title="Could not compare the versions" error={diff.error} />
      ) : (
        <Card aria-label="Differences">
          {diff.data.entries.length === 0 ? (
            <EmptyState
              title={kind ? `No ${kind} items` : "No differences"}
              description={kind ? "Choose another kind of change." : `Versions ${from} and ${to} have the same items.`}
            />
          ) : (
            <ol className="divide-y divide-zinc-200">
              {(diff.data.entries as Entry[]).map((e) => (
                <EntryCard key={e.itemId} entry={e} from={from} to={to} />
              ))}
            </ol>
          )}
          {diff.data.total > diff.data.pageSize ? (
            <Pagination
              label="Pages of differences"
              page={diff.data.page}
              pageSize={diff.data.pageSize}
              total={diff.data.total}
              onPage={(p) => setParams({ page: p > 1 ? p : undefined })}
            />
          ) : null}
        </Card>
      )}
    </div>
  );
}
