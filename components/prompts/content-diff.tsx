"use client";
// The difference between two versions' content: the template line by line and word by word,
// chat messages message by message (unchanged ones matched first, so an inserted message does
// not make every later one look changed), and the model configuration side by side.
import { diffArrays } from "diff";
import type { ChatMessage, ModelConfig } from "@/server/contracts/prompts";
import { Badge, cn, ScrollArea } from "@/components/ui";
import { TextDiff } from "@/components/diff/text-diff";
import { asConfig, asMessages, stableJson, type PromptType, type VersionLike } from "./model";

type Props = {
  type: PromptType;
  before: VersionLike | null;
  after: VersionLike;
  beforeLabel: string;
  afterLabel: string;
  providerNames?: Record<string, string>;
};

export function VersionDiff({ type, before, after, beforeLabel, afterLabel, providerNames }: Props) {
  return (
    <div className="flex flex-col gap-5">
      <section aria-label={type === "text" ? "Template changes" : "Message changes"} className="flex flex-col gap-2">
        <h3 className="text-[13px] font-semibold text-zinc-900">{type === "text" ? "Template" : "Messages"}</h3>
        {type === "text" ? (
          <TextDiff
            before={before?.template ?? ""}
            after={after.template ?? ""}
            title={`${beforeLabel} → ${afterLabel}`}
            identical="The template is the same."
          />
        ) : (
          <MessagesDiff before={asMessages(before?.messages)} after={asMessages(after.messages)} beforeLabel={beforeLabel} afterLabel={afterLabel} />
        )}
      </section>
      <VariableDeclarationsDiff before={before?.variableDetails} after={after.variableDetails} />
      <section aria-label="Model configuration changes" className="flex flex-col gap-2">
        <h3 className="text-[13px] font-semibold text-zinc-900">Model configuration</h3>
        <ConfigDiff
          before={asConfig(before?.config)}
          after={asConfig(after.config)}
          beforeLabel={beforeLabel}
          afterLabel={afterLabel}
          providerNames={providerNames}
        />
      </section>
    </div>
  );
}

type Declared = Record<string, { description?: string; default?: string | null } | undefined>;

function declarationText(d: { description?: string; default?: string | null } | undefined): string {
  const dflt = d?.default;
  const parts = [dflt === undefined || dflt === null ? "required" : `default “${dflt}”`];
  if (d?.description) parts.push(d.description);
  return parts.join(" · ");
}

/** Declared descriptions/defaults that differ (nothing when they are the same). */
function VariableDeclarationsDiff({ before, after }: { before: unknown; after: unknown }) {
  const b = (before && typeof before === "object" ? before : {}) as Declared;
  const a = (after && typeof after === "object" ? after : {}) as Declared;
  const names = [...new Set([...Object.keys(b), ...Object.keys(a)])].sort();
  const changed = names.filter((n) => declarationText(b[n]) !== declarationText(a[n]));
  if (!changed.length) return null;
  return (
    <section aria-label="Variable declaration changes" className="flex flex-col gap-2">
      <h3 className="text-[13px] font-semibold text-zinc-900">Declared variables</h3>
      <ul className="flex flex-col gap-1 text-xs">
        {changed.map((n) => (
          <li key={n}>
            <span className="font-mono font-medium text-zinc-900">{n}</span>: <del className="text-red-700">{declarationText(b[n])}</del> →{" "}
            <ins className="text-emerald-700 no-underline">{declarationText(a[n])}</ins>
          </li>
        ))}
      </ul>
    </section>
  );
}

type MessagePair = { status: "same" | "changed" | "added" | "removed"; before?: ChatMessage; after?: ChatMessage; oldIndex?: number; newIndex?: number };

