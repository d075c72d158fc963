"use client";
// The evidence sections of a deployment request: the evaluation gate (each check's actual value
// against its threshold), the comparison of the candidate's gate run with the deployed version's
// run, the human-review summary, the content diff against the deployed version with both content
// hashes, and the audit events the pack covers with the pack's own hash.
import Link from "next/link";
import { useQuery } from "@tanstack/react-query";
import { GATE_METRIC_LABELS, type GateMetric, type GateResult } from "@/server/contracts/deployments";
import { useTRPC } from "@/components/trpc/client";
import { Alert, Badge, Card, CardBody, CardHeader, TBody, TD, TH, THead, TR, Table } from "@/components/ui";
import { CheckCircleIcon, AlertCircleIcon } from "@/components/ui/icons";
import { Time } from "@/components/lib/time";
import { formatMean, points } from "@/components/evaluations/compare-view";
import { evaluationsHref, runHref } from "@/components/evaluations/model";
import { VersionDiff } from "@/components/prompts/content-diff";
import type { PromptType } from "@/components/prompts/model";
import type { EvidencePack } from "./model";

type Links = { orgSlug: string; projectSlug: string; canReadEvaluations: boolean };

/** A threshold or measured value: pass rates as percentages, mean scores as numbers. */
function gateValue(metric: GateMetric, x: number): string {
  return metric === "passRate" ? `${(x * 100).toFixed(1).replace(/\.0$/, "")}%` : x.toFixed(3);
}

function RunLink({ number, orgSlug, projectSlug, canReadEvaluations }: Links & { number: number }) {
  return canReadEvaluations ? (
    <Link href={runHref(orgSlug, projectSlug, number)} className="font-medium text-zinc-900 underline decoration-zinc-300 underline-offset-2 hover:text-accent">
      run #{number}
    </Link>
  ) : (
    <span className="font-medium text-zinc-900">run #{number}</span>
  );
}

function PassFail({ passed, yes = "Passes", no = "Fails" }: { passed: boolean; yes?: string; no?: string }) {
  return passed ? (
    <Badge tone="success">
      <CheckCircleIcon size={11} />
      {yes}
    </Badge>
  ) : (
    <Badge tone="danger">
      <AlertCircleIcon size={11} />
      {no}
    </Badge>
  );
}

