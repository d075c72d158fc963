"use client";
// Editing one item's content, as a form (one field per input key, expected output, tags,
// metadata) or as raw JSON. Used to add an item and to edit one. Switching modes carries the
// content across; the server's errors land on the field they name.
import { useState, type FormEvent } from "react";
import { Alert, Button, Checkbox, Input, Textarea, cn } from "@/components/ui";
import { PlusIcon, TrashIcon } from "@/components/ui/icons";
import { errorInfo, focusFirstInvalid } from "@/components/lib/errors";
import { fromFormDraft, fromJsonText, newFieldId, toFormDraft, toJsonText, type DraftErrors, type FormDraft, type ItemContentValue } from "./model";

export type EditorMode = "form" | "json";

type Props = {
  formId: string;
  /** The item being edited, or null for a new one. */
  initial: ItemContentValue | null;
  /** Input keys a new item starts with (those the dataset's items use). */
  suggestedKeys?: string[];
  onSubmit: (content: ItemContentValue, message: string) => void;
  /** The failed save, if any (its data.field picks the field that shows it). */
  serverError: unknown;
  messagePlaceholder?: string;
};

/** "content.input.question" or "items.0.tags.1" → "input.question" / "tags.1". */
function contentField(field: string | undefined): string | undefined {
  return field?.replace(/^content\./, "").replace(/^items\.\d+\./, "");
}

