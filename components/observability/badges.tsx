// Small labels of the trace pages: a trace's status, where it came from, its scores (thumbs for
// feedback, values for online evaluators) and guardrail actions. Each says in text what its
// colour says.
import type { ScoreView } from "@/server/contracts/observability";
import { Badge } from "@/components/ui";
import { ThumbDownIcon, ThumbUpIcon } from "@/components/ui/icons";
import { isNegative, isPositive, scoreText, sourceLabel } from "./model";

export function StatusBadge({ errors }: { errors: number }) {
  return errors > 0 ? <Badge tone="danger">{errors === 1 ? "Error" : `${errors} errors`}</Badge> : <Badge tone="success">OK</Badge>;
}

const SOURCES: Record<string, { label: string; title: string }> = {
  otel: { label: "OTel", title: "Sent by an OpenTelemetry exporter" },
  gateway: { label: "Gateway", title: "Called through the Keel gateway" },
  langfuse: { label: "Langfuse", title: "Sent by a Langfuse SDK to the ingestion API" },
};

export function SourceBadge({ source }: { source: string }) {
  const known = SOURCES[source];
  return (
    <Badge tone={source === "gateway" ? "accent" : "outline"} title={known?.title}>
      {known?.label ?? source}
    </Badge>
  );
}

export function GuardrailActionBadge({ action }: { action: string }) {
  return action === "block" ? (
    <Badge tone="danger" className="font-semibold uppercase">
      Blocked
    </Badge>
  ) : (
    <Badge tone="warning" className="font-semibold uppercase">
      Flagged
    </Badge>
  );
}

/** One score: a thumb for feedback, "name value" otherwise. */
export function ScoreChip({ score }: { score: ScoreView }) {
  const label = `${score.name} (${sourceLabel(score.source).toLowerCase()}): ${scoreText(score)}`;
  if (isPositive(score) || isNegative(score)) {
    const up = isPositive(score);
    return (
      <Badge tone={up ? "success" : "danger"} title={label + (score.comment ? ` — ${score.comment}` : "")}>
        {up ? <ThumbUpIcon size={11} /> : <ThumbDownIcon size={11} />}
        <span className="sr-only">{label}</span>
        <span aria-hidden="true" className="max-w-24 truncate">
          {score.name}
        </span>
      </Badge>
    );
  }
  return (
    <Badge tone={score.source === "online_eval" ? "accent" : "neutral"} title={label + (score.comment ? ` — ${score.comment}` : "")}>
      <span className="sr-only">{label}</span>
      <span aria-hidden="true" className="max-w-24 truncate">
        {score.name}
      </span>
      <span aria-hidden="true" className="font-mono">
        {scoreText(score)}
      </span>
    </Badge>
  );
}

/**
 * A trace's scores in a table cell, compact: thumbs up and down counted, then the first other
 * score and how many more. Every score is listed in full for assistive technology.
 */
export function ScoreSummary({ scores }: { scores: readonly ScoreView[] }) {
  if (scores.length === 0) return <span className="text-xs text-zinc-500">—</span>;
  const ups = scores.filter(isPositive);
  const downs = scores.filter(isNegative);
  const others = scores.filter((s) => !isPositive(s) && !isNegative(s));
  const title = scores.map((s) => `${s.name} (${sourceLabel(s.source).toLowerCase()}): ${scoreText(s)}${s.comment ? ` — ${s.comment}` : ""}`).join("\n");
  return (
    <span className="flex flex-nowrap items-center gap-1" title={title}>
      <span className="sr-only">
        {scores.map((s) => (
          <span key={s.id}>{`${s.name} (${sourceLabel(s.source).toLowerCase()}): ${scoreText(s)}. `}</span>
        ))}
      </span>
      {downs.length ? (
        <Badge tone="danger" aria-hidden="true">
          <ThumbDownIcon size={11} />
          {downs.length}
        </Badge>
      ) : null}
      {ups.length ? (
        <Badge tone="success" aria-hidden="true">
          <ThumbUpIcon size={11} />
          {ups.length}
        </Badge>
      ) : null}
      {others[0] ? (
        <Badge tone={others[0].source === "online_eval" ? "accent" : "neutral"} aria-hidden="true">
          <span className="max-w-20 truncate">{others[0].name}</span>
          <span className="font-mono">{scoreText(others[0])}</span>
        </Badge>
      ) : null}
      {others.length > 1 ? (
        <span aria-hidden="true" className="text-xs text-zinc-500">
          +{others.length - 1}
        </span>
      ) : null}
    </span>
  );
}
