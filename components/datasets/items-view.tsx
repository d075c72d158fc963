"use client";
// The items of one version of a dataset (?v=, default latest): server-side full-text search, tag
// (split) and source filters, page numbers and page size, all kept in the address. Writers select
// rows for bulk tagging or archiving, add items and edit them (on the latest version). The table
// is TanStack Table v9 (row selection); markup and accessibility are ours.
import { formatCount } from "@/components/lib/format";
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { createColumnHelper, rowSelectionFeature, tableFeatures, useTable, type RowSelectionState } from "@tanstack/react-table";
import { useEffect, useMemo, useState } from "react";
import { DATASET_ITEM_SOURCES, DATASET_PAGE_SIZES, type DatasetItemSource } from "@/server/contracts/datasets";
import { useTRPC } from "@/components/trpc/client";
import { Alert, Badge, Button, Card, EmptyState, Input, Menu, Select, Spinner, buttonClasses, cn, Table } from "@/components/ui";
import { DatabaseIcon, DownloadIcon, FileTextIcon, PlusIcon, TrashIcon } from "@/components/ui/icons";
import { QueryErrorAlert } from "@/components/lib/error-alert";
import { datasetHref, exportHref, preview, SOURCE_LABELS } from "./model";
import { AddItemDialog, ItemDialog } from "./item-dialog";
import { ArchiveItemsDialog, TagItemsDialog } from "./bulk-dialogs";
import { CoverageDialog } from "./coverage-dialog";
import { FieldEditDialog, type FieldEditKind } from "./field-dialogs";
import { Pagination } from "@/components/ui/pagination";
import { useUrlParams } from "@/components/lib/url-params";

type Props = { orgSlug: string; projectSlug: string; name: string; canWrite: boolean };

export type ItemRow = {
  itemId: string;
  position: number;
  input: Record<string, unknown>;
  expected: unknown;
  metadata: Record<string, unknown>;
  tags: string[];
  sourceType: DatasetItemSource;
};

const features = tableFeatures({ rowSelectionFeature });
const helper = createColumnHelper<typeof features, ItemRow>();
const NO_ROWS: ItemRow[] = [];

function positiveInt(value: string | null): number | undefined {
  const n = Number(value);
  return Number.isInteger(n) && n >= 1 && n <= 2_147_483_647 ? n : undefined;
}