export function GateCard({ gate, checkedNow, ...links }: Links & { gate: GateResult | null; checkedNow: boolean }) {
  const configured = gate?.configured ?? false;
  return (
    <Card aria-labelledby="gate-title">
      <CardHeader
        titleId="gate-title"
        title={
          <span className="flex items-center gap-2">
            Evaluation gate
            {gate && configured ? <PassFail passed={gate.passed} /> : null}
          </span>
        }
        description={
          gate && configured ? (
            <>
              {checkedNow ? "Checked just now, as it will be again before promotion" : "As checked when the request was made"} · <Time value={gate.checkedAt} />
            </>
          ) : undefined
        }
      />
      {!gate || !configured ? (
        <CardBody>
          <p className="text-[13px] text-zinc-600">No evaluation gate applies to this request{gate ? "" : " (no gate result was recorded)"}.</p>
        </CardBody>
      ) : (
        <>
          <CardBody className="flex flex-col gap-2 text-[13px] text-zinc-700">
            {gate.run ? (
              <p>
                Evidence: <RunLink number={gate.run.number} {...links} /> on <span className="font-mono">{gate.run.dataset}</span> v{gate.run.datasetVersion}
                {gate.run.tag ? (
                  <>
                    {" "}
                    (tag <span className="font-mono">{gate.run.tag}</span>)
                  </>
                ) : null}
                {gate.run.finishedAt ? (
                  <>
                    , finished <Time value={gate.run.finishedAt} />
                  </>
                ) : null}
                .
              </p>
            ) : null}
            {gate.reasons.length ? (
              <div role="region" aria-label="Why the gate fails">
                <Alert tone="error" title="The gate fails">
                  <ul className="list-disc pl-4">
                    {gate.reasons.map((r) => (
                      <li key={r}>{r}</li>
                    ))}
                  </ul>
                </Alert>
              </div>
            ) : null}
          </CardBody>
          {gate.checks.length || gate.review ? (
            <Table caption="Gate checks">
              <THead>
                <TR>
                  <TH>Check</TH>
                  <TH className="text-right">Threshold</TH>
                  <TH className="text-right">Actual</TH>
                  <TH>Result</TH>
                </TR>
              </THead>
              <TBody>
                {gate.checks.map((c) => (
                  <TR key={`${c.evaluator}:${c.metric}`}>
                    <TD>
                      <span className="font-mono text-[13px] text-zinc-900">{c.evaluator}</span>
                      <span className="block text-xs text-zinc-500">{GATE_METRIC_LABELS[c.metric]}</span>
                    </TD>
                    <TD className="text-right font-mono text-xs whitespace-nowrap tabular-nums">≥ {gateValue(c.metric, c.min)}</TD>
                    <TD className="text-right font-mono text-xs whitespace-nowrap tabular-nums">{c.actual === null ? "—" : gateValue(c.metric, c.actual)}</TD>
                    <TD>
                      <PassFail passed={c.passed} yes="Met" no="Not met" />
                      <span className="mt-0.5 block text-xs text-zinc-500">{c.message}</span>
                    </TD>
                  </TR>
                ))}
                {gate.review ? (
                  <TR>
                    <TD>
                      <span className="text-[13px] text-zinc-900">Human review</span>
                      <span className="block text-xs text-zinc-500">
                        mean grade from <span className="font-mono">{gate.review.queue}</span>
                        {gate.review.dimension ? (
                          <>
                            {" "}
                            (<span className="font-mono">{gate.review.dimension}</span>)
                          </>
                        ) : null}
                        , {gate.review.n} {gate.review.n === 1 ? "grade" : "grades"}
                      </span>
                    </TD>
                    <TD className="text-right font-mono text-xs whitespace-nowrap tabular-nums">≥ {gate.review.min.toFixed(3)}</TD>
                    <TD className="text-right font-mono text-xs whitespace-nowrap tabular-nums">
                      {gate.review.actual === null ? "—" : gate.review.actual.toFixed(3)}
                    </TD>
                    <TD>
                      <PassFail passed={gate.review.passed} yes="Met" no="Not met" />
                      <span className="mt-0.5 block text-xs text-zinc-500">{gate.review.message}</span>
                    </TD>
                  </TR>
                ) : null}
              </TBody>
            </Table>
          ) : null}
        </>
      )}
    </Card>
  );
}

const DIRECTION: Record<string, { tone: "success" | "danger" | "neutral"; label: string }> = {
  better: { tone: "success", label: "Better" },
  worse: { tone: "danger", label: "Worse" },
  inconclusive: { tone: "neutral", label: "Inconclusive" },
};

