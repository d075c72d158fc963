"use client";
// Creating a prompt: its name (folders with "/"), type, description and tags, the first
// version's content and model configuration, and a commit message. One react-hook-form form: the
// text fields are registered inputs checked with the contracts' schemas; the content (template or
// messages, variables, model configuration) is one controlled value, checked as the server would.
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useId, useState, type FormEvent } from "react";
import { useForm, useWatch } from "react-hook-form";
import { z } from "zod";
import { text } from "@/server/contracts/fields";
import { commitMessage, promptName } from "@/server/contracts/prompts";
import { useTRPC } from "@/components/trpc/client";
import { Alert, Button, Card, CardBody, CardHeader, Input, PageHeader, Textarea, cn } from "@/components/ui";
import { focusFirstInvalid } from "@/components/lib/errors";
import { applyServerErrors, placedZodResolver, type FieldPlacement } from "@/components/lib/form-errors";
import { ContentEditor } from "./content-editor";
import { ModelConfigPanel } from "./model-config-panel";
import { contentKey, draftProblems, draftToContent, draftVariables, newDraft, parseTags, promptHref, type ContentDraft, type PromptType } from "./model";
import { VariablesTable } from "./variables-table";
import { useUnsavedChangesGuard } from "./unsaved-guard";

type Props = { orgSlug: string; projectSlug: string; projectName: string };

// The content's problems go on three places of `content`, none inside another: the text
// (`template` or `messages`: no message, empty text, {{ }} syntax; each message's own problem is
// shown on it by the editor) and `config` (the model configuration panel shows which field).
const contentSchema = z.custom<ContentDraft>().superRefine((draft, ctx) => {
  const where = draft.type === "chat" ? "messages" : "template";
  const problem = draft.type === "chat" && draft.messages.length === 0 ? "Add at least one message" : draftProblems(draft)[0]?.message;
  if (problem) ctx.addIssue({ code: "custom", path: [where], message: problem });
  if (Object.keys(draftToContent(draft).errors).length) ctx.addIssue({ code: "custom", path: ["config"], message: "Check the model configuration" });
});

const newPromptSchema = z.object({
  name: z.string().trim().pipe(promptName),
  description: z.string().trim().pipe(text(2000)),
  tags: z.string().superRefine((value, ctx) => {
    const { error } = parseTags(value);
    if (error) ctx.addIssue({ code: "custom", message: error });
  }),
  content: contentSchema,
  commitMessage,
});
type NewPromptValues = z.infer<typeof newPromptSchema>;

const LABELS = { name: "Name", description: "Description", tags: "Tags", commitMessage: "Commit message" } as const;

/** Where a problem goes, found in the browser or by the server: a named field by its first segment; the content's on its configuration or its text (the template, or a chat's messages). */
const PLACEMENT: FieldPlacement<NewPromptValues> = {
  labels: LABELS,
  fieldOf: (path) => {
    const [first = "", second] = path.split(".");
    if (first === "content") return second === "config" || second === "template" || second === "messages" ? `content.${second}` : null;
    return first in LABELS ? (first as keyof typeof LABELS) : null;
  },
};

