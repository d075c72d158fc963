import type { DatasetChangeKind } from "@/server/contracts/datasets";
import { Badge, type BadgeTone } from "@/components/ui";
import { KIND_LABELS } from "./model";

const KIND_TONES: Record<DatasetChangeKind, BadgeTone> = {
  add: "success",
  import: "accent",
  edit: "neutral",
  tag: "outline",
  archive: "warning",
  bulk: "neutral",
};

export function KindBadge({ kind }: { kind: DatasetChangeKind }) {
  return <Badge tone={KIND_TONES[kind]}>{KIND_LABELS[kind]}</Badge>;
}

/** "+3 ~1 −2", each with words for screen readers. */
export function ChangeCounts({ added, changed, removed }: { added: number; changed: number; removed: number }) {
  return (
    <span className="inline-flex gap-2 font-mono text-xs tabular-nums">
      <span className={added ? "text-emerald-700" : "text-zinc-500"}>
        +{added}
        <span className="sr-only"> added</span>
      </span>
      <span className={changed ? "text-amber-700" : "text-zinc-500"}>
        ~{changed}
        <span className="sr-only"> changed</span>
      </span>
      <span className={removed ? "text-red-700" : "text-zinc-500"}>
        −{removed}
        <span className="sr-only"> removed</span>
      </span>
    </span>
  );
}
