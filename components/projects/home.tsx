// A project's home page, by what the person's role lets them do: recent prompts and runs for
// people who write them, the deployment requests waiting for approvers, the reviewer's own queues
// with their counts, the audit chain's state and the latest exports for auditors (owners and
// admins see every part). The page reads each part through the same procedures as its own page
// (the server caller: same permissions); each part says what to do when it is empty.
import Link from "next/link";
import type { ReactNode } from "react";
import type { RouterOutputs } from "@/components/trpc/client";
import { Badge, ButtonLink, Card, CardHeader, EmptyState } from "@/components/ui";
import { Time } from "@/components/lib/time";

type Scope = { orgSlug: string; projectSlug: string };
export type HomeData = {
  prompts: RouterOutputs["home"]["recentPrompts"] | null;
  runs: RouterOutputs["runs"]["list"] | null;
  open: RouterOutputs["deployments"]["list"] | null;
  waiting: number | null;
  queues: RouterOutputs["reviews"]["mine"] | null;
  chain: RouterOutputs["audit"]["status"] | null;
  exports: RouterOutputs["audit"]["exports"] | null;
};
export type Has = { prompts: boolean; writePrompts: boolean; runs: boolean; approvals: boolean; review: boolean; reviewer: boolean; audit: boolean };

function Section({ id, title, description, action, children }: { id: string; title: string; description?: string; action?: ReactNode; children: ReactNode }) {
  return (
    <Card aria-labelledby={`${id}-title`} className="min-w-0">
      <CardHeader titleId={`${id}-title`} title={title} description={description} actions={action} />
      {children}
    </Card>
  );
}

function Rows({ children }: { children: ReactNode }) {
  return <ul className="divide-y divide-zinc-100">{children}</ul>;
}

function Row({ href, title, meta, side }: { href: string; title: ReactNode; meta?: ReactNode; side?: ReactNode }) {
  return (
    <li>
      <Link href={href} className="flex items-center gap-3 px-4 py-2.5 hover:bg-zinc-50 focus-visible:bg-zinc-50 focus-visible:outline-none">
        <span className="min-w-0 flex-1">
          <span className="block truncate text-[13px] font-medium text-zinc-900">{title}</span>
          {meta ? <span className="block truncate text-xs text-zinc-600">{meta}</span> : null}
        </span>
        {side ? <span className="shrink-0 text-xs text-zinc-600">{side}</span> : null}
      </Link>
    </li>
  );
}