export function NewPromptView({ orgSlug, projectSlug, projectName }: Props) {
  const trpc = useTRPC();
  const router = useRouter();
  const queryClient = useQueryClient();
  const formId = useId();
  const form = useForm<NewPromptValues>({
    resolver: placedZodResolver(newPromptSchema, PLACEMENT),
    defaultValues: { name: "", description: "", tags: "", content: newDraft("chat"), commitMessage: "First version" },
  });
  const {
    register,
    formState: { errors, isSubmitted },
  } = form;
  const [name, description, tagsText, draft] = useWatch({ control: form.control, name: ["name", "description", "tags", "content"] });
  const [formError, setFormError] = useState<string | null>(null);
  // The content is one controlled value; updates read the latest (the editors call back after render).
  const setDraft = (update: (d: ContentDraft) => ContentDraft) => form.setValue("content", update(form.getValues("content")), { shouldValidate: isSubmitted });

  const [saved, setSaved] = useState(false);
  const initialKey = useState(() => contentKey(newDraft("chat")))[0];
  const dirty = !saved && (name !== "" || description !== "" || tagsText !== "" || contentKey(draft) !== initialKey);
  const guard = useUnsavedChangesGuard(dirty);

  const create = useMutation(
    trpc.prompts.create.mutationOptions({
      onSuccess: async (result) => {
        setSaved(true);
        guard.release();
        await queryClient.invalidateQueries({ queryKey: trpc.prompts.list.queryKey() });
        router.push(promptHref(orgSlug, projectSlug, result.name));
      },
      onError: (error) => {
        setFormError(applyServerErrors(form, error, PLACEMENT));
        focusFirstInvalid(formId);
      },
    }),
  );

  function setType(type: PromptType) {
    setDraft((draft) => {
      if (type === draft.type) return draft;
      // Carry the text across: a template becomes one user message, and back.
      if (type === "chat") {
        const fresh = newDraft("chat");
        return { ...draft, type, messages: draft.template ? [{ ...fresh.messages[1]!, content: draft.template }] : fresh.messages };
      }
      return {
        ...draft,
        type,
        template:
          draft.template ||
          draft.messages
            .map((m) => m.content)
            .filter(Boolean)
            .join("\n\n"),
      };
    });
  }

  const onSubmit = (e: FormEvent) => {
    setFormError(null);
    return form.handleSubmit(
      (v) =>
        create.mutate({
          orgSlug,
          projectSlug,
          name: v.name,
          description: v.description,
          tags: parseTags(v.tags).tags,
          content: draftToContent(v.content).content,
          commitMessage: v.commitMessage,
        }),
      () => focusFirstInvalid(formId),
    )(e);
  };

  const variables = draftVariables(draft);
  // Content problems (empty text, {{ }} syntax) by path ("template", "messages.1.content"): shown
  // once a save was attempted, and kept current as the text changes.
  const contentErrors = isSubmitted ? Object.fromEntries(draftProblems(draft).map((p) => [p.path.join("."), p.message])) : {};
  const contentError = (draft.type === "chat" ? errors.content?.messages : errors.content?.template)?.message;
  const problem = formError ?? errors.content?.config?.message ?? null;

  return (
    <>
      <PageHeader
        eyebrow={projectName}
        title="New prompt"
        description="A prompt keeps every saved version. Environments (development, staging, production) point at one version each."
      />
      <form id={formId} onSubmit={onSubmit} noValidate aria-label="New prompt" className="grid grid-cols-1 gap-4 lg:grid-cols-[minmax(0,1fr)_20rem]">
        <div className="flex min-w-0 flex-col gap-4">
          <Card aria-labelledby="details-title">
            <CardHeader titleId="details-title" title="Details" />
            <CardBody className="flex flex-col gap-4">
              <Input
                label="Name"
                {...register("name")}
                error={errors.name?.message}
                placeholder="support/greeting"
                className="font-mono"
                spellCheck={false}
                autoComplete="off"
                hint={
                  <>
                    Letters, digits, <code>. _ -</code>; use <code>/</code> for folders, e.g. <code className="font-mono">support/greeting</code>. Applications
                    fetch the prompt by this name.
                  </>
                }
              />
              <fieldset>
                <legend className="mb-1.5 text-[13px] font-medium text-zinc-800">Type</legend>
                <div className="grid grid-cols-2 gap-2 sm:max-w-md">
                  {(
                    [
                      ["chat", "Chat", "A list of system, user and assistant messages"],
                      ["text", "Text", "One template, for completion-style use"],
                    ] as const
                  ).map(([value, label, description]) => (
                    <label
                      key={value}
                      className={cn(
                        "flex cursor-pointer gap-2 rounded-md border px-3 py-2 text-[13px] has-focus-visible:ring-2 has-focus-visible:ring-accent-ring/40",
                        draft.type === value ? "border-accent-ring bg-accent-soft/60" : "border-zinc-300 bg-white hover:border-zinc-400",
                      )}
                    >
                      <input
                        type="radio"
                        name="type"
                        value={value}
                        checked={draft.type === value}
                        onChange={() => setType(value)}
                        className="mt-0.5 accent-[var(--color-accent)]"
                      />
                      <span>
                        <span className="block font-medium text-zinc-900">{label}</span>
                        <span className="block text-xs text-zinc-500">{description}</span>
                      </span>
                    </label>
                  ))}
                </div>
              </fieldset>
              <Textarea
                label="Description"
                labelAside={<span className="text-xs text-zinc-500">optional</span>}
                {...register("description")}
                error={errors.description?.message}
                maxLength={2000}
                className="min-h-14"
              />
              <Input
                label="Tags"
                labelAside={<span className="text-xs text-zinc-500">optional</span>}
                {...register("tags")}
                error={errors.tags?.message}
                placeholder="support, onboarding"
                hint="Separate tags with commas."
              />
            </CardBody>
          </Card>
          <Card aria-labelledby="content-title">
            <CardHeader titleId="content-title" title="Content" description="Version 1 of the prompt." />
            <CardBody className="flex flex-col gap-4">
              <ContentEditor
                type={draft.type}
                template={draft.template}
                messages={draft.messages}
                onTemplateChange={(template) => setDraft((d) => ({ ...d, template }))}
                onMessagesChange={(messages) => setDraft((d) => ({ ...d, messages }))}
                error={contentError}
                fieldErrors={contentErrors}
              />
              <section aria-labelledby="new-variables-title">
                <h3 id="new-variables-title" className="mb-1.5 text-[13px] font-medium text-zinc-800">
                  Variables <span className="font-normal text-zinc-500">({variables.length})</span>
                </h3>
                <p className="mb-2 text-xs text-zinc-500">A default is used when a caller sends no value; without one the variable is required.</p>
                <VariablesTable variables={variables} value={draft.variables} onChange={(vars) => setDraft((d) => ({ ...d, variables: vars }))} />
              </section>
            </CardBody>
          </Card>
        </div>
        <div className="flex min-w-0 flex-col gap-4">
          <Card aria-labelledby="config-title">
            <CardHeader titleId="config-title" title="Model configuration" description="Stored with the version; applications may use it." />
            <CardBody>
              <ModelConfigPanel
                orgSlug={orgSlug}
                projectSlug={projectSlug}
                value={draft.config}
                onChange={(config) => setDraft((d) => ({ ...d, config }))}
                showErrors={isSubmitted}
              />
            </CardBody>
          </Card>
          <Card aria-labelledby="save-title">
            <CardHeader titleId="save-title" title="Save" />
            <CardBody className="flex flex-col gap-3">
              {problem ? <Alert tone="error">{problem}</Alert> : null}
              <Input label="Commit message" {...register("commitMessage")} error={errors.commitMessage?.message} maxLength={500} />
              <div className="flex justify-end gap-2">
                <Button onClick={() => guard.leave(`/o/${orgSlug}/p/${projectSlug}/prompts`)}>Cancel</Button>
                <Button variant="primary" type="submit" loading={create.isPending}>
                  Create prompt
                </Button>
              </div>
            </CardBody>
          </Card>
        </div>
      </form>
      {guard.dialog}
    </>
  );
}
