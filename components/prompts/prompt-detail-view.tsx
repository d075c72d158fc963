"use client";
// One prompt: details (editable by prompt:write), a version's content read-only, the list of
// versions, the labels panel (each environment and the version it serves, moved with a
// confirmation; protected ones move only through deployment requests, asked for here: a
// promotion or a rollback, for roles with deployment:request) and the label history with a
// point-in-time lookup.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { useId, useState, type FormEvent } from "react";
import { useTRPC } from "@/components/trpc/client";
import { ActionsTH, Alert, Badge, Button, ButtonLink, Card, CardBody, CardHeader, ConfirmDialog, Dialog, EmptyState, Input, PageHeader, Select, Spinner, TBody, TD, TH, THead, TR, Table, Textarea, ScrollArea } from "@/components/ui";
import { ClockIcon, CompareIcon, LockIcon, PencilIcon, PlayIcon } from "@/components/ui/icons";
import { errorInfo } from "@/components/lib/errors";
import { QueryErrorAlert } from "@/components/lib/error-alert";
import { HistoryLink } from "@/components/audit/history-link";
import { Time, formatDateTime } from "@/components/lib/time";
import { asConfig, asMessages, parseTags, playgroundHref, promptHref } from "./model";
import { LabelBadge, TypeBadge } from "./badges";
import { TemplateText, VariableDetailsList } from "./template-text";
import { ConfigSummary } from "./config-summary";
import { RequestDeploymentDialog, RequestRollbackDialog } from "@/components/deployments/request-deployment-dialog";

type Props = {
  orgSlug: string;
  projectSlug: string;
  projectName: string;
  name: string;
  type: "text" | "chat";
  canWrite: boolean;
  canMoveLabels: boolean;
  canRun: boolean;
  canManageEnvironments: boolean;
  /** Protected environments: may ask for a deployment or a rollback (deployment:request). */
  canRequestDeployments: boolean;
};

