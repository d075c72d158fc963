"use client";
// One deployment request: who asks for what and why, the approval rules and how far each is met,
// the decisions so far, and the evidence pack (evaluation gate, comparison with the deployed
// version, human review, content diff with hashes, audit events), with what the viewer may do.
// deployments.get answers the viewer's options and is polled while the request is open (an
// approved request deploys on its own within seconds); deployments.evidence is the pack.
import { useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useEffect, useRef, useState } from "react";
import { useTRPC } from "@/components/trpc/client";
import { Alert, Badge, Card, CardBody, CardHeader, PageHeader, Spinner, buttonClasses } from "@/components/ui";
import { CheckCircleIcon, DownloadIcon, FileTextIcon, ShieldAlertIcon } from "@/components/ui/icons";
import { QueryErrorAlert } from "@/components/lib/error-alert";
import { HistoryLink } from "@/components/audit/history-link";
import { Time } from "@/components/lib/time";
import { promptHref } from "@/components/prompts/model";
import { DEPLOYMENT_STATE_LABELS, ROLLBACK_POLICY_LABELS } from "@/server/contracts/deployments";
import { ActionsCard } from "./request-actions";
import { AuditCard, ComparisonCard, ContentCard, GateCard, HumanReviewCard } from "./evidence-sections";
import { DeploymentKindBadge, DeploymentStateBadge, evidenceHref, freezeOverrideOf, isOpen, type RequestDetail } from "./model";
import { deploymentsHref } from "./deployment-tabs";

type Props = { orgSlug: string; projectSlug: string; projectName: string; number: number; canRequest: boolean; canReadEvaluations: boolean };

export function RequestView({ orgSlug, projectSlug, projectName, number, canRequest, canReadEvaluations }: Props) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const input = { orgSlug, projectSlug, number };
  const detail = useQuery({
    ...trpc.deployments.get.queryOptions(input),
    // An approved request deploys on its own within seconds; a pending one gathers approvals.
    refetchInterval: (query) => (query.state.data?.state === "approved" ? 3000 : query.state.data?.state === "pending" ? 15_000 : false),
  });
  const evidence = useQuery(trpc.deployments.evidence.queryOptions(input));
  const [message, setMessage] = useState<string | null>(null);

  // When polling sees the request move on (a decision, a deployment), reload the pack too.
  const fingerprint = detail.data ? `${detail.data.state}:${detail.data.decisions.length}` : null;
  const last = useRef(fingerprint);
  useEffect(() => {
    if (last.current && fingerprint && last.current !== fingerprint) {
      void queryClient.invalidateQueries({ queryKey: trpc.deployments.evidence.queryKey(input) });
    }
    last.current = fingerprint;
    // eslint-disable-next-line react-hooks/exhaustive-deps -- input is rebuilt every render; its parts are listed
  }, [fingerprint, queryClient, trpc, orgSlug, projectSlug, number]);

  const eyebrow = (
    <>
      {projectName} ·{" "}
      <Link href={deploymentsHref(orgSlug, projectSlug)} className="hover:text-zinc-800 hover:underline">
        Deployment requests
      </Link>
    </>
  );

  if (detail.isPending) {
    return (
      <div className="py-16 text-center">
        <Spinner label="Loading the request…" />
      </div>
    );
  }
  if (detail.isError) {
    return (
      <>
        <PageHeader eyebrow={eyebrow} title={`Request #${number}`} />
        <QueryErrorAlert title="Could not load the request" error={detail.error} />
      </>
    );
  }

  const r = detail.data;
  const override = freezeOverrideOf(r.deployment);
  const links = { orgSlug, projectSlug, canReadEvaluations };

  return (
    <>
      <PageHeader
        className="mb-5"
        eyebrow={eyebrow}
        title={
          <>
            Request #{r.number}: <span className="font-mono">{r.prompt}</span> v{r.version} → {r.environment}
          </>
        }
        description={
          <span className="flex flex-col gap-1.5">
            <span className="flex flex-wrap items-center gap-1.5" aria-label="Request state">
              <DeploymentStateBadge state={r.state} />
              <DeploymentKindBadge kind={r.kind} />
              {r.fromVersion ? (
                <Badge tone="outline" mono>
                  v{r.fromVersion} → v{r.version}
                </Badge>
              ) : null}
            </span>
            <span className="text-zinc-600">
              Requested by <span className="text-zinc-800">{r.requestedBy.label}</span>
              {r.requestedBy.type === "api_key" ? " (API key)" : ""} · <Time value={r.createdAt} />
            </span>
          </span>
        }
        actions={
          <>
            <HistoryLink orgSlug={orgSlug} targetType="deployment_request" targetId={r.id} />
            <a href={evidenceHref(orgSlug, projectSlug, r.number, "json")} download className={buttonClasses()}>
              <DownloadIcon size={14} />
              Export JSON
            </a>
            <a href={evidenceHref(orgSlug, projectSlug, r.number, "html")} target="_blank" rel="noopener" className={buttonClasses()}>
              <FileTextIcon size={14} />
              Printable page
            </a>
          </>
        }
      />

      {/* Once the request is closed, its outcome below says what the action did. */}
      {message && isOpen(r.state) ? (
        <Alert tone="success" className="mb-4">
          {message}
        </Alert>
      ) : null}
      {override ? (
        <div role="region" aria-label="Change freeze overridden" className="mb-4">
          <div className="flex gap-2.5 rounded-md border-2 border-red-300 bg-red-50 px-3 py-2.5 text-[13px] text-red-900">
            <ShieldAlertIcon className="mt-px shrink-0 text-red-600" />
            <div>
              <p className="font-semibold">Deployed during a change freeze (break glass)</p>
              <p>
                {override.by} overrode the freeze{override.window ? ` “${override.window.reason}”` : ""}: {override.reason}
              </p>
            </div>
          </div>
        </div>
      ) : null}
      <Outcome request={r} />

      <div className="grid grid-cols-1 gap-4 xl:grid-cols-[minmax(0,1fr)_24rem] [&>*]:min-w-0">
        <div className="flex min-w-0 flex-col gap-4">
          <RequestCard request={r} orgSlug={orgSlug} projectSlug={projectSlug} />
          {evidence.isPending ? (
            <Card as="div">
              <CardBody className="py-10 text-center">
                <Spinner label="Loading the evidence…" />
              </CardBody>
            </Card>
          ) : evidence.isError ? (
            <QueryErrorAlert title="Could not load the evidence" error={evidence.error} />
          ) : (
            <>
              <GateCard gate={evidence.data.gate} checkedNow={isOpen(evidence.data.request.state)} {...links} />
              <ComparisonCard pack={evidence.data} {...links} />
              <HumanReviewCard pack={evidence.data} />
              <ContentCard pack={evidence.data} orgSlug={orgSlug} projectSlug={projectSlug} environment={r.environment} />
              <AuditCard pack={evidence.data} />
            </>
          )}
        </div>
        <div className="flex min-w-0 flex-col gap-4">
          <ActionsCard request={r} checkedAt={detail.dataUpdatedAt} orgSlug={orgSlug} projectSlug={projectSlug} canRequest={canRequest} onDone={setMessage} />
          <RulesCard request={r} />
          <DecisionsCard request={r} />
        </div>
      </div>
    </>
  );
}

