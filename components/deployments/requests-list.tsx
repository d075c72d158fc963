"use client";
// The project's deployment requests, newest first: which version of which prompt goes (or went)
// to which environment, promotion or rollback, its state, who asked and who approved so far.
// Status (open/closed/all), environment, prompt and page are kept in the address.
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useUrlParams } from "@/components/lib/url-params";
import { useTRPC } from "@/components/trpc/client";
import { Button, ButtonLink, Card, EmptyState, PageHeader, Select, Spinner, TBody, TD, TH, THead, TR, Table, cn } from "@/components/ui";
import { CheckIcon, FileTextIcon, LockIcon, RocketIcon } from "@/components/ui/icons";
import { Pagination } from "@/components/ui/pagination";
import { QueryErrorAlert } from "@/components/lib/error-alert";
import { Time } from "@/components/lib/time";
import { promptHref } from "@/components/prompts/model";
import { DeploymentTabs, deploymentRequestHref, deploymentsHref } from "./deployment-tabs";
import { DeploymentKindBadge, DeploymentStateBadge } from "./model";
import { formatCount } from "@/components/lib/format";

type Props = { orgSlug: string; projectSlug: string; projectName: string; canRequest: boolean };

const STATUSES = ["open", "closed", "all"] as const;
type Status = (typeof STATUSES)[number];
const STATUS_LABELS: Record<Status, string> = { open: "Open", closed: "Closed", all: "All" };