export function PromptDetailView(props: Props) {
  const { orgSlug, projectSlug, projectName, name, canWrite, canRun } = props;
  const trpc = useTRPC();
  const router = useRouter();
  const pathname = usePathname();
  const searchParams = useSearchParams();
  const prompt = useQuery(trpc.prompts.get.queryOptions({ orgSlug, projectSlug, name }));
  const [editingDetails, setEditingDetails] = useState(false);

  if (prompt.isPending) {
    return (
      <div className="py-16 text-center">
        <Spinner label="Loading the prompt…" />
      </div>
    );
  }
  if (prompt.isError) return <QueryErrorAlert title="Could not load the prompt" error={prompt.error} />;
  const p = prompt.data;
  const latest = p.latestVersion;
  const requested = Number(searchParams.get("version"));
  const shown = p.versions.some((v) => v.version === requested) ? requested : latest;
  const previous = p.versions.find((v) => v.version < latest)?.version;
  const folder = name.includes("/") ? name.slice(0, name.lastIndexOf("/")) : null;

  function showVersion(version: number) {
    const params = new URLSearchParams(searchParams.toString());
    if (version === latest) params.delete("version");
    else params.set("version", String(version));
    const qs = params.toString();
    router.replace(qs ? `${pathname}?${qs}` : pathname, { scroll: false });
  }

  return (
    <>
      <PageHeader
        eyebrow={
          <>
            {projectName} ·{" "}
            <Link href={`/o/${orgSlug}/p/${projectSlug}/prompts`} className="hover:text-zinc-800 hover:underline">
              Prompts
            </Link>
            {folder ? <span className="font-mono"> / {folder}</span> : null}
          </>
        }
        title={<span className="font-mono">{name}</span>}
        description={
          <span className="flex flex-col gap-1.5">
            <span className="flex flex-wrap items-center gap-1.5">
              <TypeBadge type={p.type} />
              <Badge tone="outline" mono>
                latest v{latest}
              </Badge>
              {p.tags.map((t) => (
                <Badge key={t} tone="outline">
                  #{t}
                </Badge>
              ))}
              {canWrite ? (
                <Button size="sm" variant="ghost" className="h-5 px-1.5 text-[11px]" icon={<PencilIcon size={11} />} onClick={() => setEditingDetails(true)}>
                  Edit details
                </Button>
              ) : null}
              <Link href={`/o/${orgSlug}/p/${projectSlug}/evaluations/dashboard?prompt=${encodeURIComponent(name)}`} className="inline-flex h-5 items-center rounded px-1.5 text-[11px] font-medium text-zinc-700 underline decoration-zinc-300 underline-offset-2 hover:bg-zinc-100 hover:text-zinc-900">
                Evaluations dashboard
              </Link>
            </span>
            {p.description ? <span className="text-zinc-600">{p.description}</span> : <span className="text-zinc-500">No description</span>}
          </span>
        }
        actions={
          <>
            <HistoryLink orgSlug={orgSlug} targetType="prompt" targetId={p.id} />
            {canRun ? (
              <ButtonLink href={playgroundHref(orgSlug, projectSlug, name, shown)} icon={<PlayIcon size={14} />}>
                Open in playground
              </ButtonLink>
            ) : null}
            {p.versions.length > 1 ? (
              <ButtonLink href={promptHref(orgSlug, projectSlug, name, "compare", { from: previous, to: latest })} icon={<CompareIcon size={14} />}>
                Compare
              </ButtonLink>
            ) : null}
            {canWrite ? (
              <ButtonLink variant="primary" href={promptHref(orgSlug, projectSlug, name, "edit", shown !== latest ? { from: shown } : undefined)} icon={<PencilIcon size={14} />}>
                Edit
              </ButtonLink>
            ) : null}
          </>
        }
      />

      {Number(searchParams.get("saved")) > 0 ? (
        <Alert tone="success" className="mb-4">
          Version {Number(searchParams.get("saved"))} saved.{" "}
          {Number(searchParams.get("saved")) === latest ? "It is the latest version; environments keep their versions until a label is moved." : null}
        </Alert>
      ) : null}
      <div className="grid grid-cols-1 gap-4 xl:grid-cols-[minmax(0,1fr)_22rem] [&>*]:min-w-0">
        <div className="flex min-w-0 flex-col gap-4">
          <VersionCard {...props} version={shown} latest={latest} versions={p.versions.map((v) => v.version)} onChoose={showVersion} />
          <VersionsTable {...props} versions={p.versions} labels={p.labels} latest={latest} shown={shown} onShow={showVersion} />
        </div>
        <div className="flex min-w-0 flex-col gap-4">
          <LabelsPanel {...props} versions={p.versions.map((v) => v.version)} labels={p.labels} environments={p.environments} latest={latest} shown={shown} />
          <LabelHistory {...props} environments={p.environments.map((e) => e.name)} />
        </div>
      </div>
      <DetailsDialog open={editingDetails} onClose={() => setEditingDetails(false)} orgSlug={orgSlug} projectSlug={projectSlug} name={name} description={p.description} tags={p.tags} />
    </>
  );
}

function VersionCard({ orgSlug, projectSlug, name, type, version, latest, versions, onChoose }: Props & { version: number; latest: number; versions: number[]; onChoose: (v: number) => void }) {
  const trpc = useTRPC();
  const v = useQuery(trpc.prompts.version.queryOptions({ orgSlug, projectSlug, name, version }));
  return (
    <Card aria-labelledby="version-title">
      <CardHeader
        titleId="version-title"
        title={
          <>
            Version {version}
            {version === latest ? (
              <Badge tone="outline" className="ml-2 align-middle">
                latest
              </Badge>
            ) : null}
          </>
        }
        description={v.data ? <span>{v.data.commitMessage}</span> : undefined}
        actions={
          <Select label="Show version" hideLabel size="sm" value={String(version)} onChange={(e) => onChoose(Number(e.target.value))} boxClassName="w-44">
            {versions.map((n) => (
              <option key={n} value={n}>
                Version {n}
                {n === latest ? " (latest)" : ""}
              </option>
            ))}
          </Select>
        }
      />
      <CardBody className="flex flex-col gap-4">
        {v.isPending ? (
          <Spinner label="Loading the version…" />
        ) : v.isError ? (
          <QueryErrorAlert title="Could not load the version" error={v.error} />
        ) : (
          <>
            <p className="text-xs text-zinc-500">
              Saved by <span className="text-zinc-700">{v.data.authorLabel}</span> · <Time value={v.data.createdAt} /> · <span className="font-mono">sha256 {v.data.contentHash.slice(0, 12)}</span>
            </p>
            {type === "text" ? (
              <TemplateText text={v.data.template ?? ""} label={`Template of version ${version}`} />
            ) : (
              <ol className="flex flex-col gap-2" aria-label={`Messages of version ${version}`}>
                {asMessages(v.data.messages).map((m, i) => (
                  <li key={i}>
                    <p className="mb-1 text-[11px] font-medium tracking-wide text-zinc-500 uppercase">
                      <span className="sr-only">Message {i + 1}: </span>
                      {m.role}
                    </p>
                    <TemplateText text={m.content} />
                  </li>
                ))}
              </ol>
            )}
            <div className="grid gap-4 md:grid-cols-2">
              <div>
                <h3 className="mb-1.5 text-[13px] font-medium text-zinc-800">Variables</h3>
                <VariableDetailsList variables={v.data.variables} details={v.data.variableDetails} emptyText="This version has no variables." />
              </div>
              <div>
                <h3 className="mb-1.5 text-[13px] font-medium text-zinc-800">Model configuration</h3>
                <ConfigSummary orgSlug={orgSlug} projectSlug={projectSlug} config={asConfig(v.data.config)} />
              </div>
            </div>
          </>
        )}
      </CardBody>
    </Card>
  );
}