/** How a closed request ended, in one line. */
function Outcome({ request: r }: { request: RequestDetail }) {
  if (isOpen(r.state)) return null;
  if (r.state === "deployed") {
    return (
      <Alert tone="success" className="mb-4" title="Deployed">
        v{r.version} of {r.prompt} was deployed to {r.environment}
        {r.deployment ? (
          <>
            {" "}
            at <Time value={r.deployment.deployedAt} />
          </>
        ) : null}
        .
      </Alert>
    );
  }
  const title = DEPLOYMENT_STATE_LABELS[r.state];
  return (
    <Alert tone={r.state === "rejected" ? "warning" : "info"} className="mb-4" title={title}>
      {r.endedReason ??
        (r.state === "expired" ? (
          <>
            Not deployed by <Time value={r.expiresAt} />.
          </>
        ) : null)}
      {r.endedAt ? (
        <>
          {" "}
          · <Time value={r.endedAt} />
        </>
      ) : null}
    </Alert>
  );
}

function RequestCard({ request: r, orgSlug, projectSlug }: { request: RequestDetail; orgSlug: string; projectSlug: string }) {
  return (
    <Card aria-labelledby="request-title">
      <CardHeader titleId="request-title" title="Request" />
      <CardBody className="flex flex-col gap-4 text-[13px]">
        <div>
          <h3 className="mb-1 text-xs font-medium text-zinc-500">Justification</h3>
          <p className="whitespace-pre-wrap text-zinc-900">{r.justification}</p>
        </div>
        <dl className="grid grid-cols-1 gap-x-6 gap-y-3 sm:grid-cols-2">
          <Meta label="Candidate">
            <Link
              href={promptHref(orgSlug, projectSlug, r.prompt, undefined, { version: r.version })}
              className="font-mono text-zinc-900 hover:text-accent hover:underline"
            >
              {r.prompt} v{r.version}
            </Link>
            <span className="block text-xs text-zinc-500">
              {r.author.commitMessage} · by {r.author.label}
            </span>
          </Meta>
          <Meta label={`${r.environment} ${r.state === "deployed" ? "served before" : "serves now"}`}>
            {r.fromVersion ? (
              <Link
                href={promptHref(orgSlug, projectSlug, r.prompt, undefined, { version: r.fromVersion })}
                className="font-mono text-zinc-900 hover:text-accent hover:underline"
              >
                v{r.fromVersion}
              </Link>
            ) : (
              <span className="text-zinc-500">nothing</span>
            )}
          </Meta>
          <Meta label="Requested">
            <Time value={r.createdAt} /> by {r.requestedBy.label}
          </Meta>
          <Meta label={isOpen(r.state) ? "Expires" : "Would have expired"}>
            <Time value={r.expiresAt} />
          </Meta>
          {r.approvedAt ? (
            <Meta label="Approved">
              <Time value={r.approvedAt} />
            </Meta>
          ) : null}
          {r.deployableAt && r.state === "approved" ? (
            <Meta label="Deployable from">
              <Time value={r.deployableAt} />
            </Meta>
          ) : null}
          <Meta label="Content SHA-256">
            <span className="font-mono text-xs break-all">{r.contentHash}</span>
          </Meta>
        </dl>
      </CardBody>
    </Card>
  );
}