export function ComparisonCard({ pack, ...links }: Links & { pack: EvidencePack }) {
  const c = pack.comparison;
  return (
    <Card aria-labelledby="comparison-title">
      <CardHeader
        titleId="comparison-title"
        title="Comparison with the deployed version"
        description={
          c ? (
            <>
              Candidate <RunLink number={c.candidateRun} {...links} /> against deployed <RunLink number={c.baselineRun} {...links} /> on{" "}
              <span className="font-mono">{c.dataset}</span> v{c.datasetVersion}, item by item.
            </>
          ) : undefined
        }
        actions={
          c && links.canReadEvaluations ? (
            <Link
              href={evaluationsHref(links.orgSlug, links.projectSlug, "compare", { baseline: c.baselineRun, candidate: c.candidateRun })}
              className="text-xs font-medium text-zinc-700 underline decoration-zinc-300 underline-offset-2 hover:text-zinc-900"
            >
              Open the full comparison
            </Link>
          ) : undefined
        }
      />
      {!c ? (
        <CardBody>
          <p className="text-[13px] text-zinc-600">
            {pack.comparisonNote ??
              (pack.deployed ? "No comparison available." : "Nothing is deployed to this environment yet: there is nothing to compare with.")}
          </p>
        </CardBody>
      ) : (
        <>
          <CardBody className="py-2.5">
            <p className="text-[13px] text-zinc-700">
              {c.regressions === 0 ? (
                "No item scored worse than with the deployed version."
              ) : (
                <>
                  <strong className="font-semibold text-red-700">
                    {c.regressions} {c.regressions === 1 ? "item" : "items"}
                  </strong>{" "}
                  scored worse than with the deployed version.
                </>
              )}
            </p>
          </CardBody>
          <Table caption="Scores of the deployed and the candidate version per evaluator">
            <THead>
              <TR>
                <TH>Evaluator and verdict</TH>
                <TH className="text-right">Deployed</TH>
                <TH className="text-right">Candidate</TH>
                <TH className="text-right">Difference (95% CI)</TH>
              </TR>
            </THead>
            <TBody>
              {c.evaluators.map((e) => {
                const d = DIRECTION[e.direction] ?? DIRECTION.inconclusive!;
                return (
                  <TR key={e.name} className="align-top">
                    <TD className="min-w-64">
                      <span className="flex items-center gap-1.5">
                        <span className="font-mono text-[13px] whitespace-nowrap text-zinc-900">{e.name}</span>
                        <Badge tone={d.tone}>{d.label}</Badge>
                      </span>
                      <span className="mt-0.5 block text-xs text-zinc-600">{e.verdict}</span>
                    </TD>
                    <TD className="text-right font-mono text-xs tabular-nums">{formatMean(e.baselineMean)}</TD>
                    <TD className="text-right font-mono text-xs tabular-nums">{formatMean(e.candidateMean)}</TD>
                    <TD className="text-right font-mono text-xs whitespace-nowrap tabular-nums">
                      {points(e.meanDifference)} pts
                      <span className="block text-zinc-500">
                        [{points(e.low)}, {points(e.high)}]
                      </span>
                    </TD>
                  </TR>
                );
              })}
            </TBody>
          </Table>
        </>
      )}
    </Card>
  );
}

export function HumanReviewCard({ pack }: { pack: EvidencePack }) {
  const dims = pack.humanReview?.dimensions ?? [];
  return (
    <Card aria-labelledby="human-title">
      <CardHeader titleId="human-title" title="Human review" description="Final grades from review queues on the gate run's outputs (0 to 1)." />
      {dims.length === 0 ? (
        <CardBody>
          <p className="text-[13px] text-zinc-600">{pack.gate?.run ? "No final human grades on the gate run." : "No gate run, so no human grades to show."}</p>
        </CardBody>
      ) : (
        <Table caption="Human grades per rubric dimension">
          <THead>
            <TR>
              <TH>Dimension</TH>
              <TH>Queue</TH>
              <TH className="text-right">Mean (0-1)</TH>
              <TH className="text-right">Grades</TH>
            </TR>
          </THead>
          <TBody>
            {dims.map((d) => (
              <TR key={`${d.queue}:${d.key}`}>
                <TD>{d.label}</TD>
                <TD className="font-mono text-[13px]">{d.queue}</TD>
                <TD className="text-right font-mono text-xs tabular-nums">{d.mean.toFixed(3)}</TD>
                <TD className="text-right font-mono text-xs tabular-nums">{d.n}</TD>
              </TR>
            ))}
          </TBody>
        </Table>
      )}
    </Card>
  );
}

