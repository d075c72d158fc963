// A captured model input or output as people read it: a message array as role-labelled messages
// (text as text, tool calls and other parts as JSON), other JSON pretty-printed, else plain text.
import { cn, ScrollArea } from "@/components/ui";
import { readBody, type ChatMessage } from "./model";

const ROLE_STYLES: Record<string, string> = {
  system: "bg-zinc-100 text-zinc-700",
  user: "bg-indigo-50 text-indigo-700",
  assistant: "bg-emerald-50 text-emerald-700",
  tool: "bg-amber-50 text-amber-800",
};

function Message({ message }: { message: ChatMessage }) {
  return (
    <li className="rounded-md border border-zinc-200 bg-white">
      <p className="border-b border-zinc-100 px-3 py-1">
        <span
          className={cn(
            "inline-block rounded px-1.5 py-px text-[11px] font-semibold tracking-wide uppercase",
            ROLE_STYLES[message.role] ?? "bg-zinc-100 text-zinc-700",
          )}
        >
          {message.role}
        </span>
      </p>
      <div className="flex flex-col gap-2 px-3 py-2">
        {message.parts.length === 0 ? <p className="text-xs text-zinc-500 italic">(no content)</p> : null}
        {message.parts.map((p, i) =>
          p.kind === "text" ? (
            <p key={i} className="text-[13px] leading-relaxed break-words whitespace-pre-wrap text-zinc-800">
              {p.text || <span className="text-zinc-500 italic">(empty)</span>}
            </p>
          ) : (
            <div key={i}>
              <p className="mb-1 text-[11px] font-medium text-zinc-500">{p.label}</p>
              <ScrollArea as="pre" className="overflow-x-auto rounded bg-zinc-50 px-2 py-1.5 font-mono text-[12px] whitespace-pre-wrap text-zinc-800">
                {p.value}
              </ScrollArea>
            </div>
          ),
        )}
      </div>
    </li>
  );
}

export function BodyView({ raw, label }: { raw: string | null; label: string }) {
  const body = readBody(raw);
  if (body.kind === "empty") return <p className="text-[13px] text-zinc-500">Not captured</p>;
  if (body.kind === "messages") {
    return (
      <ScrollArea className="max-h-[32rem] overflow-y-auto">
        <ol aria-label={`${label} messages`} className="flex flex-col gap-2">
          {body.messages.map((m, i) => (
            <Message key={i} message={m} />
          ))}
        </ol>
      </ScrollArea>
    );
  }
  return (
    <ScrollArea
      as="pre"
      label={label}
      className={cn(
        "max-h-[32rem] overflow-auto rounded-md border border-zinc-200 bg-zinc-50 px-3 py-2 text-[12.5px] leading-relaxed break-words whitespace-pre-wrap text-zinc-800",
        body.kind === "json" ? "font-mono" : "font-sans text-[13px]",
      )}
    >
      {body.text}
    </ScrollArea>
  );
}