type VersionRow = { version: number; commitMessage: string; authorLabel: string; createdAt: Date; basedOnVersion: number | null };

function VersionsTable({ orgSlug, projectSlug, name, canWrite, versions, labels, latest, shown, onShow }: Props & { versions: VersionRow[]; labels: { name: string; version: number }[]; latest: number; shown: number; onShow: (v: number) => void }) {
  return (
    <Card aria-labelledby="versions-title">
      <CardHeader titleId="versions-title" title={`${versions.length} ${versions.length === 1 ? "version" : "versions"}`} description="Versions never change once saved; each save adds the next number." />
      <Table caption={`Versions of ${name}`}>
        <THead>
          <TR>
            <TH>Version</TH>
            <TH>Message</TH>
            <TH>Saved</TH>
            <ActionsTH />
          </TR>
        </THead>
        <TBody>
          {versions.map((v) => {
            const here = labels.filter((l) => l.version === v.version);
            return (
              <TR key={v.version} className={v.version === shown ? "bg-accent-soft/40" : undefined} aria-current={v.version === shown ? "true" : undefined}>
                <TD className="align-top font-mono text-xs font-medium whitespace-nowrap text-zinc-900">v{v.version}</TD>
                <TD className="min-w-48">
                  <span className="block text-zinc-800">{v.commitMessage}</span>
                  {v.basedOnVersion && v.basedOnVersion !== v.version - 1 ? <span className="block text-xs text-zinc-500">based on v{v.basedOnVersion}</span> : null}
                  {v.version === latest || here.length ? (
                    <span className="mt-1 flex flex-wrap gap-1" aria-label="Labels">
                      {v.version === latest ? <LabelBadge name="latest" /> : null}
                      {here.map((l) => (
                        <LabelBadge key={l.name} name={l.name} />
                      ))}
                    </span>
                  ) : null}
                </TD>
                <TD className="whitespace-nowrap">
                  <span className="block text-zinc-700">{v.authorLabel}</span>
                  <Time value={v.createdAt} mode="relative" className="text-xs text-zinc-500" />
                </TD>
                <TD className="text-right whitespace-nowrap">
                  <span className="inline-flex gap-0.5">
                    <Button size="sm" variant="ghost" aria-label={`View version ${v.version}`} disabled={v.version === shown} onClick={() => onShow(v.version)}>
                      View
                    </Button>
                    {v.version > 1 ? (
                      <ButtonLink size="sm" variant="ghost" aria-label={`Diff version ${v.version} with the one before`} href={promptHref(orgSlug, projectSlug, name, "compare", { from: versions.find((x) => x.version < v.version)?.version, to: v.version })}>
                        Diff
                      </ButtonLink>
                    ) : null}
                    {canWrite ? (
                      <ButtonLink size="sm" variant="ghost" aria-label={`Edit from version ${v.version}`} href={promptHref(orgSlug, projectSlug, name, "edit", v.version !== latest ? { from: v.version } : undefined)}>
                        Edit from
                      </ButtonLink>
                    ) : null}
                  </span>
                </TD>
              </TR>
            );
          })}
        </TBody>
      </Table>
    </Card>
  );
}

type Env = { name: string; description: string; protected: boolean };

