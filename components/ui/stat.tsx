// One figure of a summary: a term and its value (and an optional detail) inside a <dl>.
import type { ReactNode } from "react";
import { cn } from "./cn";

const looks = {
  /** Mono text in a compact list of facts (an import's result, a playground call). */
  fact: "font-mono text-[13px] text-zinc-900",
  /** A count among counts. */
  figure: "text-lg font-semibold text-zinc-900 tabular-nums",
  /** A dashboard's headline number. */
  headline: "text-xl font-semibold tracking-tight text-zinc-900 tabular-nums",
};

const tones = { danger: "text-red-700", warning: "text-amber-700" };

export function Stat({
  label,
  children,
  detail,
  look = "fact",
  tone,
  boxed = false,
  className,
}: {
  label: ReactNode;
  children: ReactNode;
  detail?: ReactNode;
  look?: keyof typeof looks;
  tone?: keyof typeof tones | (string & {});
  /** A card of its own (dashboards). */
  boxed?: boolean;
  className?: string;
}) {
  return (
    <div className={cn(boxed && "flex min-w-0 flex-col gap-1 rounded-lg border border-zinc-200 bg-white px-4 py-3 shadow-xs", className)}>
      <dt className={cn("text-xs text-zinc-500", boxed && "truncate font-medium")}>{label}</dt>
      <dd className={cn(looks[look], tone && (tones[tone as keyof typeof tones] ?? tone))}>{children}</dd>
      {detail ? <dd className="text-xs text-zinc-500 tabular-nums">{detail}</dd> : null}
    </div>
  );
}
