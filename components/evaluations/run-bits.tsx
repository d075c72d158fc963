// Small pieces shared by the runs list and the run page: the status badge and the progress bar.
import { OUTCOME_LABELS, outcomeText, runOutcome, type RunStatus, type RunSummary } from "@/server/contracts/evaluations";
import { Badge, cn } from "@/components/ui";
import { OUTCOME_TONES } from "./model";
import { formatCount } from "@/components/lib/format";

/** The run's outcome: its status, and once it has a summary what it measured ("Completed with errors"). */
export function StatusBadge({ status, summary }: { status: RunStatus | string; summary?: unknown }) {
  const s = summary as RunSummary | null | undefined;
  const outcome = runOutcome(status, s);
  const title = s && (outcome === "completed_with_errors" || outcome === "failed") ? outcomeText(status, s) : undefined;
  return (
    <Badge tone={OUTCOME_TONES[outcome] ?? "neutral"} title={title}>
      {outcome === "running" ? <span aria-hidden="true" className="size-1.5 animate-pulse rounded-full bg-current" /> : null}
      {OUTCOME_LABELS[outcome] ?? status}
    </Badge>
  );
}

/** A determinate progress bar (role="progressbar" with its values) and, unless compact, its counts. */
export function ProgressBar({
  done,
  total,
  errors = 0,
  label,
  compact = false,
}: {
  done: number;
  total: number;
  errors?: number;
  label: string;
  compact?: boolean;
}) {
  const share = total > 0 ? Math.min(1, done / total) : 0;
  const errorShare = total > 0 ? Math.min(share, errors / total) : 0;
  return (
    <div className={cn("flex items-center gap-2", compact ? "w-36" : "w-full")}>
      <div
        role="progressbar"
        aria-label={label}
        aria-valuemin={0}
        aria-valuemax={total}
        aria-valuenow={done}
        aria-valuetext={`${formatCount(done)} of ${formatCount(total)} done${errors ? `, ${formatCount(errors)} errors` : ""}`}
        className={cn("relative flex-1 overflow-hidden rounded-full bg-zinc-200", compact ? "h-1.5" : "h-2.5")}
      >
        <div className="absolute inset-y-0 left-0 bg-accent transition-[width] duration-500" style={{ width: `${share * 100}%` }} />
        {errorShare > 0 ? (
          <div className="absolute inset-y-0 bg-red-500" style={{ left: `${(share - errorShare) * 100}%`, width: `${errorShare * 100}%` }} />
        ) : null}
      </div>
      {compact ? (
        <span className="font-mono text-[11px] text-zinc-500 tabular-nums">
          {done}/{total}
        </span>
      ) : null}
    </div>
  );
}