export function pairMessages(before: ChatMessage[], after: ChatMessage[]): MessagePair[] {
  const pairs: MessagePair[] = [];
  let oi = 0;
  let ni = 0;
  const parts = diffArrays(before, after, { comparator: (a, b) => a.role === b.role && a.content === b.content });
  for (let p = 0; p < parts.length; p++) {
    const part = parts[p]!;
    if (!part.added && !part.removed) {
      for (const m of part.value) pairs.push({ status: "same", before: m, after: after[ni], oldIndex: oi++, newIndex: ni++ });
      continue;
    }
    // A removed run followed by an added run: pair them up as edits, the rest as removals/additions.
    const removed = part.removed ? part.value : [];
    const next = part.removed ? parts[p + 1] : undefined;
    const added = part.added ? part.value : next?.added ? next.value : [];
    if (part.removed && next?.added) p++;
    const n = Math.max(removed.length, added.length);
    for (let k = 0; k < n; k++) {
      const b = removed[k];
      const a = added[k];
      if (b && a) pairs.push({ status: "changed", before: b, after: a, oldIndex: oi++, newIndex: ni++ });
      else if (b) pairs.push({ status: "removed", before: b, oldIndex: oi++ });
      else if (a) pairs.push({ status: "added", after: a, newIndex: ni++ });
    }
  }
  return pairs;
}

const STATUS: Record<MessagePair["status"], { label: string; tone: "neutral" | "warning" | "success" | "danger" }> = {
  same: { label: "Unchanged", tone: "neutral" },
  changed: { label: "Changed", tone: "warning" },
  added: { label: "Added", tone: "success" },
  removed: { label: "Removed", tone: "danger" },
};

function MessagesDiff({ before, after, beforeLabel, afterLabel }: { before: ChatMessage[]; after: ChatMessage[]; beforeLabel: string; afterLabel: string }) {
  const pairs = pairMessages(before, after);
  const counts = pairs.reduce<Record<string, number>>((c, p) => ({ ...c, [p.status]: (c[p.status] ?? 0) + 1 }), {});
  return (
    <div className="flex flex-col gap-3">
      <p className="text-xs text-zinc-500">
        {beforeLabel} has {before.length} {before.length === 1 ? "message" : "messages"}, {afterLabel} has {after.length}.{" "}
        {(["changed", "added", "removed", "same"] as const)
          .filter((s) => counts[s])
          .map((s) => `${counts[s]} ${STATUS[s].label.toLowerCase()}`)
          .join(", ")}
        .
      </p>
      <ol className="flex flex-col gap-3">
        {pairs.map((pair, i) => {
          const s = STATUS[pair.status];
          const roleBefore = pair.before?.role;
          const roleAfter = pair.after?.role;
          const title = (
            <>
              Message {pair.newIndex !== undefined ? pair.newIndex + 1 : `${(pair.oldIndex ?? 0) + 1} (${beforeLabel})`}
              {" · "}
              {roleBefore && roleAfter && roleBefore !== roleAfter ? (
                <>
                  <span className="line-through">{roleBefore}</span> → {roleAfter}
                </>
              ) : (
                (roleAfter ?? roleBefore)
              )}
            </>
          );
          return (
            <li key={i} aria-label={`Message ${i + 1}: ${s.label.toLowerCase()}`}>
              {pair.status === "same" ? (
                <details className="rounded-md border border-zinc-200 bg-white">
                  <summary className="flex items-center gap-2 px-3 py-1.5 text-xs text-zinc-600">
                    <span className="font-medium text-zinc-800">{title}</span>
                    <Badge tone={s.tone}>{s.label}</Badge>
                  </summary>
                  <pre className="border-t border-zinc-100 px-3 py-2 font-mono text-xs whitespace-pre-wrap text-zinc-700">{pair.after?.content}</pre>
                </details>
              ) : (
                <TextDiff
                  before={pair.before?.content ?? ""}
                  after={pair.after?.content ?? ""}
                  title={title}
                  notes={<Badge tone={s.tone}>{s.label}</Badge>}
                  identical={roleBefore !== roleAfter ? "Only the role changed." : "No changes."}
                  maxHeight="max-h-80"
                />
              )}
            </li>
          );
        })}
      </ol>
    </div>
  );
}