export function ItemEditor({ formId, initial, suggestedKeys = [], onSubmit, serverError, messagePlaceholder }: Props) {
  const [mode, setMode] = useState<EditorMode>("form");
  const [draft, setDraft] = useState<FormDraft>(() => toFormDraft(initial, suggestedKeys));
  const [jsonText, setJsonText] = useState(() =>
    toJsonText(initial ?? { input: Object.fromEntries(suggestedKeys.map((k) => [k, ""])), expected: null, metadata: {}, tags: [] }),
  );
  const [message, setMessage] = useState("");
  const [errors, setErrors] = useState<DraftErrors>({});
  const [shownServerError, setShownServerError] = useState<unknown>(null);

  // A new failed save replaces the local errors (derived during render, not in an effect).
  const server = serverError ? errorInfo(serverError) : null;
  const serverField = contentField(server?.field);
  if (serverError !== shownServerError) {
    setShownServerError(serverError);
    if (server) {
      const next: DraftErrors = {};
      const top = serverField?.split(".")[0];
      if (mode === "json" && top !== "message") next.json = server.message;
      else if (serverField?.startsWith("input.") && draft.fields.some((f) => f.key.trim() === serverField.split(".")[1]))
        next[`input.${serverField.split(".")[1]}`] = server.message;
      else if (top === "expected" || top === "metadata" || top === "tags" || top === "message") next[top] = server.message;
      else next.form = server.message;
      setErrors(next);
      focusFirstInvalid(formId);
    }
  }

  function switchTo(next: EditorMode) {
    if (next === mode) return;
    if (next === "json") {
      const result = fromFormDraft(draft);
      if (result.errors) {
        setErrors(result.errors);
        return focusFirstInvalid(formId);
      }
      setJsonText(toJsonText(result.content));
    } else {
      const result = fromJsonText(jsonText);
      if (result.error !== null) {
        setErrors({ json: `${result.error}. Fix it to switch to the form.` });
        return focusFirstInvalid(formId);
      }
      setDraft(toFormDraft(result.content));
    }
    setErrors({});
    setMode(next);
  }

  function submit(e: FormEvent) {
    e.preventDefault();
    if (mode === "form") {
      const result = fromFormDraft(draft);
      if (result.errors) {
        setErrors(result.errors);
        return focusFirstInvalid(formId);
      }
      setErrors({});
      onSubmit(result.content, message.trim());
    } else {
      const result = fromJsonText(jsonText);
      if (result.error !== null) {
        setErrors({ json: result.error });
        return focusFirstInvalid(formId);
      }
      setErrors({});
      onSubmit(result.content, message.trim());
    }
  }

  const updateField = (id: number, patch: Partial<FormDraft["fields"][number]>) =>
    setDraft((d) => ({ ...d, fields: d.fields.map((f) => (f.id === id ? { ...f, ...patch } : f)) }));

  return (
    <form id={formId} onSubmit={submit} noValidate aria-label={initial ? "Edit item" : "New item"} className="flex flex-col gap-4">
      <div role="group" aria-label="Editor" className="inline-flex self-start rounded-md border border-zinc-300 bg-zinc-50 p-0.5">
        {(
          [
            ["form", "Form"],
            ["json", "JSON"],
          ] as const
        ).map(([value, label]) => (
          <button
            key={value}
            type="button"
            aria-pressed={mode === value}
            onClick={() => switchTo(value)}
            className={cn(
              "h-6 rounded px-3 text-xs font-medium",
              mode === value ? "bg-white text-zinc-900 shadow-xs ring-1 ring-zinc-200" : "text-zinc-600 hover:text-zinc-900",
            )}
          >
            {label}
          </button>
        ))}
      </div>
      {errors.form ? <Alert tone="error">{errors.form}</Alert> : null}
      {mode === "form" ? (
        <>
          <fieldset className="flex flex-col gap-3">
            <legend className="mb-1.5 text-[13px] font-medium text-zinc-800">Input</legend>
            <p className="-mt-1 text-xs text-zinc-500">Each key feeds the prompt variable of the same name.</p>
            {draft.fields.map((f, i) => {
              const name = f.key.trim() || `new field ${i + 1}`;
              const tools = (
                <span className="flex items-center gap-2">
                  <Checkbox label="JSON" checked={f.json} onChange={(e) => updateField(f.id, { json: e.target.checked })} aria-label={`${name} is JSON`} />
                  <Button
                    size="sm"
                    variant="danger-ghost"
                    aria-label={`Remove ${name}`}
                    className="h-6 px-1"
                    onClick={() => setDraft((d) => ({ ...d, fields: d.fields.filter((x) => x.id !== f.id) }))}
                  >
                    <TrashIcon size={13} />
                  </Button>
                </span>
              );
              return f.fixed ? (
                <Textarea
                  key={f.id}
                  label={<span className="font-mono">{f.key}</span>}
                  labelAside={tools}
                  value={f.value}
                  error={errors[`input.${f.key}`]}
                  onChange={(e) => updateField(f.id, { value: e.target.value })}
                  className={cn("min-h-14 text-[13px]", f.json && "font-mono text-xs")}
                  spellCheck={!f.json}
                />
              ) : (
                <div key={f.id} className="flex flex-col gap-1.5 rounded-md border border-dashed border-zinc-300 p-2.5">
                  <div className="flex items-end justify-between gap-2">
                    <Input
                      label={`Key of new field ${i + 1}`}
                      value={f.key}
                      error={errors[`fields.${f.id}`]}
                      onChange={(e) => updateField(f.id, { key: e.target.value })}
                      placeholder="question"
                      className="h-7 font-mono text-xs"
                      wrapperClassName="w-64"
                      spellCheck={false}
                      autoComplete="off"
                    />
                    {tools}
                  </div>
                  <Textarea
                    label={`Value of new field ${i + 1}`}
                    hideLabel
                    value={f.value}
                    error={errors[`input.${f.key.trim()}`]}
                    onChange={(e) => updateField(f.id, { value: e.target.value })}
                    className={cn("min-h-14 text-[13px]", f.json && "font-mono text-xs")}
                    spellCheck={!f.json}
                  />
                </div>
              );
            })}
            <Button
              size="sm"
              variant="ghost"
              icon={<PlusIcon size={14} />}
              className="self-start"
              onClick={() => setDraft((d) => ({ ...d, fields: [...d.fields, { id: newFieldId(), key: "", value: "", json: false }] }))}
            >
              Add input field
            </Button>
          </fieldset>
          <div className="flex flex-col gap-1.5">
            <Textarea
              label="Expected output"
              labelAside={
                <Checkbox
                  label="JSON"
                  checked={draft.expectedJson}
                  onChange={(e) => setDraft((d) => ({ ...d, expectedJson: e.target.checked }))}
                  aria-label="Expected output is JSON"
                />
              }
              value={draft.expected}
              error={errors.expected}
              onChange={(e) => setDraft((d) => ({ ...d, expected: e.target.value }))}
              className={cn("min-h-20 text-[13px]", draft.expectedJson && "font-mono text-xs")}
              hint="Text as is; tick JSON to store a JSON value. Leave empty for none."
            />
          </div>
          <Input
            label="Tags"
            value={draft.tags}
            error={errors.tags}
            onChange={(e) => setDraft((d) => ({ ...d, tags: e.target.value }))}
            placeholder="train, regression"
            hint="Separate tags with commas. Tags act as splits (train, test, regression…)."
          />
          <Textarea
            label="Metadata"
            labelAside={<span className="text-xs text-zinc-500">optional JSON object</span>}
            value={draft.metadata}
            error={errors.metadata}
            onChange={(e) => setDraft((d) => ({ ...d, metadata: e.target.value }))}
            className="min-h-14 font-mono text-xs"
            spellCheck={false}
            placeholder={'{ "ticket": "T-123" }'}
          />
        </>
      ) : (
        <Textarea
          label="Item as JSON"
          value={jsonText}
          error={errors.json}
          onChange={(e) => setJsonText(e.target.value)}
          className="min-h-72 font-mono text-xs leading-5"
          spellCheck={false}
          hint='An object with "input" (object), "expected" (any JSON, null for none), "metadata" (object) and "tags" (list).'
        />
      )}
      <Input
        label="Change message"
        labelAside={<span className="text-xs text-zinc-500">optional</span>}
        value={message}
        error={errors.message}
        onChange={(e) => setMessage(e.target.value)}
        maxLength={500}
        placeholder={messagePlaceholder}
        hint="Recorded with the new version."
      />
    </form>
  );
}