export function ItemsView({ orgSlug, projectSlug, name, canWrite }: Props) {
  const trpc = useTRPC();
  const { searchParams, setParams } = useUrlParams();
  const requestedVersion = positiveInt(searchParams.get("v"));
  const q = searchParams.get("q")?.slice(0, 200) ?? "";
  const tag = searchParams.get("tag")?.slice(0, 40) ?? "";
  const sourceParam = searchParams.get("source") ?? "";
  const source = (DATASET_ITEM_SOURCES as readonly string[]).includes(sourceParam) ? (sourceParam as DatasetItemSource) : undefined;
  const page = positiveInt(searchParams.get("page")) ?? 1;
  const sizeParam = Number(searchParams.get("size"));
  const pageSize = (DATASET_PAGE_SIZES as readonly number[]).includes(sizeParam) ? (sizeParam as 25 | 50 | 100) : 50;
  const [search, setSearch] = useState(q);
  const [openItem, setOpenItem] = useState<string | null>(null);
  const [dialog, setDialog] = useState<"add" | "tag" | "archive" | "coverage" | null>(null);
  const [fieldEdit, setFieldEdit] = useState<{ kind: FieldEditKind; selection?: ItemRow[] } | null>(null);
  const [saved, setSaved] = useState<string | null>(null);

  // The search box filters after a short pause (server full-text search).
  useEffect(() => {
    const value = search.trim();
    if (value === q) return;
    const timer = setTimeout(() => setParams({ q: value }), 300);
    return () => clearTimeout(timer);
    // eslint-disable-next-line react-hooks/exhaustive-deps -- only typing starts a new search
  }, [search]);

  const dataset = useQuery(trpc.datasets.get.queryOptions({ orgSlug, projectSlug, name }));
  const versions = useQuery(trpc.datasets.versions.queryOptions({ orgSlug, projectSlug, name, limit: 200 }));
  const input = { orgSlug, projectSlug, name, version: requestedVersion, page, pageSize, search: q || undefined, tag: tag || undefined, source };
  const items = useQuery({ ...trpc.datasets.items.queryOptions(input), placeholderData: keepPreviousData });
  const tags = useQuery(trpc.datasets.tags.queryOptions({ orgSlug, projectSlug, name, version: requestedVersion }));

  const latest = dataset.data?.latestVersion ?? 0;
  const version = items.data?.version ?? requestedVersion ?? latest;
  const onLatest = version === latest;
  const writable = canWrite && onLatest && !dataset.data?.archivedAt;
  const filtered = !!(q || tag || source);

  // Selection belongs to one listing: a new version, filter or page starts empty.
  const [rowSelection, setRowSelection] = useState<RowSelectionState>({});
  const listingKey = JSON.stringify(input);
  const [selectionFor, setSelectionFor] = useState(listingKey);
  if (selectionFor !== listingKey) {
    setSelectionFor(listingKey);
    setRowSelection({});
  }

  // Keys whose values differ most across the page come first in the input summary: a policy text
  // shared by every item says less than the question that changes from row to row.
  const pageItems = items.data?.items as ItemRow[] | undefined;
  const keyOrder = useMemo(() => distinctiveKeyOrder(pageItems ?? []), [pageItems]);

  const columns = useMemo(
    () =>
      helper.columns([
        ...(writable
          ? [
              helper.display({
                id: "select",
                header: ({ table }) => (
                  <input
                    type="checkbox"
                    aria-label="Select all items on this page"
                    className="size-4 rounded border-zinc-300 align-middle accent-[var(--color-accent)]"
                    checked={table.getIsAllPageRowsSelected()}
                    ref={(el) => {
                      if (el) el.indeterminate = table.getIsSomePageRowsSelected() && !table.getIsAllPageRowsSelected();
                    }}
                    onChange={(e) => table.toggleAllPageRowsSelected(e.target.checked)}
                  />
                ),
                cell: ({ row }) => (
                  <input
                    type="checkbox"
                    aria-label={`Select item #${row.original.position}`}
                    className="size-4 rounded border-zinc-300 align-middle accent-[var(--color-accent)]"
                    checked={row.getIsSelected()}
                    onChange={(e) => row.toggleSelected(e.target.checked)}
                  />
                ),
              }),
            ]
          : []),
        helper.accessor("position", { header: "#", cell: ({ getValue }) => <span className="font-mono text-xs text-zinc-500">{getValue()}</span> }),
        helper.accessor("input", {
          header: "Input",
          cell: ({ row, getValue }) => (
            <button
              type="button"
              onClick={() => setOpenItem(row.original.itemId)}
              className="block max-w-[26rem] truncate text-left text-zinc-800 hover:text-accent hover:underline focus-visible:underline"
              title="Open item"
            >
              <span className="sr-only">Open item #{row.original.position}: </span>
              {inputPreview(getValue(), keyOrder)}
            </button>
          ),
        }),
        helper.accessor("expected", {
          header: "Expected",
          cell: ({ getValue }) => {
            const v = getValue();
            return v === null || v === undefined ? (
              <span className="text-xs text-zinc-500">none</span>
            ) : (
              <span className="block max-w-[16rem] truncate text-zinc-600">{preview(v, 100)}</span>
            );
          },
        }),
        helper.accessor("tags", {
          header: "Tags",
          cell: ({ getValue }) => (
            <span className="flex min-w-40 flex-wrap gap-1">
              {getValue().map((t) => (
                <Badge key={t} tone="outline">
                  {t}
                </Badge>
              ))}
            </span>
          ),
        }),
        helper.accessor("sourceType", { header: "Source", cell: ({ getValue }) => <span className="text-xs text-zinc-500">{SOURCE_LABELS[getValue()]}</span> }),
      ]),
    [writable, setOpenItem, keyOrder],
  );

  const table = useTable({
    features,
    columns,
    data: (items.data?.items as ItemRow[] | undefined) ?? NO_ROWS,
    getRowId: (row) => row.itemId,
    state: { rowSelection },
    onRowSelectionChange: setRowSelection,
  });
  const selectedIds = Object.keys(rowSelection);
  const rows = table.getRowModel().rows;
  const headers = table.getHeaderGroups();
  const suggestedKeys = [...new Set(rows.flatMap((r) => Object.keys(r.original.input)))].slice(0, 20);

  const versionNumbers = versions.data?.versions.map((v) => v.version) ?? [];
  if (version > 0 && !versionNumbers.includes(version)) versionNumbers.unshift(version);

  function afterChange(message: string) {
    setSaved(message);
    setRowSelection({});
    // The list follows the newest version after a change.
    if (requestedVersion !== undefined) setParams({ v: undefined }, { resetPage: false });
  }

  return (
    <>
      {!onLatest && latest > 0 ? (
        <Alert tone="info" className="mb-4">
          You are looking at version {version} of {latest}.{" "}
          <button type="button" className="font-medium underline" onClick={() => setParams({ v: undefined })}>
            Show the latest version
          </button>
          {canWrite ? " to change items." : "."}
        </Alert>
      ) : null}
      {saved ? (
        <Alert tone="success" className="mb-4">
          {saved}
        </Alert>
      ) : null}
      <Card aria-labelledby="items-title">
        <div className="flex flex-wrap items-center justify-between gap-3 border-b border-zinc-200 px-4 py-3">
          <div className="flex min-h-7 items-center gap-3">
            <h2 id="items-title" className="text-sm font-semibold text-zinc-900">
              {items.data ? `${formatCount(items.data.total)} ${items.data.total === 1 ? "item" : "items"}${filtered ? " match" : ""}` : "Items"}
            </h2>
            {items.isFetching && !items.isPending ? <Spinner size={12} /> : null}
          </div>
          <div className="flex flex-wrap items-center gap-2">
            <Button size="sm" icon={<FileTextIcon size={14} />} onClick={() => setDialog("coverage")} disabled={version === 0}>
              Check against a prompt
            </Button>
            {version > 0 ? (
              <>
                <a
                  href={exportHref(orgSlug, projectSlug, name, version, "csv")}
                  download
                  className={buttonClasses({ size: "sm" })}
                  aria-label={`Export version ${version} as CSV`}
                >
                  <DownloadIcon size={14} />
                  CSV
                </a>
                <a
                  href={exportHref(orgSlug, projectSlug, name, version, "jsonl")}
                  download
                  className={buttonClasses({ size: "sm" })}
                  aria-label={`Export version ${version} as JSONL`}
                >
                  <DownloadIcon size={14} />
                  JSONL
                </a>
              </>
            ) : null}
            {writable && version > 0 ? (
              <Menu
                menuLabel="Bulk edit"
                align="end"
                triggerClassName={buttonClasses({ size: "sm" })}
                trigger="Bulk edit"
                menuClassName="w-64"
                sections={[
                  {
                    key: "fields",
                    label: "Every item of the latest version",
                    items: [
                      { key: "add", label: "Add field…", description: "With a default value", onSelect: () => setFieldEdit({ kind: "add" }) },
                      { key: "rename", label: "Rename field…", onSelect: () => setFieldEdit({ kind: "rename" }) },
                      { key: "drop", label: "Drop field…", danger: true, onSelect: () => setFieldEdit({ kind: "drop" }) },
                    ],
                  },
                ]}
              />
            ) : null}
            {writable ? (
              <Button size="sm" variant="primary" icon={<PlusIcon size={14} />} onClick={() => setDialog("add")}>
                Add item
              </Button>
            ) : null}
          </div>
        </div>
        <form
          role="search"
          aria-label="Filter items"
          className="flex flex-wrap items-end gap-2 border-b border-zinc-200 bg-zinc-50/60 px-4 py-2.5"
          onSubmit={(e) => (e.preventDefault(), setParams({ q: search.trim() }))}
        >
          <Select
            label="Version"
            size="sm"
            value={String(version)}
            onChange={(e) => setParams({ v: Number(e.target.value) === latest ? undefined : e.target.value })}
            boxClassName="w-40"
            disabled={version === 0}
          >
            {version === 0 ? <option value="0">No versions</option> : null}
            {versionNumbers.map((n) => (
              <option key={n} value={n}>
                Version {n}
                {n === latest ? " (latest)" : ""}
              </option>
            ))}
          </Select>
          <Input
            label="Search"
            type="search"
            placeholder="Words in input or expected output"
            value={search}
            onChange={(e) => setSearch(e.target.value)}
            wrapperClassName="w-72"
            className="h-7 text-[13px]"
          />
          <Select label="Tag" size="sm" value={tag} onChange={(e) => setParams({ tag: e.target.value })} boxClassName="w-44">
            <option value="">All items</option>
            {(tags.data ?? []).map((t) => (
              <option key={t.tag} value={t.tag}>
                {t.tag} ({t.count})
              </option>
            ))}
            {tag && !tags.data?.some((t) => t.tag === tag) ? <option value={tag}>{tag} (0)</option> : null}
          </Select>
          <Select label="Source" size="sm" value={source ?? ""} onChange={(e) => setParams({ source: e.target.value })} boxClassName="w-36">
            <option value="">Any source</option>
            {DATASET_ITEM_SOURCES.map((s) => (
              <option key={s} value={s}>
                {SOURCE_LABELS[s]}
              </option>
            ))}
          </Select>
          {filtered ? (
            <Button size="sm" variant="ghost" onClick={() => (setSearch(""), setParams({ q: undefined, tag: undefined, source: undefined }))}>
              Clear filters
            </Button>
          ) : null}
        </form>
        {writable && selectedIds.length > 0 ? (
          <div role="region" aria-label="Selection" className="flex flex-wrap items-center gap-2 border-b border-indigo-100 bg-accent-soft/50 px-4 py-2">
            <span className="text-[13px] font-medium text-zinc-800" aria-live="polite">
              {selectedIds.length} selected
            </span>
            <Button size="sm" onClick={() => setDialog("tag")}>
              Tag…
            </Button>
            <Button size="sm" onClick={() => setFieldEdit({ kind: "set", selection: rows.filter((r) => r.getIsSelected()).map((r) => r.original) })}>
              Set field…
            </Button>
            <Button size="sm" onClick={() => setFieldEdit({ kind: "remove", selection: rows.filter((r) => r.getIsSelected()).map((r) => r.original) })}>
              Remove field…
            </Button>
            <Button size="sm" variant="danger-ghost" icon={<TrashIcon size={14} />} onClick={() => setDialog("archive")}>
              Archive…
            </Button>
            <Button size="sm" variant="ghost" onClick={() => setRowSelection({})}>
              Clear selection
            </Button>
          </div>
        ) : null}
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
            icon={<DatabaseIcon />}
            title={filtered ? "No items match" : version === 0 ? "No items yet" : "This version has no items"}
            description={filtered ? "Try other words, another tag or source." : writable ? "Add items by hand or import a CSV or JSONL file." : undefined}
            action={
              filtered ? null : writable ? (
                <span className="flex gap-2">
                  <Button size="sm" variant="primary" icon={<PlusIcon size={14} />} onClick={() => setDialog("add")}>
                    Add item
                  </Button>
                  <a href={datasetHref(orgSlug, projectSlug, name, "import")} className={buttonClasses({ size: "sm" })}>
                    Import a file
                  </a>
                </span>
              ) : null
            }
          />
        ) : (
          <Table caption={`Items of ${name}, version ${version}`}>
            <thead className="border-b border-zinc-200 bg-zinc-50/80">
              {headers.map((group) => (
                <tr key={group.id}>
                  {group.headers.map((header) => (
                    <th
                      key={header.id}
                      scope="col"
                      className={cn(
                        "h-8 px-3 text-xs font-medium whitespace-nowrap text-zinc-500 first:pl-4 last:pr-4",
                        header.column.id === "select" && "w-8",
                      )}
                    >
                      {header.isPlaceholder ? null : <table.FlexRender header={header} />}
                    </th>
                  ))}
                </tr>
              ))}
            </thead>
            <tbody className="divide-y divide-zinc-100">
              {rows.map((row) => (
                <tr key={row.id} className={cn("align-middle", row.getIsSelected() && "bg-accent-soft/40")}>
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
        {items.data && items.data.total > 0 ? (
          <Pagination
            page={items.data.page}
            pageSize={pageSize}
            total={items.data.total}
            onPage={(p) => setParams({ page: p > 1 ? p : undefined }, { resetPage: false })}
            onPageSize={(s) => setParams({ size: s === 50 ? undefined : s })}
          />
        ) : null}
      </Card>

      {openItem ? (
        <ItemDialog
          orgSlug={orgSlug}
          projectSlug={projectSlug}
          name={name}
          itemId={openItem}
          version={version}
          canEdit={writable}
          onClose={() => setOpenItem(null)}
          onSaved={(v) => afterChange(v ? `Saved. The dataset is now at version ${v}.` : "Nothing changed: the item already had this content.")}
        />
      ) : null}
      {dialog === "add" ? (
        <AddItemDialog
          orgSlug={orgSlug}
          projectSlug={projectSlug}
          name={name}
          suggestedKeys={suggestedKeys}
          onClose={() => setDialog(null)}
          onSaved={(v) => afterChange(`Item added in version ${v}.`)}
        />
      ) : null}
      {dialog === "tag" ? (
        <TagItemsDialog
          orgSlug={orgSlug}
          projectSlug={projectSlug}
          name={name}
          itemIds={selectedIds}
          existingTags={(tags.data ?? []).map((t) => t.tag)}
          onClose={() => setDialog(null)}
          onSaved={(v, n) =>
            afterChange(v ? `Tags changed on ${n} ${n === 1 ? "item" : "items"} in version ${v}.` : "Nothing changed: the items already had those tags.")
          }
        />
      ) : null}
      {dialog === "archive" ? (
        <ArchiveItemsDialog
          orgSlug={orgSlug}
          projectSlug={projectSlug}
          name={name}
          itemIds={selectedIds}
          onClose={() => setDialog(null)}
          onSaved={(v, n) => afterChange(v ? `${n} ${n === 1 ? "item" : "items"} archived in version ${v}. Earlier versions keep them.` : "Nothing changed.")}
        />
      ) : null}
      {fieldEdit ? (
        <FieldEditDialog
          orgSlug={orgSlug}
          projectSlug={projectSlug}
          name={name}
          kind={fieldEdit.kind}
          selection={fieldEdit.selection}
          onClose={() => setFieldEdit(null)}
          onSaved={(_, summary) => afterChange(summary)}
        />
      ) : null}
      {dialog === "coverage" ? (
        <CoverageDialog
          orgSlug={orgSlug}
          projectSlug={projectSlug}
          name={name}
          version={version}
          onClose={() => setDialog(null)}
          onOpenItem={(id) => (setDialog(null), setOpenItem(id))}
        />
      ) : null}
    </>
  );
}

/** Input keys ranked by how many distinct values they have on this page (most first). */
function distinctiveKeyOrder(rows: readonly { input: Record<string, unknown> }[]): Map<string, number> {
  const values = new Map<string, Set<string>>();
  for (const row of rows) {
    for (const [k, v] of Object.entries(row.input)) {
      let set = values.get(k);
      if (!set) values.set(k, (set = new Set()));
      set.add(typeof v === "string" ? v : JSON.stringify(v));
    }
  }
  const ranked = [...values.entries()].sort((a, b) => b[1].size - a[1].size);
  return new Map(ranked.map(([k], i) => [k, i]));
}

function inputPreview(input: Record<string, unknown>, order: Map<string, number>): string {
  const entries = Object.entries(input).sort((a, b) => (order.get(a[0]) ?? 0) - (order.get(b[0]) ?? 0));
  if (entries.length === 0) return "(empty input)";
  if (entries.length === 1) return preview(entries[0]![1], 140) || `${entries[0]![0]}: (empty)`;
  return entries
    .map(([k, v]) => `${k}: ${preview(v, 60)}`)
    .join(" · ")
    .slice(0, 160);
}