function Meta({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    <div className="min-w-0">
      <dt className="text-xs text-zinc-500">{label}</dt>
      <dd className="text-zinc-800">{children}</dd>
    </div>
  );
}

function RulesCard({ request: r }: { request: RequestDetail }) {
  const fastRollback = r.kind === "rollback" && r.policy?.rollbackPolicy === "fast";
  return (
    <Card aria-labelledby="rules-title">
      <CardHeader
        titleId="rules-title"
        title="Approval rules"
        description={
          fastRollback
            ? ROLLBACK_POLICY_LABELS.fast
            : r.policy
              ? `${r.policy.separationOfDuties ? "Separation of duties: the requester, the author and whoever last edited the rules cannot approve. " : ""}One person counts toward one rule.`
              : undefined
        }
      />
      {r.rules.length === 0 ? (
        <CardBody>
          <p className="text-[13px] text-zinc-600">{r.environment} has no approval rules.</p>
        </CardBody>
      ) : (
        <ul className="divide-y divide-zinc-100" aria-label="Rules">
          {r.rules.map((rule) => (
            <li key={rule.name} className="px-4 py-2.5 text-[13px]" aria-label={`Rule ${rule.name}`}>
              <div className="flex items-start justify-between gap-3">
                <span className="min-w-0">
                  <span className="block font-medium text-zinc-900">{rule.name}</span>
                  <span className="block text-xs text-zinc-500">{rule.description}</span>
                </span>
                <span className="flex shrink-0 items-center gap-1.5">
                  <span className="font-mono text-xs text-zinc-700 tabular-nums">
                    {rule.approvers.length} of {rule.required}
                  </span>
                  {rule.met ? (
                    <Badge tone="success">
                      <CheckCircleIcon size={11} />
                      Met
                    </Badge>
                  ) : (
                    <Badge tone="warning">Not met</Badge>
                  )}
                </span>
              </div>
              {rule.approvers.length ? <p className="mt-1 text-xs text-zinc-600">Approved by {rule.approvers.join(", ")}</p> : null}
            </li>
          ))}
        </ul>
      )}
      {r.state === "pending" && r.missing.length ? (
        <div className="border-t border-zinc-100 px-4 py-2.5 text-[13px]">
          <p className="text-xs font-medium text-zinc-500">Still needed</p>
          <ul className="mt-0.5 text-zinc-800" aria-label="Still needed">
            {r.missing.map((m) => (
              <li key={m}>{m}</li>
            ))}
          </ul>
        </div>
      ) : null}
    </Card>
  );
}

function DecisionsCard({ request: r }: { request: RequestDetail }) {
  return (
    <Card aria-labelledby="decisions-title">
      <CardHeader titleId="decisions-title" title="Decisions" />
      {r.decisions.length === 0 ? (
        <CardBody>
          <p className="text-[13px] text-zinc-600">No one has decided yet.</p>
        </CardBody>
      ) : (
        <ol className="divide-y divide-zinc-100" aria-label="Decisions">
          {r.decisions.map((d, i) => (
            <li key={i} className="px-4 py-2.5 text-[13px]">
              <div className="flex flex-wrap items-center gap-1.5">
                <span className="font-medium text-zinc-900">{d.approver}</span>
                <span className="text-xs text-zinc-500">({d.role})</span>
                {d.approved ? <Badge tone="success">Approved</Badge> : <Badge tone="danger">Rejected</Badge>}
              </div>
              {d.comment ? <p className="mt-1 whitespace-pre-wrap text-zinc-700">{d.comment}</p> : null}
              <Time value={d.at} className="mt-0.5 block text-xs text-zinc-500" />
              {d.authentication ? (
                <p className="mt-0.5 text-xs text-zinc-600">
                  Confirmed with {d.authentication.method === "sso" ? "" : "their "}
                  <span className="font-medium">{d.authentication.methodLabel}</span> at <Time value={d.authentication.at} />
                </p>
              ) : null}
            </li>
          ))}
        </ol>
      )}
    </Card>
  );
}