function LabelsPanel({ orgSlug, projectSlug, name, canMoveLabels, canManageEnvironments, canRequestDeployments: canRequest, versions, labels, environments, latest, shown }: Props & { versions: number[]; labels: { name: string; version: number; updatedAt: Date }[]; environments: Env[]; latest: number; shown: number }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [moving, setMoving] = useState<{ env: Env; to: number; from: number | null } | null>(null);
  // Protected environments: a deployment request (promotion or rollback) instead of a move.
  const [requesting, setRequesting] = useState<{ kind: "promote" | "rollback"; environment: string } | null>(null);
  const protectedEnvs = environments.filter((e) => e.protected).map((e) => ({ name: e.name, current: labels.find((l) => l.name === e.name)?.version ?? null }));
  const [status, setStatus] = useState("");
  const move = useMutation(
    trpc.prompts.moveLabel.mutationOptions({
      onSuccess: async (result) => {
        setStatus(result.changed ? `${result.label} now points at version ${result.version}` : `${result.label} already pointed at version ${result.version}`);
        await Promise.all([
          queryClient.invalidateQueries({ queryKey: trpc.prompts.get.queryKey({ orgSlug, projectSlug, name }) }),
          queryClient.invalidateQueries({ queryKey: trpc.prompts.labelHistory.queryKey() }),
          queryClient.invalidateQueries({ queryKey: trpc.prompts.list.queryKey() }),
        ]);
        setMoving(null);
      },
    }),
  );
  const anyProtected = environments.some((e) => e.protected);

  return (
    <Card aria-labelledby="labels-title">
      <CardHeader titleId="labels-title" title="Labels" description="The version each environment serves. Applications fetch a prompt by label." />
      <ul className="divide-y divide-zinc-100">
        <li className="flex items-center justify-between gap-3 px-4 py-2.5">
          <span>
            <LabelBadge name="latest" />
            <span className="mt-0.5 block text-xs text-zinc-500">Always the newest version</span>
          </span>
          <span className="font-mono text-xs text-zinc-700">v{latest}</span>
        </li>
        {environments.map((env) => (
          <EnvironmentLabel
            key={env.name}
            env={env}
            current={labels.find((l) => l.name === env.name) ?? null}
            versions={versions}
            canMove={canMoveLabels}
            canRequest={canRequest}
            onMove={(to, from) => (move.reset(), setMoving({ env, to, from }))}
            onRequest={(kind) => setRequesting({ kind, environment: env.name })}
          />
        ))}
      </ul>
      <div className="border-t border-zinc-100 px-4 py-2.5 text-xs text-zinc-500">
        <p role="status" className="text-emerald-700">
          {status}
        </p>
        {!canMoveLabels ? <p>Your role cannot move labels (label:move); editors, admins and owners can.</p> : null}
        {anyProtected ? (
          <p className="mt-1">
            <LockIcon size={11} className="mr-1 inline align-[-1px]" />
            Protected environments move only through an approved deployment, never directly.{" "}
            <Link href={`/o/${orgSlug}/p/${projectSlug}/deployments`} className="underline hover:text-zinc-800">
              Deployment requests
            </Link>
            {canManageEnvironments ? (
              <>
                {" "}
                <Link href={`/o/${orgSlug}/p/${projectSlug}/environments`} className="underline hover:text-zinc-800">
                  Manage environments
                </Link>
              </>
            ) : null}
          </p>
        ) : null}
      </div>
      <ConfirmDialog
        open={!!moving}
        onClose={() => setMoving(null)}
        title={moving ? `Point ${moving.env.name} at version ${moving.to}?` : "Move label"}
        confirmLabel={`Move ${moving?.env.name ?? "label"}`}
        pending={move.isPending}
        onConfirm={() => moving && move.mutate({ orgSlug, projectSlug, name, label: moving.env.name, version: moving.to })}
        error={move.error ? <Alert tone="error">{errorInfo(move.error).message}</Alert> : null}
      >
        <p>
          Applications asking for <span className="font-mono text-zinc-900">{name}</span> with label <span className="font-mono text-zinc-900">{moving?.env.name}</span> get version {moving?.to}{" "}
          {moving?.from ? <>instead of version {moving.from}</> : null} from now on. The move is recorded in the label history and the audit log.
        </p>
      </ConfirmDialog>
      {requesting?.kind === "promote" ? (
        <RequestDeploymentDialog
          orgSlug={orgSlug}
          projectSlug={projectSlug}
          prompt={name}
          environments={protectedEnvs}
          initialEnvironment={requesting.environment}
          versions={versions}
          initialVersion={shown}
          onClose={() => setRequesting(null)}
        />
      ) : requesting?.kind === "rollback" ? (
        <RequestRollbackDialog orgSlug={orgSlug} projectSlug={projectSlug} prompt={name} environments={protectedEnvs} initialEnvironment={requesting.environment} onClose={() => setRequesting(null)} />
      ) : null}
    </Card>
  );
}