export function ProjectHome({ orgSlug, projectSlug, has, data }: Scope & { has: Has; data: HomeData }) {
  const base = `/o/${orgSlug}/p/${projectSlug}`;
  const { prompts, runs, open, waiting, queues, chain, exports } = data;
  const sections: ReactNode[] = [];

  if (open) {
    sections.push(
      <Section
        key="approvals"
        id="home-approvals"
        title="Waiting for approval"
        description={waiting ? `${waiting} ${waiting === 1 ? "request waits" : "requests wait"} for your approval` : "Nothing waits for your approval"}
        action={
          <ButtonLink size="sm" href={`${base}/deployments`}>
            All requests
          </ButtonLink>
        }
      >
        {open.rows.length ? (
          <Rows>
            {open.rows.slice(0, 5).map((r) => (
              <Row
                key={r.number}
                href={`${base}/deployments/${r.number}`}
                title={`#${r.number} ${r.prompt} v${r.version} → ${r.environment}`}
                meta={
                  <>
                    requested by {r.requestedBy} · <Time value={r.createdAt} mode="relative" />
                  </>
                }
                side={<Badge tone={r.state === "pending" ? "warning" : "neutral"}>{r.state}</Badge>}
              />
            ))}
          </Rows>
        ) : (
          <EmptyState
            title="No open deployment requests"
            description="When someone asks to deploy a prompt version to a protected environment, it appears here for you to approve or reject."
          />
        )}
      </Section>,
    );
  }

  if (queues && (has.reviewer || queues.length)) {
    sections.push(
      <Section key="queues" id="home-queues" title="My review queues" description="Queues you are assigned to, with what is left for you">
        {queues.length ? (
          <Rows>
            {queues.map((q) => (
              <Row
                key={q.name}
                href={`${base}/review/${encodeURIComponent(q.name)}`}
                title={q.name}
                meta={`${q.gradedByMe} graded by you · ${q.finalized} of ${q.items} finalised`}
                side={q.availableToMe ? <Badge tone="accent">{q.availableToMe} to grade</Badge> : <span>Nothing left for you</span>}
              />
            ))}
          </Rows>
        ) : (
          <EmptyState
            title="No review queues yet"
            description="You are not assigned to a review queue in this project. A queue's lead adds reviewers; ask them to add you."
          />
        )}
      </Section>,
    );
  }

  if (prompts) {
    sections.push(
      <Section
        key="prompts"
        id="home-prompts"
        title="Recent prompts"
        description="Most recently changed first"
        action={
          <ButtonLink size="sm" href={`${base}/prompts`}>
            All prompts
          </ButtonLink>
        }
      >
        {prompts.length ? (
          <Rows>
            {prompts.map((p) => (
              <Row
                key={p.name}
                href={`${base}/prompts/${p.name.split("/").map(encodeURIComponent).join("/")}`}
                title={<span className="font-mono">{p.name}</span>}
                meta={
                  <>
                    v{p.latestVersion}
                    {p.labels.length ? ` · ${p.labels.map((l) => `${l.name}: v${l.version}`).join(", ")}` : " · in no environment yet"}
                  </>
                }
                side={<Time value={p.updatedAt} mode="relative" />}
              />
            ))}
          </Rows>
        ) : (
          <EmptyState
            title="No prompts yet"
            description={
              has.writePrompts
                ? "Create the first prompt: its versions, environments and evaluations start here."
                : "Nobody has created a prompt in this project yet."
            }
            action={
              has.writePrompts ? (
                <ButtonLink variant="primary" size="sm" href={`${base}/prompts/new`}>
                  New prompt
                </ButtonLink>
              ) : undefined
            }
          />
        )}
      </Section>,
    );
  }

  if (runs) {
    sections.push(
      <Section
        key="runs"
        id="home-runs"
        title="Recent evaluation runs"
        action={
          <ButtonLink size="sm" href={`${base}/evaluations/runs`}>
            All runs
          </ButtonLink>
        }
      >
        {runs.runs.length ? (
          <Rows>
            {runs.runs.map((r) => (
              <Row
                key={r.number}
                href={`${base}/evaluations/runs/${r.number}`}
                title={`Run #${r.number} · ${r.promptVersion ? `${r.promptVersion.prompt.name} v${r.promptVersion.version}` : "external"}`}
                meta={
                  <>
                    {r.datasetVersion ? `${r.datasetVersion.dataset.name} v${r.datasetVersion.version} · ` : ""}
                    <Time value={r.createdAt} mode="relative" />
                  </>
                }
                side={<Badge>{r.status.replaceAll("_", " ")}</Badge>}
              />
            ))}
          </Rows>
        ) : (
          <EmptyState
            title="No evaluation runs yet"
            description="Run a prompt version over a dataset to score it before it is deployed."
            action={
              has.writePrompts ? (
                <ButtonLink size="sm" href={`${base}/evaluations/new`}>
                  New run
                </ButtonLink>
              ) : undefined
            }
          />
        )}
      </Section>,
    );
  }

  if (chain && exports) {
    const v = chain.verification;
    const tone = v?.status === "ok" ? "success" : v?.status === "broken" ? "danger" : "neutral";
    sections.push(
      <Section
        key="audit"
        id="home-audit"
        title="Audit trail"
        description="The organization's hash-chained audit log"
        action={
          <ButtonLink size="sm" href={`/o/${orgSlug}/audit`}>
            Audit log
          </ButtonLink>
        }
      >
        <dl className="grid grid-cols-1 gap-3 px-4 py-3 text-[13px] sm:grid-cols-2">
          <div>
            <dt className="text-xs text-zinc-600">Chain</dt>
            <dd className="mt-0.5 flex flex-wrap items-center gap-2">
              <Badge tone={tone}>{v ? (v.status === "ok" ? "Verified" : v.status === "broken" ? "Broken" : "Checking") : "Not verified yet"}</Badge>
              {v?.finishedAt ? (
                <span className="text-xs text-zinc-600">
                  up to event {String(v.checkedSeq)}, <Time value={v.finishedAt} mode="relative" />
                </span>
              ) : null}
            </dd>
          </div>
          <div>
            <dt className="text-xs text-zinc-600">Events</dt>
            <dd className="mt-0.5 text-zinc-900 tabular-nums">{chain.head ? String(chain.head.seq) : "0"}</dd>
          </div>
        </dl>
        <h3 className="border-t border-zinc-100 px-4 pt-3 text-xs font-semibold text-zinc-700">Recent exports</h3>
        {exports.length ? (
          <Rows>
            {exports.slice(0, 5).map((e) => (
              <Row
                key={e.id}
                href={`/o/${orgSlug}/audit`}
                title={<span className="font-mono">{e.fileName}</span>}
                meta={
                  <>
                    {e.rowCount} events · by {e.exporterLabel}
                  </>
                }
                side={<Time value={e.createdAt} mode="relative" />}
              />
            ))}
          </Rows>
        ) : (
          <p className="px-4 pt-1 pb-4 text-[13px] text-zinc-600">
            No exports yet. Export the log from the audit page; each export comes with a signed manifest you can verify offline.
          </p>
        )}
      </Section>,
    );
  }

  if (!sections.length) return null;
  return <div className="grid grid-cols-1 gap-4 xl:grid-cols-2 [&>*]:min-w-0">{sections}</div>;
}
