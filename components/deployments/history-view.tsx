"use client";
// What was deployed where: every deployment as a timeline per environment (prompt, from → to
// version, promotion or rollback, who asked, who approved and why, change-freeze overrides), and
// "what was live at": the version each prompt served in an environment at a moment, with the
// request that put it there. Filters, page and the chosen moment are kept in the address.
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useUrlParams } from "@/components/lib/url-params";
import { useState, useSyncExternalStore, type FormEvent } from "react";
import { useTRPC } from "@/components/trpc/client";
import { Badge, Button, Card, CardHeader, EmptyState, Input, PageHeader, Select, Spinner, TBody, TD, TH, THead, TR, Table } from "@/components/ui";
import { ClockIcon, HistoryIcon, LockIcon, RocketIcon, ShieldAlertIcon } from "@/components/ui/icons";
import { Pagination } from "@/components/ui/pagination";
import { QueryErrorAlert } from "@/components/lib/error-alert";
import { formatDateTime, Time } from "@/components/lib/time";
import { promptHref } from "@/components/prompts/model";
import { DeploymentTabs, deploymentRequestHref } from "./deployment-tabs";
import { DeploymentKindBadge } from "./model";
import { formatCount } from "@/components/lib/format";

type Props = { orgSlug: string; projectSlug: string; projectName: string };
type Env = { id: string; name: string; protected: boolean };

const noSubscription = () => () => {};