function EnvironmentLabel({
  env,
  current,
  versions,
  canMove,
  canRequest,
  onMove,
  onRequest,
}: {
  env: Env;
  current: { version: number; updatedAt: Date } | null;
  versions: number[];
  canMove: boolean;
  canRequest: boolean;
  onMove: (to: number, from: number | null) => void;
  onRequest: (kind: "promote" | "rollback") => void;
}) {
  const [target, setTarget] = useState<string>("");
  const selectId = useId();
  const chosen = target ? Number(target) : (current?.version ?? versions[0] ?? 1);
  return (
    <li className="px-4 py-2.5" aria-label={`Environment ${env.name}`}>
      <div className="flex items-center justify-between gap-3">
        <span className="min-w-0">
          <LabelBadge name={env.name} isProtected={env.protected} />
          {env.description ? <span className="mt-0.5 block truncate text-xs text-zinc-500">{env.description}</span> : null}
        </span>
        <span className="shrink-0 text-right font-mono text-xs text-zinc-700">
          {current ? (
            <>
              v{current.version}
              <Time value={current.updatedAt} mode="relative" className="block font-sans text-[11px] text-zinc-500" />
            </>
          ) : (
            <span className="font-sans text-zinc-500">not set</span>
          )}
        </span>
      </div>
      {env.protected ? (
        <>
          <p className="mt-1.5 flex items-start gap-1.5 rounded bg-amber-50 px-2 py-1 text-xs text-amber-900">
            <LockIcon size={12} className="mt-0.5 shrink-0" />
            <span>Protected: approvals of deployment requests will move this label. It cannot be moved directly.</span>
          </p>
          {canRequest ? (
            <div className="mt-2 flex flex-wrap gap-1.5">
              <Button size="sm" onClick={() => onRequest("promote")} aria-label={`Request deployment to ${env.name}`}>
                Request deployment
              </Button>
              {current ? (
                <Button size="sm" variant="ghost" onClick={() => onRequest("rollback")} aria-label={`Request rollback of ${env.name}`}>
                  Request rollback
                </Button>
              ) : null}
            </div>
          ) : null}
        </>
      ) : canMove ? (
        <div className="mt-2 flex items-end gap-1.5">
          <Select id={selectId} label={`Version for ${env.name}`} hideLabel size="sm" value={String(chosen)} onChange={(e) => setTarget(e.target.value)} wrapperClassName="flex-1">
            {versions.map((v) => (
              <option key={v} value={v}>
                Version {v}
                {v === current?.version ? " (current)" : ""}
              </option>
            ))}
          </Select>
          <Button size="sm" disabled={chosen === current?.version} onClick={() => onMove(chosen, current?.version ?? null)} aria-label={`Move ${env.name} to version ${chosen}`}>
            Move
          </Button>
        </div>
      ) : null}
    </li>
  );
}

