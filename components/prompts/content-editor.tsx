"use client";
// Editing a version's content: one template (text prompts) or a list of chat messages with a
// role each, added, removed and reordered with buttons (keyboard and screen reader friendly:
// every button names the message it acts on, and moves are announced).
import { useId, useState } from "react";
import type { ChatMessage } from "@/server/contracts/prompts";
import { checkTemplate, describeProblem } from "@/server/contracts/templates";
import { Button, Select, cn } from "@/components/ui";
import { ArrowDownIcon, ArrowUpIcon, PlusIcon, TrashIcon } from "@/components/ui/icons";
import { TemplateEditor } from "@/components/editor/template-editor";
import { messageKey, type EditableMessage, type PromptType } from "./model";

type Props = {
  type: PromptType;
  template: string;
  messages: EditableMessage[];
  onTemplateChange: (template: string) => void;
  onMessagesChange: (messages: EditableMessage[]) => void;
  error?: string | null;
  /** Save-time problems by path ("template", "messages.1.content"). */
  fieldErrors?: Record<string, string>;
};

/** The first syntax problem of a template, as you type (empty text is only refused at save). */
function liveProblem(text: string): string | null {
  const first = checkTemplate(text)[0];
  return first ? describeProblem(first) : null;
}

export function ContentEditor({ type, template, messages, onTemplateChange, onMessagesChange, error, fieldErrors }: Props) {
  const hintId = useId();
  if (type === "text") {
    const problem = liveProblem(template) ?? fieldErrors?.template ?? null;
    return (
      <div className="flex flex-col gap-1.5">
        <div className="flex items-baseline justify-between gap-2">
          <span className="text-[13px] font-medium text-zinc-800" id={`${hintId}-label`}>
            Template
          </span>
        </div>
        <TemplateEditor
          label="Template"
          value={template}
          onChange={onTemplateChange}
          describedBy={`${hintId} ${hintId}-problem`}
          invalid={!!error || !!problem}
          minLines={8}
          placeholder="You are a helpful assistant for {{company}}…"
        />
        <p id={`${hintId}-problem`} className="text-xs text-red-700 empty:hidden" aria-live="polite">
          {problem ?? error ?? ""}
        </p>
        <p id={hintId} className="text-xs text-zinc-500">
          Write <code className="font-mono">{"{{variable}}"}</code> where a value is inserted at run time.
        </p>
      </div>
    );
  }
  return <MessagesEditor messages={messages} onChange={onMessagesChange} error={error} fieldErrors={fieldErrors} />;
}

const ROLES: ChatMessage["role"][] = ["system", "user", "assistant"];

function MessagesEditor({
  messages,
  onChange,
  error,
  fieldErrors,
}: {
  messages: EditableMessage[];
  onChange: (m: EditableMessage[]) => void;
  error?: string | null;
  fieldErrors?: Record<string, string>;
}) {
  const [announcement, setAnnouncement] = useState("");
  const hintId = useId();

  function update(index: number, patch: Partial<ChatMessage>) {
    onChange(messages.map((m, i) => (i === index ? { ...m, ...patch } : m)));
  }
  function move(index: number, by: -1 | 1) {
    const target = index + by;
    if (target < 0 || target >= messages.length) return;
    const next = [...messages];
    [next[index], next[target]] = [next[target]!, next[index]!];
    onChange(next);
    setAnnouncement(`Message ${index + 1} moved to position ${target + 1}`);
    // Keep focus on the same button of the moved message.
    requestAnimationFrame(() => document.getElementById(`move-${by < 0 ? "up" : "down"}-${next[target]!.key}`)?.focus());
  }
  function remove(index: number) {
    onChange(messages.filter((_, i) => i !== index));
    setAnnouncement(`Message ${index + 1} removed`);
  }
  function add() {
    const last = messages.at(-1)?.role;
    const role: ChatMessage["role"] = last === "user" ? "assistant" : "user";
    const key = messageKey();
    onChange([...messages, { key, role, content: "" }]);
    setAnnouncement(`Message ${messages.length + 1} added`);
    requestAnimationFrame(() => document.querySelector<HTMLElement>(`[data-message="${key}"] .cm-content`)?.focus());
  }

  return (
    <fieldset className="flex flex-col gap-2" aria-describedby={hintId}>
      <legend className="mb-1.5 text-[13px] font-medium text-zinc-800">Messages</legend>
      <ol className="flex flex-col gap-3">
        {messages.map((m, i) => {
          const problem = liveProblem(m.content) ?? fieldErrors?.[`messages.${i}.content`] ?? null;
          return (
            <li key={m.key} data-message={m.key} aria-label={`Message ${i + 1}`} className="rounded-md border border-zinc-200 bg-zinc-50/60 p-2.5">
              <div className="mb-2 flex flex-wrap items-center gap-2">
                <span className="w-6 text-xs font-medium text-zinc-500 tabular-nums" aria-hidden="true">
                  {i + 1}
                </span>
                <Select
                  label={`Role of message ${i + 1}`}
                  hideLabel
                  size="sm"
                  value={m.role}
                  onChange={(e) => update(i, { role: e.target.value as ChatMessage["role"] })}
                  boxClassName="w-32"
                >
                  {ROLES.map((r) => (
                    <option key={r} value={r}>
                      {r}
                    </option>
                  ))}
                </Select>
                <div className="ml-auto flex items-center gap-0.5">
                  <Button
                    id={`move-up-${m.key}`}
                    size="sm"
                    variant="ghost"
                    className="px-1.5"
                    aria-label={`Move message ${i + 1} up`}
                    disabled={i === 0}
                    onClick={() => move(i, -1)}
                  >
                    <ArrowUpIcon size={14} />
                  </Button>
                  <Button
                    id={`move-down-${m.key}`}
                    size="sm"
                    variant="ghost"
                    className="px-1.5"
                    aria-label={`Move message ${i + 1} down`}
                    disabled={i === messages.length - 1}
                    onClick={() => move(i, 1)}
                  >
                    <ArrowDownIcon size={14} />
                  </Button>
                  <Button
                    size="sm"
                    variant="danger-ghost"
                    className="px-1.5"
                    aria-label={`Remove message ${i + 1}`}
                    disabled={messages.length === 1}
                    onClick={() => remove(i)}
                  >
                    <TrashIcon size={14} />
                  </Button>
                </div>
              </div>
              <TemplateEditor
                label={`Content of message ${i + 1} (${m.role})`}
                value={m.content}
                onChange={(content) => update(i, { content })}
                minLines={3}
                invalid={!!problem}
                describedBy={`${hintId}-problem-${m.key}`}
              />
              <p id={`${hintId}-problem-${m.key}`} className="mt-1 text-xs text-red-700 empty:hidden" aria-live="polite">
                {problem ?? ""}
              </p>
            </li>
          );
        })}
      </ol>
      <div className="flex items-center gap-3">
        <Button size="sm" icon={<PlusIcon size={14} />} onClick={add}>
          Add message
        </Button>
        <p id={hintId} className={cn("text-xs", error ? "text-red-700" : "text-zinc-500")}>
          {error ?? (
            <>
              Messages are sent in this order. Write <code className="font-mono">{"{{variable}}"}</code> where a value is inserted.
            </>
          )}
        </p>
      </div>
      <p role="status" className="sr-only">
        {announcement}
      </p>
    </fieldset>
  );
}
