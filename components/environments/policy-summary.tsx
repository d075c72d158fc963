"use client";
// A protected environment's rules in words: who approves, separation of duties, the evaluation
// gate, expiry, wait timer, change freezes (the one in force now stands out) and rollbacks.
import type { ReactNode } from "react";
import { ROLLBACK_POLICY_LABELS } from "@/server/contracts/deployments";
import { Badge, cn } from "@/components/ui";
import { Time } from "@/components/lib/time";
import { describeApprovals, describeThreshold, formatHours, formatMinutes, freezeState, useNow, type StoredPolicy } from "./policy-model";

export function PolicySummary({ environment, policy, userLabel }: { environment: string; policy: StoredPolicy; userLabel: (id: string) => string }) {
  const now = useNow();
  const gate = policy.gate;
  const sod = policy.separationOfDuties || environment === "production";
  return (
    <dl className="divide-y divide-zinc-100 text-[13px]">
      <Row term="Approvals">
        <p className="mb-1.5 text-zinc-500">
          {policy.rules.length === 1
            ? "The rule must be met:"
            : `All ${policy.rules.length} rules must be met; one person's approval counts toward one rule only.`}
        </p>
        <ul className="flex flex-col gap-1">
          {policy.rules.map((rule, i) => (
            <li key={i}>
              <span className="font-medium text-zinc-900">{rule.name}</span>: {describeApprovals(rule, userLabel)}
            </li>
          ))}
        </ul>
      </Row>
      <Row term="Separation of duties">
        {sod ? (
          <>
            <Badge tone="success">On</Badge>{" "}
            <span>
              The requester, the version&apos;s author and the last editor of these rules cannot approve.
              {environment === "production" && !policy.separationOfDuties ? " (Always on for production.)" : ""}
            </span>
          </>
        ) : (
          <>
            <Badge tone="warning">Off</Badge> <span>Anyone a rule names may approve, their own requests included.</span>
          </>
        )}
      </Row>
      <Row term="Evaluation gate">
        {gate ? (
          <div className="flex flex-col gap-1">
            <p>
              {gate.prompts.length ? (
                <>
                  Applies to{" "}
                  {gate.prompts.map((p, i) => (
                    <span key={p}>
                      {i > 0 ? (i === gate.prompts.length - 1 ? " and " : ", ") : null}
                      <span className="font-mono text-zinc-900">{p}</span>
                    </span>
                  ))}
                  .
                </>
              ) : (
                "Applies to every prompt deployed here."
              )}{" "}
              The version needs a completed run on <span className="font-mono text-zinc-900">{gate.dataset}</span>
              {gate.datasetVersion ? ` v${gate.datasetVersion}` : " (any version)"}
              {gate.tag ? (
                <>
                  {" "}
                  restricted to tag <span className="font-mono text-zinc-900">{gate.tag}</span>
                </>
              ) : null}{" "}
              where:
            </p>
            <ul className="flex list-disc flex-col gap-0.5 pl-5">
              {gate.evaluators.map((e) => (
                <li key={`${e.name}-${e.metric}`} className="font-mono text-[12.5px] text-zinc-900">
                  {describeThreshold(e)}
                </li>
              ))}
              {gate.review ? (
                <li>
                  mean human grade{gate.review.dimension ? <> ({gate.review.dimension})</> : null} from review queue{" "}
                  <span className="font-mono text-zinc-900">{gate.review.queue}</span> ≥ <span className="font-mono">{gate.review.min.toFixed(2)}</span>
                </li>
              ) : null}
            </ul>
          </div>
        ) : (
          <span className="text-zinc-500">None: versions need no evaluation run.</span>
        )}
      </Row>
      <Row term="Expiry">Requests not deployed within {formatHours(policy.expiryHours)} expire.</Row>
      <Row term="Wait timer">
        {policy.waitMinutes ? (
          `Deploys ${formatMinutes(policy.waitMinutes)} after the last approval.`
        ) : (
          <span className="text-zinc-500">None: deploys as soon as every rule is met.</span>
        )}
      </Row>
      <Row term="Change freezes">
        {policy.freezeWindows.length ? (
          <ul className="flex flex-col gap-1.5">
            {policy.freezeWindows.map((w, i) => {
              const state = freezeState(w, now);
              return (
                <li
                  key={i}
                  className={cn(
                    "flex flex-wrap items-baseline gap-x-2 gap-y-1",
                    state === "now" && "-mx-2 rounded-md bg-amber-50 px-2 py-1.5 ring-1 ring-amber-200",
                    state === "ended" && "text-zinc-500",
                  )}
                >
                  {state === "now" ? (
                    <Badge tone="warning">In force now</Badge>
                  ) : state === "upcoming" ? (
                    <Badge tone="outline">Upcoming</Badge>
                  ) : (
                    <Badge tone="neutral">Ended</Badge>
                  )}
                  <span>
                    <Time value={w.start} className="whitespace-nowrap" /> – <Time value={w.end} className="whitespace-nowrap" />
                  </span>
                  <span className={cn(state !== "ended" && "text-zinc-900")}>{w.reason}</span>
                </li>
              );
            })}
          </ul>
        ) : (
          <span className="text-zinc-500">None</span>
        )}
      </Row>
      <Row term="Rollbacks">{ROLLBACK_POLICY_LABELS[policy.rollbackPolicy]}</Row>
    </dl>
  );
}

function Row({ term, children }: { term: string; children: ReactNode }) {
  return (
    <div className="grid gap-1 px-4 py-2.5 sm:grid-cols-[11rem_1fr] sm:gap-4">
      <dt className="font-medium text-zinc-500">{term}</dt>
      <dd className="min-w-0 text-zinc-700">{children}</dd>
    </div>
  );
}

/** "Last edited by owner@example.com at 12 Mar 2026, 14:02:11". */
export function LastEdited({ policy }: { policy: StoredPolicy }) {
  return (
    <>
      Last edited by <span className="text-zinc-700">{policy.editedByLabel}</span> at <Time value={policy.editedAt} />
    </>
  );
}