function LabelHistory({ orgSlug, projectSlug, name, environments }: Props & { environments: string[] }) {
  const trpc = useTRPC();
  const history = useQuery(trpc.prompts.labelHistory.queryOptions({ orgSlug, projectSlug, name }));
  const [label, setLabel] = useState(environments.includes("production") ? "production" : (environments[0] ?? ""));
  const [at, setAt] = useState("");
  const [asked, setAsked] = useState<{ label: string; at: Date } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const lookup = useQuery({ ...trpc.prompts.versionAt.queryOptions({ orgSlug, projectSlug, name, label: asked?.label ?? "x", at: asked?.at ?? new Date(0) }), enabled: !!asked });

  function onLookup(e: FormEvent) {
    e.preventDefault();
    const date = at ? new Date(at) : null;
    if (!date || Number.isNaN(date.getTime())) return setError("Choose a date and time");
    setError(null);
    setAsked({ label, at: date });
  }

  return (
    <Card aria-labelledby="history-title">
      <CardHeader titleId="history-title" title="Label history" description="Every move of a label, newest first." />
      <form onSubmit={onLookup} aria-label="Version at a point in time" className="flex flex-col gap-2 border-b border-zinc-100 px-4 py-3">
        <p className="text-[13px] font-medium text-zinc-800">Which version was in an environment at a time?</p>
        <div className="grid grid-cols-1 gap-2">
          <Select label="Environment" size="sm" value={label} onChange={(e) => setLabel(e.target.value)}>
            {environments.map((env) => (
              <option key={env} value={env}>
                {env}
              </option>
            ))}
          </Select>
          <Input label="At" type="datetime-local" step={1} value={at} error={error} onChange={(e) => setAt(e.target.value)} className="h-7 text-[13px]" />
        </div>
        <div className="flex items-center gap-3">
          <Button size="sm" type="submit" icon={<ClockIcon size={14} />} loading={lookup.isFetching}>
            Look up
          </Button>
          <p role="status" className="text-[13px] text-zinc-700">
            {asked && lookup.data
              ? lookup.data.version
                ? `${asked.label} served version ${lookup.data.version} at ${formatDateTime(asked.at)}.`
                : `${asked.label} pointed at no version at ${formatDateTime(asked.at)}.`
              : ""}
          </p>
        </div>
        {lookup.isError ? <Alert tone="error">{errorInfo(lookup.error).message}</Alert> : null}
      </form>
      {history.isPending ? (
        <div className="px-4 py-6 text-center">
          <Spinner label="Loading the history…" />
        </div>
      ) : history.isError ? (
        <div className="p-4">
          <QueryErrorAlert title="Could not load the label history" error={history.error} />
        </div>
      ) : history.data.length === 0 ? (
        <EmptyState className="py-6" title="No label moves yet" />
      ) : (
        <ScrollArea className="max-h-80 overflow-y-auto">
        <ol className="divide-y divide-zinc-100" aria-label="Label moves">
          {history.data.map((h) => (
            <li key={h.id} className="px-4 py-2 text-[13px]">
              <span className="flex items-center gap-1.5">
                <LabelBadge name={h.label} />
                <span className="font-mono text-xs text-zinc-700">
                  {h.fromVersion ? `v${h.fromVersion}` : "none"} → v{h.toVersion}
                </span>
              </span>
              <span className="mt-0.5 block text-xs text-zinc-500">
                {h.actorLabel} · <Time value={h.at} />
              </span>
            </li>
          ))}
        </ol>
        </ScrollArea>
      )}
    </Card>
  );
}

function DetailsDialog({ open, onClose, orgSlug, projectSlug, name, description, tags }: { open: boolean; onClose: () => void; orgSlug: string; projectSlug: string; name: string; description: string; tags: string[] }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const formId = useId();
  const [desc, setDesc] = useState(description);
  const [tagsText, setTagsText] = useState(tags.join(", "));
  const [tagsError, setTagsError] = useState<string | undefined>();
  const update = useMutation(
    trpc.prompts.updateDetails.mutationOptions({
      onSuccess: async () => {
        await Promise.all([queryClient.invalidateQueries({ queryKey: trpc.prompts.get.queryKey({ orgSlug, projectSlug, name }) }), queryClient.invalidateQueries({ queryKey: trpc.prompts.list.queryKey() })]);
        onClose();
      },
    }),
  );
  function close() {
    update.reset();
    setDesc(description);
    setTagsText(tags.join(", "));
    setTagsError(undefined);
    onClose();
  }
  function onSubmit(e: FormEvent) {
    e.preventDefault();
    const parsed = parseTags(tagsText);
    setTagsError(parsed.error);
    if (parsed.error) return;
    update.mutate({ orgSlug, projectSlug, name, description: desc, tags: parsed.tags });
  }
  return (
    <Dialog
      open={open}
      onClose={close}
      title="Edit details"
      description="Description and tags belong to the prompt, not to a version: changing them saves no new version."
      footer={
        <>
          <Button onClick={close}>Cancel</Button>
          <Button variant="primary" type="submit" form={formId} loading={update.isPending}>
            Save details
          </Button>
        </>
      }
    >
      <form id={formId} onSubmit={onSubmit} noValidate aria-label="Edit details" className="flex flex-col gap-4">
        {update.error ? <Alert tone="error">{errorInfo(update.error).message}</Alert> : null}
        <Textarea label="Description" value={desc} onChange={(e) => setDesc(e.target.value)} maxLength={2000} />
        <Input label="Tags" value={tagsText} error={tagsError} onChange={(e) => setTagsText(e.target.value)} hint="Separate tags with commas." />
      </form>
    </Dialog>
  );
}