export function RequestsList({ orgSlug, projectSlug, projectName, canRequest }: Props) {
  const trpc = useTRPC();
  const { searchParams, setParams, paging } = useUrlParams();
  const statusParam = searchParams.get("status") ?? "";
  const status: Status = (STATUSES as readonly string[]).includes(statusParam) ? (statusParam as Status) : "open";
  const environment = searchParams.get("environment")?.slice(0, 40) ?? "";
  const prompt = searchParams.get("prompt")?.slice(0, 200) ?? "";
  const { page, pageSize } = paging();
  const filtered = !!environment || !!prompt;

  const environments = useQuery(trpc.environments.list.queryOptions({ orgSlug, projectSlug }));
  const prompts = useQuery(trpc.prompts.list.queryOptions({ orgSlug, projectSlug, limit: 200 }));
  const requests = useQuery({
    ...trpc.deployments.list.queryOptions({ orgSlug, projectSlug, status, environment: environment || undefined, prompt: prompt || undefined, page, pageSize }),
    placeholderData: keepPreviousData,
    // Open requests move on (approvals, deploys) while the page is open.
    refetchInterval: status === "closed" ? false : 30_000,
  });
  const rows = requests.data?.rows ?? [];
  const total = requests.data?.total ?? 0;
  const protectedEnvs = new Set((environments.data ?? []).filter((e) => e.protected).map((e) => e.name));

  const statusHref = (s: Status) =>
    deploymentsHref(orgSlug, projectSlug, undefined, {
      status: s === "open" ? undefined : s,
      environment,
      prompt,
      size: pageSize !== 25 ? pageSize : undefined,
    });
  const noun = status === "all" ? "" : `${status} `;

  return (
    <>
      <DeploymentTabs orgSlug={orgSlug} projectSlug={projectSlug} />
      <PageHeader
        eyebrow={projectName}
        title="Deployment requests"
        description="A protected environment moves to a new prompt version only through an approved request: someone asks for a version with a reason, the environment's approvers decide, and Keel deploys it and keeps the evidence."
      />
      <Card aria-labelledby="requests-title">
        <div className="flex flex-wrap items-center justify-between gap-3 border-b border-zinc-200 px-4 py-3">
          <div className="flex min-h-7 items-center gap-3">
            <h2 id="requests-title" className="text-sm font-semibold text-zinc-900">
              {requests.isSuccess ? `${formatCount(total)} ${noun}${total === 1 ? "request" : "requests"}` : "Requests"}
            </h2>
            {requests.isFetching && !requests.isPending ? <Spinner size={12} /> : null}
          </div>
          <div className="flex flex-wrap items-center gap-3">
            <nav aria-label="Request status" className="flex rounded-md border border-zinc-300 bg-white p-0.5 shadow-xs">
              {STATUSES.map((s) => (
                <Link
                  key={s}
                  href={statusHref(s)}
                  replace
                  scroll={false}
                  aria-current={status === s ? "page" : undefined}
                  className={cn(
                    "rounded px-2.5 py-1 text-xs font-medium transition-colors",
                    status === s ? "bg-zinc-900 text-white" : "text-zinc-600 hover:bg-zinc-100 hover:text-zinc-900",
                  )}
                >
                  {STATUS_LABELS[s]}
                </Link>
              ))}
            </nav>
            <form role="search" aria-label="Filter requests" className="flex flex-wrap items-center gap-2" onSubmit={(e) => e.preventDefault()}>
              <Select
                label="Environment"
                hideLabel
                size="sm"
                value={environment}
                onChange={(e) => setParams({ environment: e.target.value })}
                boxClassName="w-44"
                disabled={environments.isPending}
              >
                <option value="">All environments</option>
                {(environments.data ?? []).map((env) => (
                  <option key={env.id} value={env.name}>
                    {env.name}
                    {env.protected ? " (protected)" : ""}
                  </option>
                ))}
                {environment && environments.data && !environments.data.some((e) => e.name === environment) ? (
                  <option value={environment}>{environment}</option>
                ) : null}
              </Select>
              <Select
                label="Prompt"
                hideLabel
                size="sm"
                value={prompt}
                onChange={(e) => setParams({ prompt: e.target.value })}
                boxClassName="w-56"
                disabled={prompts.isPending}
              >
                <option value="">All prompts</option>
                {(prompts.data?.items ?? []).map((p) => (
                  <option key={p.id} value={p.name}>
                    {p.name}
                  </option>
                ))}
                {prompt && prompts.data && !prompts.data.items.some((p) => p.name === prompt) ? <option value={prompt}>{prompt}</option> : null}
              </Select>
            </form>
          </div>
        </div>
        {requests.isPending ? (
          <div className="px-4 py-10 text-center">
            <Spinner label="Loading deployment requests…" />
          </div>
        ) : requests.isError ? (
          <div className="p-4">
            <QueryErrorAlert title="Could not load the deployment requests" error={requests.error} />
          </div>
        ) : rows.length === 0 ? (
          filtered ? (
            <EmptyState
              icon={<RocketIcon />}
              title={`No ${noun}requests${prompt ? ` for ${prompt}` : ""}${environment ? ` to ${environment}` : ""}`}
              description="Try another status, or clear the filters to see every request."
              action={<Button onClick={() => setParams({ environment: undefined, prompt: undefined })}>Clear filters</Button>}
            />
          ) : status === "closed" ? (
            <EmptyState
              icon={<RocketIcon />}
              title="No closed requests yet"
              description="Requests end up here once they are deployed, rejected, cancelled, expired or replaced by a newer request."
            />
          ) : (
            <EmptyState
              icon={<RocketIcon />}
              title={status === "open" ? "No requests waiting" : "No deployment requests yet"}
              description={
                canRequest
                  ? "Request a deployment from a prompt's page: open the prompt, choose a version and request it for a protected environment."
                  : "Editors request deployments from a prompt's page; requests waiting for approval will appear here."
              }
              action={
                canRequest ? (
                  <ButtonLink icon={<FileTextIcon />} href={`/o/${orgSlug}/p/${projectSlug}/prompts`}>
                    Go to prompts
                  </ButtonLink>
                ) : null
              }
            />
          )
        ) : (
          <Table
            caption={`Deployment requests of ${projectName} (${STATUS_LABELS[status].toLowerCase()}${prompt ? `, ${prompt}` : ""}${environment ? `, ${environment}` : ""})`}
          >
            <THead>
              <TR>
                <TH className="w-16">Request</TH>
                <TH>Prompt</TH>
                <TH>Change</TH>
                <TH>Environment</TH>
                <TH>State</TH>
                <TH>Approvals</TH>
                <TH>Requested</TH>
              </TR>
            </THead>
            <TBody>
              {rows.map((r) => (
                <TR key={r.number} className="align-top">
                  <TD>
                    <Link
                      href={deploymentRequestHref(orgSlug, projectSlug, r.number)}
                      className="font-mono text-[13px] font-medium text-zinc-900 hover:text-accent hover:underline"
                      aria-label={`Request #${r.number}`}
                    >
                      #{r.number}
                    </Link>
                  </TD>
                  <TD className="max-w-52">
                    <Link href={promptHref(orgSlug, projectSlug, r.prompt)} className="font-mono text-xs text-zinc-800 hover:text-accent hover:underline">
                      {r.prompt}
                    </Link>
                    <span className="block truncate text-xs text-zinc-500" title={r.justification}>
                      {r.justification}
                    </span>
                  </TD>
                  <TD className="whitespace-nowrap">
                    <span className="flex items-center gap-1.5">
                      <Link
                        href={promptHref(orgSlug, projectSlug, r.prompt, undefined, { version: r.version })}
                        className="font-mono text-xs font-medium text-zinc-900 hover:text-accent hover:underline"
                        aria-label={`${r.prompt} version ${r.version}`}
                      >
                        v{r.version}
                      </Link>
                      <DeploymentKindBadge kind={r.kind} />
                    </span>
                    <span className="mt-0.5 block text-xs text-zinc-500">{r.fromVersion !== null ? `from v${r.fromVersion}` : "first deployment"}</span>
                  </TD>
                  <TD className="whitespace-nowrap">
                    <span className="inline-flex items-center gap-1 font-mono text-xs text-zinc-800">
                      {protectedEnvs.has(r.environment) ? <LockIcon size={11} className="text-amber-600" /> : null}
                      {r.environment}
                    </span>
                  </TD>
                  <TD>
                    <DeploymentStateBadge state={r.state} />
                  </TD>
                  <TD className="text-xs">
                    {r.approvals.length ? (
                      <ul
                        aria-label={`${r.approvals.length} ${r.approvals.length === 1 ? "approval" : "approvals"}`}
                        className="flex flex-col gap-0.5 text-zinc-700"
                      >
                        {r.approvals.map((a) => (
                          <li key={a} className="flex items-center gap-1 whitespace-nowrap">
                            <CheckIcon size={12} className="text-emerald-600" />
                            {a}
                          </li>
                        ))}
                      </ul>
                    ) : (
                      <span className={r.state === "pending" ? "text-amber-700" : "text-zinc-500"}>{r.state === "pending" ? "none yet" : "none"}</span>
                    )}
                  </TD>
                  <TD className="text-xs whitespace-nowrap">
                    <span className="block text-zinc-700">{r.requestedBy}</span>
                    <Time value={r.createdAt} mode="relative" className="text-zinc-500" />
                  </TD>
                </TR>
              ))}
            </TBody>
          </Table>
        )}
        {requests.data && total > 0 ? (
          <Pagination
            label="Request pages"
            page={requests.data.page}
            pageSize={pageSize}
            total={total}
            onPage={(p) => setParams({ page: p > 1 ? p : undefined }, { resetPage: false })}
            onPageSize={(s) => setParams({ size: s === 25 ? undefined : s })}
          />
        ) : null}
      </Card>
    </>
  );
}
