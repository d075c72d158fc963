"use client";
import { useQuery } from "@tanstack/react-query";
import type { ReactNode } from "react";
import { useTRPC } from "@/components/trpc/client";
import { Badge, Dialog, Spinner } from "@/components/ui";
import { QueryErrorAlert } from "@/components/lib/error-alert";
import { formatDateTime } from "@/components/lib/time";
import { JsonDiff } from "./json-diff";
import { actionLabel, targetTypeLabel } from "./labels";

function Row({ label, children, mono }: { label: string; children: ReactNode; mono?: boolean }) {
  return (
    <div className="grid grid-cols-[7rem_1fr] gap-3 py-1.5">
      <dt className="text-xs text-zinc-500">{label}</dt>
      <dd className={mono ? "font-mono text-xs break-all text-zinc-800" : "text-[13px] text-zinc-800"}>
        {children ?? <span className="text-zinc-500">—</span>}
      </dd>
    </div>
  );
}

export function EventDialog({ orgSlug, seq, onClose }: { orgSlug: string; seq: string | null; onClose: () => void }) {
  const trpc = useTRPC();
  const event = useQuery({ ...trpc.audit.get.queryOptions({ orgSlug, seq: seq ?? "0" }), enabled: seq !== null });
  const e = event.data;
  return (
    <Dialog open={seq !== null} onClose={onClose} size="xl" title={`Event #${seq ?? ""}`} description={e ? actionLabel(e.action) : undefined}>
      {event.isPending ? (
        <div className="py-10 text-center">
          <Spinner label="Loading the event…" />
        </div>
      ) : event.isError ? (
        <QueryErrorAlert title="Could not load this event" error={event.error} />
      ) : e ? (
        <div className="space-y-5">
          <div className="grid gap-x-8 md:grid-cols-2">
            <dl className="divide-y divide-zinc-100">
              <Row label="Sequence" mono>
                {e.seq.toString()}
              </Row>
              <Row label="Time">
                {formatDateTime(e.createdAt)}
                <span className="block font-mono text-xs text-zinc-500">{e.createdAt.toISOString()}</span>
              </Row>
              <Row label="Action">
                {actionLabel(e.action)} <span className="font-mono text-xs text-zinc-500">{e.action}</span>
              </Row>
              <Row label="Outcome">{e.outcome === "denied" ? <Badge tone="danger">Denied</Badge> : <Badge tone="success">Success</Badge>}</Row>
              <Row label="Actor">
                <span className="flex flex-wrap items-center gap-1.5">
                  {e.actorLabel}
                  {e.actorType !== "user" ? <Badge tone="outline">{e.actorType === "api_key" ? "API key" : e.actorType}</Badge> : null}
                  {e.actorRole ? <Badge>{e.actorRole}</Badge> : null}
                </span>
              </Row>
              <Row label="Actor id" mono>
                {e.actorId}
              </Row>
              <Row label="Target">{targetTypeLabel(e.targetType)}</Row>
              <Row label="Target id" mono>
                {e.targetId}
              </Row>
              <Row label="Project">{e.project ? `${e.project.name} (${e.project.slug})` : null}</Row>
            </dl>
            <dl className="divide-y divide-zinc-100">
              <Row label="Request id" mono>
                {e.requestId}
              </Row>
              <Row label="IP address" mono>
                {e.ip}
              </Row>
              <Row label="User agent">{e.userAgent ? <span className="text-xs break-words text-zinc-700">{e.userAgent}</span> : null}</Row>
              <Row label="Previous hash" mono>
                {e.prevHash}
              </Row>
              <Row label="Hash" mono>
                {e.hash}
              </Row>
            </dl>
          </div>
          <section aria-labelledby="changes-title">
            <h3 id="changes-title" className="mb-2 text-[13px] font-semibold text-zinc-900">
              Changes
            </h3>
            <JsonDiff before={e.before} after={e.after} />
          </section>
        </div>
      ) : null}
    </Dialog>
  );
}