/** "YYYY-MM-DDTHH:mm:ss" in the viewer's time zone (what a datetime-local input with step 1 holds). */
function toLocalInput(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`;
}

function parseDate(value: string | null): Date | null {
  if (!value) return null;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? null : date;
}

export function HistoryView({ orgSlug, projectSlug, projectName }: Props) {
  const trpc = useTRPC();
  const { searchParams, setParams, paging } = useUrlParams();
  const environment = searchParams.get("environment")?.slice(0, 40) ?? "";
  const prompt = searchParams.get("prompt")?.slice(0, 200) ?? "";
  const { page, pageSize } = paging();

  const environments = useQuery(trpc.environments.list.queryOptions({ orgSlug, projectSlug }));
  const prompts = useQuery(trpc.prompts.list.queryOptions({ orgSlug, projectSlug, limit: 200 }));
  const history = useQuery({
    ...trpc.deployments.history.queryOptions({ orgSlug, projectSlug, environment: environment || undefined, prompt: prompt || undefined, page, pageSize }),
    placeholderData: keepPreviousData,
  });
  const envs: Env[] = environments.data ?? [];
  const promptNames = (prompts.data?.items ?? []).map((p) => p.name);
  const rows = history.data?.rows ?? [];
  const total = history.data?.total ?? 0;
  const filtered = !!environment || !!prompt;

  // One timeline per environment, in the order the project lists its environments.
  const order = new Map(envs.map((e, i) => [e.name, i]));
  const byEnv = new Map<string, typeof rows>();
  for (const r of rows) byEnv.set(r.environment, [...(byEnv.get(r.environment) ?? []), r]);
  const groups = [...byEnv].sort(([a], [b]) => (order.get(a) ?? 999) - (order.get(b) ?? 999) || a.localeCompare(b));
  const protectedEnvs = new Set(envs.filter((e) => e.protected).map((e) => e.name));

  return (
    <>
      <DeploymentTabs orgSlug={orgSlug} projectSlug={projectSlug} />
      <PageHeader
        eyebrow={projectName}
        title="Deployment history"
        description="Every version that approved deployments put into an environment, with who asked, who approved and why. Look up what any environment served at a past moment, for an incident review or an audit."
      />

      <LiveAt orgSlug={orgSlug} projectSlug={projectSlug} envs={envs} envsPending={environments.isPending} promptNames={promptNames} />

      <Card aria-labelledby="timeline-title" className="mt-6">
        <div className="flex flex-wrap items-center justify-between gap-3 border-b border-zinc-200 px-4 py-3">
          <div className="flex min-h-7 items-center gap-3">
            <h2 id="timeline-title" className="text-sm font-semibold text-zinc-900">
              {history.isSuccess ? `${formatCount(total)} ${total === 1 ? "deployment" : "deployments"}` : "Deployments"}
            </h2>
            {history.isFetching && !history.isPending ? <Spinner size={12} /> : null}
          </div>
          <form role="search" aria-label="Filter deployments" className="flex flex-wrap items-center gap-2" onSubmit={(e) => e.preventDefault()}>
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
              {envs.map((env) => (
                <option key={env.id} value={env.name}>
                  {env.name}
                  {env.protected ? " (protected)" : ""}
                </option>
              ))}
              {environment && environments.data && !envs.some((e) => e.name === environment) ? <option value={environment}>{environment}</option> : null}
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
              {promptNames.map((name) => (
                <option key={name} value={name}>
                  {name}
                </option>
              ))}
              {prompt && prompts.data && !promptNames.includes(prompt) ? <option value={prompt}>{prompt}</option> : null}
            </Select>
          </form>
        </div>
        {history.isPending ? (
          <div className="px-4 py-10 text-center">
            <Spinner label="Loading the deployment history…" />
          </div>
        ) : history.isError ? (
          <div className="p-4">
            <QueryErrorAlert title="Could not load the deployment history" error={history.error} />
          </div>
        ) : rows.length === 0 ? (
          <EmptyState
            icon={<RocketIcon />}
            title={filtered ? `No deployments${prompt ? ` of ${prompt}` : ""}${environment ? ` to ${environment}` : ""}` : "No deployments yet"}
            description={
              filtered
                ? "Clear the filters to see every deployment."
                : "Approved requests to protected environments appear here once they are deployed. Request a deployment from a prompt's page."
            }
            action={filtered ? <Button onClick={() => setParams({ environment: undefined, prompt: undefined })}>Clear filters</Button> : null}
          />
        ) : (
          <div className="divide-y divide-zinc-200">
            {groups.map(([env, items]) => (
              <section key={env} aria-labelledby={`timeline-${env}`} className="px-4 py-4">
                <h3 id={`timeline-${env}`} className="mb-3 flex items-center gap-1.5 text-[13px] font-semibold text-zinc-900">
                  {protectedEnvs.has(env) ? <LockIcon size={12} className="text-amber-600" /> : null}
                  <span className="font-mono">{env}</span>
                  <span className="font-normal text-zinc-500">
                    · {items.length} {items.length === 1 ? "deployment" : "deployments"}
                    {total > rows.length ? " on this page" : ""}
                  </span>
                </h3>
                <ol aria-label={`Deployments to ${env}`} className="relative ml-1.5 border-l border-zinc-200">
                  {items.map((d) => (
                    <li key={d.id} className="relative pb-5 pl-5 last:pb-0">
                      <span
                        aria-hidden="true"
                        className={`absolute top-1.5 -left-[5px] size-2.5 rounded-full ring-2 ring-white ${d.freezeOverride ? "bg-amber-500" : d.kind === "rollback" ? "bg-zinc-500" : "bg-accent"}`}
                      />
                      <div className="flex flex-wrap items-center gap-x-2 gap-y-1 text-[13px]">
                        <Link
                          href={promptHref(orgSlug, projectSlug, d.prompt)}
                          className="font-mono text-xs font-medium text-zinc-900 hover:text-accent hover:underline"
                        >
                          {d.prompt}
                        </Link>
                        <span className="font-mono text-xs text-zinc-700">
                          {d.fromVersion !== null ? `v${d.fromVersion}` : "none"} → <span className="font-semibold text-zinc-900">v{d.version}</span>
                        </span>
                        <DeploymentKindBadge kind={d.kind} />
                        {d.freezeOverride ? (
                          <Badge tone="warning">
                            <ShieldAlertIcon size={11} />
                            Freeze override
                          </Badge>
                        ) : null}
                        <span className="text-xs text-zinc-500">
                          <Time value={d.deployedAt} /> (<Time value={d.deployedAt} mode="relative" />)
                        </span>
                      </div>
                      <dl className="mt-1.5 grid grid-cols-[auto_1fr] gap-x-3 gap-y-0.5 text-xs">
                        <dt className="text-zinc-500">Requested by</dt>
                        <dd className="text-zinc-800">
                          {d.requestedBy} in{" "}
                          <Link
                            href={deploymentRequestHref(orgSlug, projectSlug, d.request)}
                            className="font-mono font-medium text-zinc-900 hover:text-accent hover:underline"
                          >
                            request #{d.request}
                          </Link>
                        </dd>
                        <dt className="text-zinc-500">Approved by</dt>
                        <dd className="text-zinc-800">
                          {d.approvers.length ? d.approvers.join(", ") : <span className="text-zinc-500">no approvals recorded</span>}
                        </dd>
                        <dt className="text-zinc-500">Why</dt>
                        <dd className="whitespace-pre-line text-zinc-700">{d.justification}</dd>
                        <dt className="text-zinc-500">Content</dt>
                        <dd className="font-mono text-zinc-500" title={d.contentHash}>
                          {d.contentHash.slice(0, 12)}
                        </dd>
                      </dl>
                      {d.freezeOverride ? (
                        <p className="mt-2 rounded-md border border-amber-200 bg-amber-50 px-2.5 py-1.5 text-xs text-amber-900">
                          <span className="font-medium">Deployed during a change freeze.</span> {d.freezeOverride.by} broke the freeze: “
                          {d.freezeOverride.reason}”
                        </p>
                      ) : null}
                    </li>
                  ))}
                </ol>
              </section>
            ))}
          </div>
        )}
        {history.data && total > 0 ? (
          <Pagination
            label="History pages"
            page={history.data.page}
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

/** The "what was live at" form and its answer. The form needs the viewer's time zone, so it renders in the browser only. */
function LiveAt({
  orgSlug,
  projectSlug,
  envs,
  envsPending,
  promptNames,
}: {
  orgSlug: string;
  projectSlug: string;
  envs: Env[];
  envsPending: boolean;
  promptNames: string[];
}) {
  const mounted = useSyncExternalStore(
    noSubscription,
    () => true,
    () => false,
  );
  return (
    <Card aria-labelledby="live-at-title">
      <CardHeader
        titleId="live-at-title"
        title="What was live at…"
        description="Which version each prompt served in an environment at a moment, and the deployment that put it there."
      />
      {mounted ? (
        <LiveAtBody orgSlug={orgSlug} projectSlug={projectSlug} envs={envs} envsPending={envsPending} promptNames={promptNames} />
      ) : (
        <div className="px-4 py-6 text-center">
          <Spinner label="Loading…" />
        </div>
      )}
    </Card>
  );
}

function LiveAtBody({
  orgSlug,
  projectSlug,
  envs,
  envsPending,
  promptNames,
}: {
  orgSlug: string;
  projectSlug: string;
  envs: Env[];
  envsPending: boolean;
  promptNames: string[];
}) {
  const trpc = useTRPC();
  const { searchParams, setParams } = useUrlParams();
  // The asked question lives in the address: at (ISO time), atEnv, atPrompt.
  const askedAt = parseDate(searchParams.get("at"));
  const askedEnv = searchParams.get("atEnv")?.slice(0, 40) ?? "";
  const askedPrompt = searchParams.get("atPrompt")?.slice(0, 200) ?? "";
  const asked = askedAt && askedEnv ? { at: askedAt, environment: askedEnv, prompt: askedPrompt } : null;

  const [envChoice, setEnvChoice] = useState(askedEnv);
  const [atText, setAtText] = useState(() => toLocalInput(askedAt ?? new Date()));
  const [promptChoice, setPromptChoice] = useState(askedPrompt);
  const [error, setError] = useState<string | null>(null);
  const defaultEnv = envs.some((e) => e.name === "production") ? "production" : (envs.find((e) => e.protected)?.name ?? envs[0]?.name ?? "");
  const env = envChoice || defaultEnv;

  const live = useQuery({
    ...trpc.deployments.at.queryOptions({
      orgSlug,
      projectSlug,
      environment: asked?.environment ?? "x",
      at: asked?.at ?? new Date(0),
      prompt: asked?.prompt || undefined,
    }),
    enabled: !!asked,
  });
  const envProtected = envs.find((e) => e.name === asked?.environment)?.protected ?? false;

  function onSubmit(e: FormEvent) {
    e.preventDefault();
    const date = parseDate(atText);
    if (!date) return setError("Choose a date and time");
    setError(null);
    setParams({ at: date.toISOString(), atEnv: env, atPrompt: promptChoice || undefined }, { resetPage: false });
  }

  return (
    <>
      <form onSubmit={onSubmit} aria-label="What was live at" className="flex flex-wrap items-end gap-3 px-4 py-3" noValidate>
        <Select label="Environment" size="sm" value={env} onChange={(e) => setEnvChoice(e.target.value)} boxClassName="w-44" disabled={envsPending}>
          {envs.map((e) => (
            <option key={e.id} value={e.name}>
              {e.name}
            </option>
          ))}
          {env && !envs.some((e) => e.name === env) ? <option value={env}>{env}</option> : null}
        </Select>
        <Input
          label="Date and time"
          type="datetime-local"
          step={1}
          value={atText}
          error={error}
          onChange={(e) => setAtText(e.target.value)}
          className="h-7 w-52 text-[13px]"
          required
        />
        <Select
          label="Prompt"
          labelAside={<span className="text-xs text-zinc-500">optional</span>}
          size="sm"
          value={promptChoice}
          onChange={(e) => setPromptChoice(e.target.value)}
          boxClassName="w-56"
        >
          <option value="">All prompts</option>
          {promptNames.map((name) => (
            <option key={name} value={name}>
              {name}
            </option>
          ))}
          {promptChoice && !promptNames.includes(promptChoice) ? <option value={promptChoice}>{promptChoice}</option> : null}
        </Select>
        <div className="flex items-center gap-2">
          <Button size="sm" onClick={() => setAtText(toLocalInput(new Date()))}>
            Set to now
          </Button>
          <Button size="sm" variant="primary" type="submit" icon={<ClockIcon size={14} />} disabled={!env} loading={live.isFetching}>
            Show what was live
          </Button>
        </div>
      </form>
      {!asked ? null : live.isPending ? (
        <div className="border-t border-zinc-200 px-4 py-6 text-center">
          <Spinner label="Looking it up…" />
        </div>
      ) : live.isError ? (
        <div className="border-t border-zinc-200 p-4">
          <QueryErrorAlert title="Could not look it up" error={live.error} />
        </div>
      ) : live.data.prompts.length === 0 ? (
        <EmptyState
          className="border-t border-zinc-200 py-8"
          icon={<HistoryIcon />}
          title={`Nothing was live in ${asked.environment} at ${formatDateTime(asked.at)}`}
          description={asked.prompt ? `${asked.prompt} had no version in ${asked.environment} yet.` : `No prompt had a version in ${asked.environment} yet.`}
        />
      ) : (
        <div className="border-t border-zinc-200">
          <p className="px-4 pt-3 text-[13px] text-zinc-700">
            Live in <span className="font-mono font-medium text-zinc-900">{asked.environment}</span> at{" "}
            <Time value={asked.at} className="font-medium text-zinc-900" />:
          </p>
          <Table caption={`Live in ${asked.environment} at ${formatDateTime(asked.at)}`}>
            <THead>
              <TR>
                <TH>Prompt</TH>
                <TH>Version</TH>
                <TH>Since</TH>
                <TH>Moved by</TH>
                <TH>Deployment</TH>
              </TR>
            </THead>
            <TBody>
              {live.data.prompts.map((p) => (
                <TR key={p.prompt}>
                  <TD>
                    <Link href={promptHref(orgSlug, projectSlug, p.prompt)} className="font-mono text-xs text-zinc-800 hover:text-accent hover:underline">
                      {p.prompt}
                    </Link>
                  </TD>
                  <TD>
                    <Link
                      href={promptHref(orgSlug, projectSlug, p.prompt, undefined, { version: p.version })}
                      className="font-mono text-xs font-medium text-zinc-900 hover:text-accent hover:underline"
                      aria-label={`${p.prompt} version ${p.version}`}
                    >
                      v{p.version}
                    </Link>
                  </TD>
                  <TD className="whitespace-nowrap text-zinc-600">
                    <Time value={p.since} />
                  </TD>
                  <TD className="text-xs text-zinc-600">{p.movedBy}</TD>
                  <TD className="text-xs">
                    {p.deployment ? (
                      <span className="inline-flex items-center gap-1.5">
                        <Link
                          href={deploymentRequestHref(orgSlug, projectSlug, p.deployment.request)}
                          className="font-mono font-medium text-zinc-900 hover:text-accent hover:underline"
                        >
                          Request #{p.deployment.request}
                        </Link>
                        <DeploymentKindBadge kind={p.deployment.kind} />
                      </span>
                    ) : (
                      <span className="text-zinc-500">
                        {envProtected ? "Moved directly, before the environment was protected" : "Moved directly (no approval needed)"}
                      </span>
                    )}
                  </TD>
                </TR>
              ))}
            </TBody>
          </Table>
        </div>
      )}
    </>
  );
}
