"use client";
// One trace: a summary (name, id, start, duration, tokens, cost, status, prompt), its spans as a
// tree with a waterfall, the selected span's details (in the address as ?span=, so a link can
// point at a generation), the trace's scores, and the curation actions the role allows.
import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useSearchParams } from "next/navigation";
import { useMemo, useState, type ReactNode } from "react";
import type { ScoreView, SpanView, TraceSummary } from "@/server/contracts/observability";
import { useTRPC } from "@/components/trpc/client";
import { Button, Card, CardHeader, EmptyState, PageHeader, Spinner, useCopy } from "@/components/ui";
import { CheckIcon, ClipboardCheckIcon, CopyIcon, DatabaseIcon } from "@/components/ui/icons";
import { QueryErrorAlert } from "@/components/lib/error-alert";
import { errorInfo } from "@/components/lib/errors";
import { Time } from "@/components/lib/time";
import { promptHref } from "@/components/prompts/model";
import { ScoreChip, SourceBadge, StatusBadge } from "./badges";
import { AddTraceToDatasetDialog, SendTraceToQueueDialog } from "./curation-dialogs";
import { TracesIcon } from "@/components/ui/icons";
import { buildSpanTree, formatCompact, formatMs, formatUsd, plainOutput, sourceLabel, traceHref, tracesHref } from "./model";
import { SpanDetails } from "./span-details";
import { SpanTree } from "./span-tree";

type Props = { orgSlug: string; projectSlug: string; projectName: string; traceId: string; canAddToDataset: boolean; canSendToQueue: boolean };

function CopyId({ value }: { value: string }) {
  const { state, copy } = useCopy();
  return (
    <span className="inline-flex min-w-0 items-center gap-1">
      <span className="truncate font-mono text-xs" title={value}>
        {value}
      </span>
      <Button size="sm" variant="ghost" className="h-6 px-1.5" aria-label="Copy trace id" onClick={() => void copy(value)}>
        {state === "copied" ? <CheckIcon size={13} className="text-emerald-600" /> : <CopyIcon size={13} />}
      </Button>
      <span role="status" className="sr-only">
        {state === "copied" ? "Trace id copied to the clipboard" : state === "failed" ? "Copying failed" : ""}
      </span>
    </span>
  );
}

function Fact({ label, children, wide }: { label: string; children: ReactNode; wide?: boolean }) {
  return (
    <div className={wide ? "col-span-2 min-w-0" : "min-w-0"}>
      <dt className="text-[11px] font-medium text-zinc-500">{label}</dt>
      <dd className="mt-0.5 text-[13px] break-words text-zinc-900">{children}</dd>
    </div>
  );
}

function Summary({ t, orgSlug, projectSlug }: { t: TraceSummary; orgSlug: string; projectSlug: string }) {
  const none = <span className="text-zinc-500">—</span>;
  return (
    <Card as="div" className="mb-4">
      <dl aria-label="Trace summary" className="grid grid-cols-2 gap-x-6 gap-y-3 px-4 py-3 sm:grid-cols-4 xl:grid-cols-8">
        <Fact label="Trace id" wide>
          <CopyId value={t.traceId} />
        </Fact>
        <Fact label="Started" wide>
          <Time value={t.startTime} />
        </Fact>
        <Fact label="Duration">
          <span className="font-mono text-xs tabular-nums">{formatMs(t.durationMs)}</span>
        </Fact>
        <Fact label="Tokens (in → out)">
          <span className="font-mono text-xs tabular-nums">
            {t.inputTokens + t.outputTokens ? `${formatCompact(t.inputTokens)} → ${formatCompact(t.outputTokens)}` : "—"}
          </span>
        </Fact>
        <Fact label="Cost">
          <span className="font-mono text-xs tabular-nums">{formatUsd(t.costUsd)}</span>
        </Fact>
        <Fact label="Status">
          <StatusBadge errors={t.errors} />
        </Fact>
        <Fact label="Prompt" wide>
          {t.promptName ? (
            <Link
              href={promptHref(orgSlug, projectSlug, t.promptName, undefined, { version: t.promptVersion ?? undefined })}
              className="font-mono text-xs text-accent hover:underline"
            >
              {t.promptName}
              {t.promptVersion ? ` v${t.promptVersion}` : ""}
            </Link>
          ) : (
            none
          )}
        </Fact>
        <Fact label="Model" wide>
          {t.model ? <span className="font-mono text-xs">{t.model}</span> : none}
        </Fact>
        <Fact label="Environment">{t.environment ? <span className="font-mono text-xs">{t.environment}</span> : none}</Fact>
        <Fact label="Source">
          <SourceBadge source={t.source} />
        </Fact>
        <Fact label="Spans">
          <span className="tabular-nums">
            {t.spans} ({t.generations} {t.generations === 1 ? "generation" : "generations"})
          </span>
        </Fact>
        {/* Present only when the application sent them. */}
        {t.userId ? (
          <Fact label="User">
            <span className="font-mono text-xs">{t.userId}</span>
          </Fact>
        ) : null}
        {t.sessionId ? (
          <Fact label="Session">
            <span className="font-mono text-xs">{t.sessionId}</span>
          </Fact>
        ) : null}
        {t.serviceName ? (
          <Fact label="Service">
            <span className="font-mono text-xs">{t.serviceName}</span>
          </Fact>
        ) : null}
      </dl>
    </Card>
  );
}

