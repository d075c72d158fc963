"use client";
// The project's evaluators: name, kind, what the latest version checks, its version and author;
// "show archived" is kept in the address. Writers create one in a dialog (?new=1 opens it).
import { useQuery } from "@tanstack/react-query";
import dynamic from "next/dynamic";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useUrlParams } from "@/components/lib/url-params";
import { EVALUATOR_KIND_INFO, type EvaluatorKind } from "@/server/contracts/evaluators";
import { useTRPC } from "@/components/trpc/client";
import { Badge, Button, Card, Checkbox, EmptyState, PageHeader, Spinner, TBody, TD, TH, THead, TR, Table } from "@/components/ui";
import { CheckCircleIcon, PlusIcon } from "@/components/ui/icons";
import { QueryErrorAlert } from "@/components/lib/error-alert";
import { Time } from "@/components/lib/time";
import { describeConfig } from "./evaluator-model";
import { evaluatorHref } from "./model";

// Loaded with its first opening (react-hook-form stays out of the list's first load).
const EvaluatorDialog = dynamic(() => import("./evaluator-form").then((m) => m.EvaluatorDialog));

type Props = { orgSlug: string; projectSlug: string; projectName: string; canWrite: boolean };

export function EvaluatorsList({ orgSlug, projectSlug, projectName, canWrite }: Props) {
  const trpc = useTRPC();
  const router = useRouter();
  const { searchParams, setParams } = useUrlParams();
  const showArchived = searchParams.get("archived") === "1";
  const creating = canWrite && searchParams.get("new") === "1";

  const setParam = (key: string, value: string) => setParams({ [key]: value });

  const evaluators = useQuery(trpc.evaluators.list.queryOptions({ orgSlug, projectSlug, includeArchived: showArchived }));
  const rows = evaluators.data ?? [];

  const newButton = canWrite ? (
    <Button variant="primary" icon={<PlusIcon />} onClick={() => setParam("new", "1")}>
      New evaluator
    </Button>
  ) : null;

  return (
    <>
      <PageHeader
        eyebrow={projectName}
        title="Evaluators"
        description="Checks that score each answer of a run: exact or fuzzy matches, patterns, JSON, length, latency, cost, or a model acting as judge. Every change makes a new version; runs record the version they used."
        actions={newButton}
      />
      <Card aria-labelledby="evaluators-title">
        <div className="flex flex-wrap items-center justify-between gap-3 border-b border-zinc-200 px-4 py-3">
          <div className="flex min-h-7 items-center gap-3">
            <h2 id="evaluators-title" className="text-sm font-semibold text-zinc-900">
              {evaluators.isSuccess ? `${rows.length} ${rows.length === 1 ? "evaluator" : "evaluators"}` : "Evaluators"}
            </h2>
            {evaluators.isFetching && !evaluators.isPending ? <Spinner size={12} /> : null}
          </div>
          <Checkbox label="Show archived" checked={showArchived} onChange={(e) => setParam("archived", e.target.checked ? "1" : "")} />
        </div>
        {evaluators.isPending ? (
          <div className="px-4 py-10 text-center">
            <Spinner label="Loading evaluators…" />
          </div>
        ) : evaluators.isError ? (
          <div className="p-4">
            <QueryErrorAlert title="Could not load the evaluators" error={evaluators.error} />
          </div>
        ) : rows.length === 0 ? (
          <EmptyState
            icon={<CheckCircleIcon />}
            title="No evaluators yet"
            description={canWrite ? "Create an evaluator, then choose it when you start a run." : "Editors create evaluators; you will see them here."}
            action={newButton}
          />
        ) : (
          <Table caption={`Evaluators of ${projectName}`}>
            <THead>
              <TR>
                <TH>Name</TH>
                <TH>Kind</TH>
                <TH>Checks</TH>
                <TH>Latest</TH>
                <TH>Changed</TH>
              </TR>
            </THead>
            <TBody>
              {rows.map((e) => (
                <TR key={e.id}>
                  <TD>
                    <span className="flex items-center gap-2">
                      <Link
                        href={evaluatorHref(orgSlug, projectSlug, e.name)}
                        className="font-mono text-[13px] font-medium text-zinc-900 hover:text-accent hover:underline"
                      >
                        {e.name}
                      </Link>
                      {e.archivedAt ? <Badge tone="warning">archived</Badge> : null}
                    </span>
                    {e.description ? <span className="block max-w-md truncate text-xs text-zinc-500">{e.description}</span> : null}
                  </TD>
                  <TD>
                    <Badge tone="outline">{EVALUATOR_KIND_INFO[e.kind as EvaluatorKind]?.label ?? e.kind}</Badge>
                  </TD>
                  <TD className="max-w-xs truncate font-mono text-xs text-zinc-600">{describeConfig(e.config)}</TD>
                  <TD className="font-mono text-xs text-zinc-700">v{e.latestVersion}</TD>
                  <TD className="whitespace-nowrap text-zinc-500">
                    <Time value={e.updatedAt} mode="relative" />
                    {e.updatedBy ? <span className="block text-xs text-zinc-500">{e.updatedBy}</span> : null}
                  </TD>
                </TR>
              ))}
            </TBody>
          </Table>
        )}
      </Card>
      {creating ? (
        <EvaluatorDialog
          orgSlug={orgSlug}
          projectSlug={projectSlug}
          mode={{ type: "create" }}
          onClose={() => setParam("new", "")}
          onSaved={(r) => router.push(evaluatorHref(orgSlug, projectSlug, r.name))}
        />
      ) : null}
    </>
  );
}