export function ContentCard({ pack, orgSlug, projectSlug, environment }: { pack: EvidencePack; orgSlug: string; projectSlug: string; environment: string }) {
  const trpc = useTRPC();
  const providers = useQuery(trpc.providers.list.queryOptions({ orgSlug, projectSlug }));
  const providerNames = Object.fromEntries((providers.data ?? []).map((p) => [p.id, p.name]));
  const candidate = pack.candidate;
  const deployed = pack.deployed;
  const deployedLabel = deployed ? `v${deployed.version} (${pack.request.state === "deployed" ? "replaced" : environment})` : "nothing deployed";
  return (
    <Card aria-labelledby="content-title">
      <CardHeader
        titleId="content-title"
        title="Content changes"
        description={
          deployed
            ? `v${candidate.version} against v${deployed.version}, ${pack.request.state === "deployed" ? "the version it replaced" : `what ${environment} serves now`}.`
            : `Nothing is deployed to ${environment} yet: all of v${candidate.version} is new.`
        }
      />
      <CardBody className="flex flex-col gap-4">
        <dl className="grid gap-3 text-[13px] sm:grid-cols-2" aria-label="Content hashes">
          <HashItem label={`Candidate v${candidate.version}`} hash={candidate.contentHash} sub={`${candidate.authorLabel} · ${candidate.commitMessage}`} />
          {deployed ? (
            <HashItem label={`Deployed v${deployed.version}`} hash={deployed.contentHash} sub={`${deployed.authorLabel} · ${deployed.commitMessage}`} />
          ) : null}
        </dl>
        <VersionDiff
          type={candidate.type as PromptType}
          before={deployed}
          after={candidate}
          beforeLabel={deployedLabel}
          afterLabel={`v${candidate.version}`}
          providerNames={providerNames}
        />
      </CardBody>
    </Card>
  );
}

function HashItem({ label, hash, sub }: { label: string; hash: string; sub: string }) {
  return (
    <div className="min-w-0 rounded-md border border-zinc-200 px-3 py-2">
      <dt className="text-xs text-zinc-500">{label} · content SHA-256</dt>
      <dd className="font-mono text-xs break-all text-zinc-900">{hash}</dd>
      <dd className="mt-0.5 truncate text-xs text-zinc-500" title={sub}>
        {sub}
      </dd>
    </div>
  );
}

export function AuditCard({ pack }: { pack: EvidencePack }) {
  return (
    <Card aria-labelledby="audit-title">
      <CardHeader
        titleId="audit-title"
        title="Audit events covered"
        description="The audit log entries of this request, in order; each entry's hash chains it to the one before."
      />
      {pack.audit.length === 0 ? (
        <CardBody>
          <p className="text-[13px] text-zinc-600">No audit events recorded for this request.</p>
        </CardBody>
      ) : (
        <Table caption="Audit events of this request">
          <THead>
            <TR>
              <TH className="text-right">Seq</TH>
              <TH>Action</TH>
              <TH>Actor</TH>
              <TH>When</TH>
              <TH>Hash</TH>
            </TR>
          </THead>
          <TBody>
            {pack.audit.map((e) => (
              <TR key={e.seq}>
                <TD className="text-right font-mono text-xs tabular-nums">{e.seq}</TD>
                <TD className="font-mono text-xs text-zinc-900">
                  {e.action}
                  {e.outcome && e.outcome !== "success" ? (
                    <Badge tone="warning" className="ml-1.5">
                      {e.outcome}
                    </Badge>
                  ) : null}
                </TD>
                <TD className="whitespace-nowrap">{e.actor}</TD>
                <TD className="text-xs">
                  <Time value={e.at} />
                </TD>
                <TD className="font-mono text-xs text-zinc-500" title={e.hash}>
                  {e.hash.slice(0, 8)}…
                </TD>
              </TR>
            ))}
          </TBody>
        </Table>
      )}
      <div className="border-t border-zinc-100 px-4 py-2.5 text-xs text-zinc-500">
        Evidence pack SHA-256 (canonical JSON): <span className="font-mono break-all text-zinc-800">{pack.packSha256}</span>
      </div>
    </Card>
  );
}