function Scores({ scores, spans, onSelect }: { scores: ScoreView[]; spans: SpanView[]; onSelect: (spanId: string) => void }) {
  const names = new Map(spans.map((s) => [s.spanId, s.name]));
  return (
    <Card aria-labelledby="scores-title">
      <CardHeader titleId="scores-title" title="Scores" description="Feedback sent through the API and online evaluator results." />
      {scores.length === 0 ? (
        <p className="px-4 py-4 text-[13px] text-zinc-500">No scores on this trace.</p>
      ) : (
        <ul aria-label="Scores of this trace" className="divide-y divide-zinc-100">
          {scores.map((s) => (
            <li key={s.id} className="flex flex-col gap-1 px-4 py-2.5">
              <div className="flex flex-wrap items-center gap-x-2 gap-y-1 text-xs text-zinc-500">
                <ScoreChip score={s} />
                <span>{sourceLabel(s.source)}</span>
                <span aria-hidden="true">·</span>
                {s.spanId && names.has(s.spanId) ? (
                  <span className="flex min-w-0 items-center gap-1">
                    on
                    <button type="button" className="max-w-48 truncate font-mono text-accent hover:underline" onClick={() => onSelect(s.spanId!)}>
                      {names.get(s.spanId)}
                    </button>
                  </span>
                ) : (
                  <span>on the trace</span>
                )}
                <span aria-hidden="true">·</span>
                <Time value={s.createdAt} mode="relative" />
              </div>
              {s.comment ? <p className="text-[13px] break-words text-zinc-700">“{s.comment}”</p> : null}
            </li>
          ))}
        </ul>
      )}
    </Card>
  );
}

export function TraceView({ orgSlug, projectSlug, projectName, traceId, canAddToDataset, canSendToQueue }: Props) {
  const trpc = useTRPC();
  const searchParams = useSearchParams();
  const trace = useQuery(trpc.observability.trace.queryOptions({ orgSlug, projectSlug, traceId }));
  const [dialog, setDialog] = useState<"dataset" | "queue" | null>(null);
  const rows = useMemo(() => buildSpanTree(trace.data?.spans ?? []), [trace.data]);

  const eyebrow = (
    <>
      {projectName} ·{" "}
      <Link href={tracesHref(orgSlug, projectSlug)} className="hover:text-zinc-800 hover:underline">
        Traces
      </Link>
    </>
  );
  if (trace.isPending) {
    return (
      <div className="py-10 text-center">
        <Spinner label="Loading the trace…" />
      </div>
    );
  }
  if (trace.isError) {
    const notFound = errorInfo(trace.error).code === "NOT_FOUND";
    return (
      <>
        <PageHeader eyebrow={eyebrow} title="Trace" />
        {notFound ? (
          <Card as="div">
            <EmptyState
              icon={<TracesIcon />}
              title="No such trace in this project"
              description={`Trace ${traceId} has not arrived (yet), or it is older than the project's retention.`}
            />
          </Card>
        ) : (
          <section aria-label="Trace">
            <QueryErrorAlert title="Could not load the trace" error={trace.error} />
          </section>
        )}
      </>
    );
  }

  const { trace: t, spans } = trace.data;
  const requested = searchParams.get("span");
  const selected = spans.find((s) => s.spanId === requested) ?? spans.find((s) => s.isGeneration) ?? rows[0]?.span ?? null;
  // Curation acts on a generation: the selected one, else the trace's first (the server's default).
  const generation = selected?.isGeneration ? selected : (spans.find((s) => s.isGeneration) ?? null);
  const target = { orgSlug, projectSlug, traceId: t.traceId, spanId: generation?.spanId, spanName: generation?.name ?? selected?.name ?? t.name ?? "span" };
  const select = (spanId: string) => {
    // No navigation: the address records the choice (Next keeps useSearchParams in step).
    window.history.replaceState(null, "", traceHref(orgSlug, projectSlug, t.traceId, spanId));
  };

  return (
    <>
      <PageHeader
        eyebrow={eyebrow}
        title={t.name || "Unnamed trace"}
        actions={
          <>
            {canAddToDataset ? (
              <Button icon={<DatabaseIcon size={14} />} onClick={() => setDialog("dataset")} disabled={!spans.length}>
                Add to dataset
              </Button>
            ) : null}
            {canSendToQueue ? (
              <Button icon={<ClipboardCheckIcon size={14} />} onClick={() => setDialog("queue")} disabled={!spans.length}>
                Send to review queue
              </Button>
            ) : null}
          </>
        }
      />
      <Summary t={t} orgSlug={orgSlug} projectSlug={projectSlug} />
      <div className="grid items-start gap-4 lg:grid-cols-[minmax(0,5fr)_minmax(0,6fr)]">
        <div className="flex min-w-0 flex-col gap-4">
          <Card aria-labelledby="spans-title">
            <CardHeader
              titleId="spans-title"
              title="Spans"
              description={`${spans.length} ${spans.length === 1 ? "span" : "spans"} over ${formatMs(t.durationMs)}. Use the arrow keys to move between them.`}
            />
            {spans.length ? (
              <SpanTree rows={rows} totalMs={t.durationMs} selected={selected?.spanId ?? null} onSelect={select} />
            ) : (
              <p className="px-4 py-4 text-[13px] text-zinc-500">No spans stored for this trace.</p>
            )}
          </Card>
          <Scores scores={t.scores} spans={spans} onSelect={select} />
        </div>
        <div className="min-w-0">{selected ? <SpanDetails key={selected.spanId} span={selected} orgSlug={orgSlug} projectSlug={projectSlug} /> : null}</div>
      </div>
      {canAddToDataset ? (
        <AddTraceToDatasetDialog open={dialog === "dataset"} onClose={() => setDialog(null)} target={target} output={plainOutput(generation?.output ?? null)} />
      ) : null}
      {canSendToQueue ? <SendTraceToQueueDialog open={dialog === "queue"} onClose={() => setDialog(null)} target={target} /> : null}
    </>
  );
}
