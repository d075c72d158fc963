// Small pieces shared by the runs list and the run page: the status badge and the progress bar.
import type { RunStatus } from "@/server/contracts/evaluations";
import { Badge, cn } from "@/components/ui";
import { STATUS_LABELS, STATUS_TONES } from "./model";

export function StatusBadge({ status }: { status: RunStatus | string }) {
  const s = status as RunStatus;
  return (
    <Badge tone={STATUS_TONES[s] ?? "neutral"}>
      {s === "running" ? <span aria-hidden="true" className="size-1.5 animate-pulse rounded-full bg-current" /> : null}
      {STATUS_LABELS[s] ?? status}
    </Badge>
  );
}

/** A determinate progress bar (role="progressbar" with its values) and, unless compact, its counts. */
export function ProgressBar({ done, total, errors = 0, label, compact = false }: { done: number; total: number; errors?: number; label: string; compact?: boolean }) {
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
        aria-valuetext={`${done.toLocaleString()} of ${total.toLocaleString()} done${errors ? `, ${errors.toLocaleString()} errors` : ""}`}
        className={cn("relative flex-1 overflow-hidden rounded-full bg-zinc-200", compact ? "h-1.5" : "h-2.5")}
      >
        <div className="absolute inset-y-0 left-0 bg-accent transition-[width] duration-500" style={{ width: `${share * 100}%` }} />
        {errorShare > 0 ? <div className="absolute inset-y-0 bg-red-500" style={{ left: `${(share - errorShare) * 100}%`, width: `${errorShare * 100}%` }} /> : null}
      </div>
      {compact ? (
        <span className="font-mono text-[11px] text-zinc-500 tabular-nums">
          {done}/{total}
        </span>
      ) : null}
    </div>
  );
}
