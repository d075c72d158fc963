"use client";
// The project's prompts: search and tag filter (kept in the address), grouped by folder (the
// part of a name before its last "/"), with type, latest version and the labels pointing at it.
import { keepPreviousData, useInfiniteQuery, useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useUrlParams, useUrlSearch } from "@/components/lib/url-params";
import { useTRPC } from "@/components/trpc/client";
import { Badge, Button, ButtonLink, Card, EmptyState, Input, PageHeader, Select, Spinner, TBody, TD, TH, THead, TR, Table } from "@/components/ui";
import { FileTextIcon, FolderIcon, PlusIcon } from "@/components/ui/icons";
import { QueryErrorAlert } from "@/components/lib/error-alert";
import { Time } from "@/components/lib/time";
import { promptHref } from "./model";
import { LabelBadge, TypeBadge } from "./badges";

type Props = { orgSlug: string; projectSlug: string; projectName: string; canWrite: boolean };

function folderOf(name: string): string {
  const i = name.lastIndexOf("/");
  return i < 0 ? "" : name.slice(0, i);
}

export function PromptsList({ orgSlug, projectSlug, projectName, canWrite }: Props) {
  const trpc = useTRPC();
  const { searchParams, setParams } = useUrlParams();
  const tag = searchParams.get("tag")?.slice(0, 40) ?? "";
  const { search, setSearch, query, submit } = useUrlSearch("q", 200);

  const input = { orgSlug, projectSlug, search: query || undefined, tag: tag || undefined, limit: 100 };
  const prompts = useInfiniteQuery(
    trpc.prompts.list.infiniteQueryOptions(input, { getNextPageParam: (last) => last.nextCursor ?? undefined, placeholderData: keepPreviousData }),
  );
  // Tags offered by the filter come from the unfiltered list.
  const all = useQuery(trpc.prompts.list.queryOptions({ orgSlug, projectSlug, limit: 200 }));
  const tags = [...new Set((all.data?.items ?? []).flatMap((p) => p.tags))].sort();
  if (tag && !tags.includes(tag)) tags.unshift(tag);

  const items = prompts.data?.pages.flatMap((p) => p.items) ?? [];
  const groups = new Map<string, typeof items>();
  for (const item of items) {
    const folder = folderOf(item.name);
    groups.set(folder, [...(groups.get(folder) ?? []), item]);
  }
  const ordered = [...groups.entries()].sort(([a], [b]) => (a === "" ? -1 : b === "" ? 1 : a.localeCompare(b)));
  const filtered = !!(query || tag);

  const newButton = canWrite ? (
    <ButtonLink variant="primary" icon={<PlusIcon />} href={`/o/${orgSlug}/p/${projectSlug}/prompts/new`}>
      New prompt
    </ButtonLink>
  ) : null;

  return (
    <>
      <PageHeader
        eyebrow={projectName}
        title="Prompts"
        description="Every prompt of this project with its numbered versions. Labels show which version each environment serves."
        actions={newButton}
      />
      <Card aria-labelledby="prompts-title">
        <div className="flex flex-wrap items-end justify-between gap-3 border-b border-zinc-200 px-4 py-3">
          <div className="flex min-h-7 items-center gap-3">
            <h2 id="prompts-title" className="text-sm font-semibold text-zinc-900">
              {prompts.isSuccess ? `${items.length}${prompts.hasNextPage ? "+" : ""} ${items.length === 1 ? "prompt" : "prompts"}` : "Prompts"}
            </h2>
            {prompts.isFetching && !prompts.isPending ? <Spinner size={12} /> : null}
          </div>
          <form role="search" aria-label="Filter prompts" className="flex flex-wrap items-end gap-2" onSubmit={(e) => (e.preventDefault(), submit())}>
            <Input
              label="Search"
              hideLabel
              type="search"
              placeholder="Search names and descriptions"
              value={search}
              onChange={(e) => setSearch(e.target.value)}
              wrapperClassName="w-64"
              className="h-7 text-[13px]"
            />
            <Select label="Tag" hideLabel size="sm" value={tag} onChange={(e) => setParams({ tag: e.target.value })} boxClassName="w-40">
              <option value="">All tags</option>
              {tags.map((t) => (
                <option key={t} value={t}>
                  {t}
                </option>
              ))}
            </Select>
          </form>
        </div>
        {prompts.isPending ? (
          <div className="px-4 py-10 text-center">
            <Spinner label="Loading prompts…" />
          </div>
        ) : prompts.isError ? (
          <div className="p-4">
            <QueryErrorAlert title="Could not load the prompts" error={prompts.error} />
          </div>
        ) : items.length === 0 ? (
          <EmptyState
            icon={<FileTextIcon />}
            title={filtered ? "No prompts match" : "No prompts yet"}
            description={
              filtered
                ? "Try another search or tag."
                : canWrite
                  ? "Create a prompt, then save versions and point environments at them."
                  : "Editors create prompts; you will see them here."
            }
            action={
              filtered ? (
                <Button size="sm" onClick={() => (setSearch(""), submit(""), setParams({ tag: undefined }))}>
                  Clear filters
                </Button>
              ) : (
                newButton
              )
            }
          />
        ) : (
          <Table caption={`Prompts of ${projectName}`}>
            <THead>
              <TR>
                <TH>Name</TH>
                {/* Narrow screens keep the name, the latest version and the labels (which version serves where). */}
                <TH className="hidden sm:table-cell">Type</TH>
                <TH>Latest</TH>
                <TH>Labels</TH>
                <TH className="hidden md:table-cell">Tags</TH>
                <TH className="hidden sm:table-cell">Updated</TH>
              </TR>
            </THead>
            {ordered.map(([folder, rows]) => (
              <TBody key={folder || "(root)"} aria-label={folder ? `Folder ${folder}` : undefined}>
                {folder ? (
                  <TR className="bg-zinc-50/70">
                    <TH scope="colgroup" colSpan={6} className="h-7 text-zinc-600">
                      <span className="inline-flex items-center gap-1.5 font-mono">
                        <FolderIcon size={14} className="text-zinc-500" />
                        {folder}/
                      </span>
                    </TH>
                  </TR>
                ) : null}
                {rows.map((p) => (
                  <TR key={p.id}>
                    <TD className={folder ? "pl-9!" : undefined}>
                      <Link
                        href={promptHref(orgSlug, projectSlug, p.name)}
                        className="font-mono text-[13px] font-medium text-zinc-900 hover:text-accent hover:underline"
                      >
                        {folder ? (
                          <>
                            <span className="sr-only">{folder}/</span>
                            {p.name.slice(folder.length + 1)}
                          </>
                        ) : (
                          p.name
                        )}
                      </Link>
                      {p.description ? <span className="block max-w-md truncate text-xs text-zinc-500">{p.description}</span> : null}
                    </TD>
                    <TD className="hidden sm:table-cell">
                      <TypeBadge type={p.type} />
                    </TD>
                    <TD className="font-mono text-xs text-zinc-700">v{p.latestVersion}</TD>
                    <TD>
                      {p.labels.length ? (
                        <ul className="flex max-w-72 flex-wrap gap-1" aria-label="Labels">
                          {p.labels.map((l) => (
                            <li key={l.name}>
                              <LabelBadge name={l.name} version={l.version} />
                            </li>
                          ))}
                        </ul>
                      ) : (
                        <span className="text-xs text-zinc-500">none</span>
                      )}
                    </TD>
                    <TD className="hidden md:table-cell">
                      {p.tags.length ? (
                        <ul className="flex max-w-56 flex-wrap gap-1" aria-label="Tags">
                          {p.tags.map((t) => (
                            <li key={t}>
                              <Badge tone="outline">{t}</Badge>
                            </li>
                          ))}
                        </ul>
                      ) : null}
                    </TD>
                    <TD className="hidden whitespace-nowrap text-zinc-500 sm:table-cell">
                      <Time value={p.updatedAt} mode="relative" />
                    </TD>
                  </TR>
                ))}
              </TBody>
            ))}
          </Table>
        )}
        {prompts.hasNextPage ? (
          <div className="border-t border-zinc-200 px-4 py-2.5 text-center">
            <Button size="sm" loading={prompts.isFetchingNextPage} onClick={() => prompts.fetchNextPage()}>
              Load more
            </Button>
          </div>
        ) : null}
      </Card>
    </>
  );
}