const CONFIG_KEYS: { key: keyof ModelConfig; label: string }[] = [
  { key: "providerId", label: "Provider" },
  { key: "model", label: "Model" },
  { key: "temperature", label: "Temperature" },
  { key: "maxTokens", label: "Max tokens" },
  { key: "topP", label: "Top p" },
  { key: "stop", label: "Stop sequences" },
  { key: "responseFormat", label: "Response format" },
  { key: "tools", label: "Tools" },
];

function show(key: keyof ModelConfig, value: unknown, providerNames?: Record<string, string>): string {
  if (value === undefined || value === null) return "";
  if (key === "providerId" && typeof value === "string") return providerNames?.[value] ?? value;
  if (key === "stop" && Array.isArray(value)) return value.map((s) => JSON.stringify(s)).join(", ");
  if (typeof value === "object") return stableJson(value, 2);
  return String(value);
}

export function ConfigDiff({
  before,
  after,
  beforeLabel,
  afterLabel,
  providerNames,
}: {
  before: ModelConfig;
  after: ModelConfig;
  beforeLabel: string;
  afterLabel: string;
  providerNames?: Record<string, string>;
}) {
  const known = new Set<string>(CONFIG_KEYS.map((k) => k.key));
  const extra = [...new Set([...Object.keys(before), ...Object.keys(after)])]
    .filter((k) => !known.has(k))
    .map((k) => ({ key: k as keyof ModelConfig, label: k }));
  const rows = [...CONFIG_KEYS, ...extra].filter(({ key }) => before[key] !== undefined || after[key] !== undefined);
  if (rows.length === 0)
    return (
      <p className="rounded-md border border-dashed border-zinc-200 px-3 py-3 text-center text-[13px] text-zinc-500">
        Neither version sets a model configuration.
      </p>
    );
  const changedCount = rows.filter(({ key }) => stableJson(before[key]) !== stableJson(after[key])).length;
  return (
    <div className="overflow-hidden rounded-md border border-zinc-200">
      <table className="w-full table-fixed border-collapse text-left text-[13px]">
        <caption className="border-b border-zinc-200 bg-zinc-50 px-3 py-1.5 text-left text-xs text-zinc-600">
          <span className="font-medium text-zinc-800">Model configuration</span> · {changedCount === 0 ? "no changes" : `${changedCount} changed`}
        </caption>
        <thead className="border-b border-zinc-200 bg-zinc-50/80">
          <tr>
            <th scope="col" className="h-8 w-40 px-3 text-xs font-medium text-zinc-500">
              Setting
            </th>
            <th scope="col" className="h-8 px-3 text-xs font-medium text-zinc-500">
              {beforeLabel}
            </th>
            <th scope="col" className="h-8 px-3 text-xs font-medium text-zinc-500">
              {afterLabel}
            </th>
          </tr>
        </thead>
        <tbody className="divide-y divide-zinc-100">
          {rows.map(({ key, label }) => {
            const changed = stableJson(before[key]) !== stableJson(after[key]);
            return (
              <tr key={key} className={cn("align-top", changed && "bg-amber-50/70")} data-changed={changed || undefined}>
                <th scope="row" className="px-3 py-2 text-xs font-medium text-zinc-700">
                  {label}
                  {changed ? (
                    <Badge tone="warning" className="ml-1.5">
                      Changed
                    </Badge>
                  ) : null}
                </th>
                <ConfigCell value={show(key, before[key], providerNames)} />
                <ConfigCell value={show(key, after[key], providerNames)} />
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

function ConfigCell({ value }: { value: string }) {
  return (
    <td className="px-3 py-2">
      {value === "" ? (
        <span className="text-xs text-zinc-500">not set</span>
      ) : (
        <ScrollArea as="pre" className="max-h-48 overflow-auto font-mono text-xs break-words whitespace-pre-wrap text-zinc-800">
          {value}
        </ScrollArea>
      )}
    </td>
  );
}
