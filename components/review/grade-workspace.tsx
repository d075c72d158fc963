"use client";
// One item being graded (or a grade being revised): the item on the left, the rubric form and the
// guidelines on the right, and the keyboard layer over the form (see ShortcutsDialog). The
// in-progress grade is a draft: saved to the server a moment after each change (so the reviewer
// can continue on another device) and kept in localStorage as an offline buffer; on opening, the
// newer of the two wins. Submitting or skipping deletes it (the server in the same transaction).
import { useMutation, useQuery } from "@tanstack/react-query";
import { useEffect, useEffectEvent, useId, useRef, useState, type ReactNode } from "react";
import { useTRPC } from "@/components/trpc/client";
import { checkGrade, rubric as rubricSchema, type Grade, type GradeValue, type Rubric } from "@/server/contracts/reviews";
import { Alert, Button, Card, CardHeader, Spinner } from "@/components/ui";
import { errorInfo, type ErrorInfo } from "@/components/lib/errors";
import { Guidelines } from "./guidelines";
import { ItemContent } from "./item-content";
import {
  clearDraft,
  digitScale,
  formatValue,
  gradeFromDraft,
  loadDraft,
  newerDraft,
  saveDraft,
  valueForDigit,
  type Draft,
  type DraftKey,
  type ReviewItemData,
} from "./model";
import { Kbd, RubricForm } from "./rubric-form";
import { ShortcutsDialog } from "./shortcuts-dialog";

type Props = {
  data: ReviewItemData;
  draftKey: DraftKey;
  /** The grade to start from when there is no draft (the reviewer's own, when revising). */
  initialGrade?: Grade | null;
  submitLabel: string;
  submit: (grade: Grade) => Promise<unknown>;
  onSubmitted: () => void;
  skip?: () => Promise<unknown>;
  onSkipped?: () => void;
  /** Offered with a conflict (lapsed lease, item taken or finalised). */
  onTakeNext?: () => void;
  /** Secondary actions in the form's footer (e.g. "Cancel"). */
  extraActions?: ReactNode;
  /** Shown above the form (e.g. the lease). */
  notice?: ReactNode;
};

function onlyRubricKeys(rubric: Rubric, draft: Draft | null | undefined): Draft {
  const out: Draft = {};
  for (const d of rubric) if (draft?.[d.key] !== undefined) out[d.key] = draft[d.key];
  return out;
}

/** Every dimension's problem at once (checkGrade reports the first only). */
function problemsOf(rubric: Rubric, grade: Grade): Partial<Record<string, string>> {
  const out: Partial<Record<string, string>> = {};
  for (const d of rubric) {
    const single: Grade = grade[d.key] === undefined ? {} : { [d.key]: grade[d.key]! };
    const problem = checkGrade([d], single);
    if (problem) out[d.key] = problem.message;
  }
  const overall = checkGrade(rubric, grade);
  if (overall && !out[overall.dimension]) out[overall.dimension] = overall.message;
  return out;
}

export function GradeWorkspace(props: Props) {
  const parsed = rubricSchema.safeParse(props.data.queue.rubric);
  if (!parsed.success) {
    return (
      <div role="region" aria-label="Problem">
        <Alert tone="error" title="This queue's rubric cannot be read">
          Ask the queue&apos;s lead to check it.
        </Alert>
      </div>
    );
  }
  return <WithServerDraft {...props} rubric={parsed.data} />;
}

/** Waits for the server's draft (briefly), then starts the form from the newer copy. */
function WithServerDraft(props: Props & { rubric: Rubric }) {
  const trpc = useTRPC();
  const { orgSlug, projectSlug, queue, position } = props.draftKey;
  const server = useQuery({
    ...trpc.reviews.draft.queryOptions({ orgSlug, projectSlug, name: queue, position }),
    staleTime: 0,
    gcTime: 0,
    retry: false,
    refetchOnWindowFocus: false,
  });
  if (server.isPending) {
    return (
      <div className="flex items-center gap-2 p-6 text-sm text-zinc-600" role="status">
        <Spinner /> Loading your draft …
      </div>
    );
  }
  // Offline or refused: the browser's copy is all there is.
  const { draft, push } = newerDraft(typeof window === "undefined" ? null : loadDraft(props.draftKey), server.isError ? null : (server.data ?? null));
  return <Workspace key={`${queue}:${position}:${props.draftKey.mode}`} {...props} restored={draft} pushRestored={push && !server.isError} />;
}

const SAVE_AFTER_MS = 800;

function Workspace({
  data,
  rubric,
  draftKey,
  initialGrade,
  submitLabel,
  submit,
  onSubmitted,
  skip,
  onSkipped,
  onTakeNext,
  extraActions,
  notice,
  restored,
  pushRestored,
}: Props & { rubric: Rubric; restored: Draft | null; pushRestored: boolean }) {
  const formId = `grade-${useId().replace(/[^a-zA-Z0-9]/g, "")}`;
  const formRef = useRef<HTMLDivElement>(null);
  const trpc = useTRPC();
  const saveRemote = useMutation(trpc.reviews.saveDraft.mutationOptions());
  const discardRemote = useMutation(trpc.reviews.discardDraft.mutationOptions());
  const [draft, setDraft] = useState<Draft>(() => onlyRubricKeys(rubric, restored ?? initialGrade));
  const [dirty, setDirty] = useState(false);
  const [showRestored, setShowRestored] = useState(!!restored);
  // "saving" while a save is on its way; the time of the last one the server kept; or a failure.
  const [saveState, setSaveState] = useState<{ kind: "idle" } | { kind: "saving" } | { kind: "saved"; at: Date } | { kind: "offline" }>({ kind: "idle" });
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const inFlight = useRef<Promise<unknown> | null>(null);
  const latest = useRef<Draft>(draft);
  const [active, setActive] = useState(0);
  const [errors, setErrors] = useState<Partial<Record<string, string>>>({});
  const [formError, setFormError] = useState<ErrorInfo | null>(null);
  const [pending, setPending] = useState<"submit" | "skip" | null>(null);
  const [shortcutsOpen, setShortcutsOpen] = useState(false);
  const [announcement, setAnnouncement] = useState("");

  const scope = { orgSlug: draftKey.orgSlug, projectSlug: draftKey.projectSlug, name: draftKey.queue, position: draftKey.position };

  /** Sends the current draft to the server now (the browser copy is already written). */
  const pushNow = useEffectEvent(() => {
    if (timer.current) clearTimeout(timer.current);
    timer.current = null;
    setSaveState({ kind: "saving" });
    const sent = saveRemote
      .mutateAsync({ ...scope, grade: gradeFromDraft(latest.current) })
      .then((r) => setSaveState(r.updatedAt ? { kind: "saved", at: new Date(r.updatedAt) } : { kind: "idle" }))
      .catch(() => setSaveState({ kind: "offline" }));
    inFlight.current = sent;
    return sent;
  });

  /** Before submitting or skipping: no save may land after the item's draft was deleted. */
  async function settleSaves() {
    if (timer.current) clearTimeout(timer.current);
    timer.current = null;
    await inFlight.current?.catch(() => undefined);
  }

  useEffect(() => {
    latest.current = draft;
    if (!dirty) return;
    saveDraft(draftKey, draft);
    if (timer.current) clearTimeout(timer.current);
    timer.current = setTimeout(() => void pushNow(), SAVE_AFTER_MS);
  }, [dirty, draft, draftKey]);

  // The browser's copy was newer than the server's (written offline): send it up.
  const pushRestoredOnce = useEffectEvent(() => {
    if (pushRestored) timer.current = setTimeout(() => void pushNow(), 0);
  });
  useEffect(() => {
    pushRestoredOnce();
    // Leaving the item with a save pending: send it now rather than lose it.
    return () => {
      if (timer.current) {
        clearTimeout(timer.current);
        timer.current = null;
        void saveRemote.mutateAsync({ ...scope, grade: gradeFromDraft(latest.current) }).catch(() => undefined);
      }
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps -- once per item (the component is keyed by it)
  }, []);

  function dimensionElement(i: number) {
    return formRef.current?.querySelector<HTMLFieldSetElement>(`[data-dimension="${i}"]`) ?? null;
  }

  function focusDimension(i: number) {
    const fieldset = dimensionElement(i);
    if (!fieldset) return;
    const target = fieldset.querySelector<HTMLElement>("input:checked") ?? fieldset.querySelector<HTMLElement>("input, textarea") ?? fieldset;
    target.focus();
    fieldset.scrollIntoView({ block: "nearest" });
  }

  // Start on the first dimension, so the keys work without a click.
  const focusFirst = useEffectEvent(() => focusDimension(0));
  useEffect(() => {
    focusFirst();
  }, []);

  function change(key: string, value: GradeValue | undefined) {
    setDraft((d) => ({ ...d, [key]: value }));
    setDirty(true);
    setErrors((e) => (e[key] ? { ...e, [key]: undefined } : e));
  }

  function pick(index: number, value: GradeValue | undefined) {
    const d = rubric[index];
    if (!d) return;
    change(d.key, value);
    setAnnouncement(`${d.label}: ${value === undefined ? "cleared" : formatValue(d, value)}`);
    // Keep focus on the chosen option, so Tab and the arrows continue from there.
    if (value !== undefined) document.getElementById(`${formId}-${d.key}-${String(value)}`)?.focus();
  }

  function move(delta: number) {
    const next = Math.min(rubric.length - 1, Math.max(0, active + delta));
    setActive(next);
    focusDimension(next);
    const d = rubric[next]!;
    setAnnouncement(`${d.label}, dimension ${next + 1} of ${rubric.length}`);
  }

  async function submitNow() {
    if (pending) return;
    const grade = gradeFromDraft(draft);
    const problems = problemsOf(rubric, grade);
    const first = rubric.findIndex((d) => problems[d.key]);
    if (first >= 0) {
      setErrors(problems);
      setFormError(null);
      setActive(first);
      focusDimension(first);
      setAnnouncement(`Not submitted: ${problems[rubric[first]!.key]}`);
      return;
    }
    setErrors({});
    setFormError(null);
    setPending("submit");
    try {
      await settleSaves();
      await submit(grade);
      clearDraft(draftKey);
      onSubmitted();
    } catch (error) {
      const info = errorInfo(error);
      const key = info.field?.startsWith("grade.") ? info.field.slice("grade.".length) : null;
      const index = key ? rubric.findIndex((d) => d.key === key) : -1;
      if (key && index >= 0) {
        setErrors({ [key]: info.message });
        setActive(index);
        focusDimension(index);
      } else {
        setFormError(info);
      }
    } finally {
      setPending(null);
    }
  }

  async function skipNow() {
    if (pending || !skip) return;
    setFormError(null);
    setPending("skip");
    try {
      await settleSaves();
      await skip();
      clearDraft(draftKey);
      onSkipped?.();
    } catch (error) {
      setFormError(errorInfo(error));
    } finally {
      setPending(null);
    }
  }

  const onKeyDown = useEffectEvent((e: KeyboardEvent) => {
    if (e.defaultPrevented || e.isComposing || shortcutsOpen) return;
    // Another dialog (e.g. from the shell) owns the keys while it is open.
    if (document.querySelector("dialog[open]")) return;
    const target = e.target instanceof HTMLElement ? e.target : document.body;
    const tag = target.tagName;
    const inputType = tag === "INPUT" ? (target as HTMLInputElement).type : null;
    const isTextArea = tag === "TEXTAREA";
    const isNumber = inputType === "number";
    const isTyping =
      isTextArea ||
      tag === "SELECT" ||
      target.isContentEditable ||
      (inputType !== null && !["radio", "checkbox", "number", "button", "submit", "reset"].includes(inputType));
    const mod = e.ctrlKey || e.metaKey;
    const inForm = !!formRef.current?.contains(target);

    if (e.key === "Enter") {
      if (mod && (inForm || !isTyping)) {
        e.preventDefault();
        void submitNow();
        return;
      }
      if (mod || e.altKey || e.shiftKey || isTyping || ["A", "BUTTON", "SUMMARY"].includes(tag)) return;
      // A number box submits its form natively (implicit submission).
      if (isNumber && inForm) return;
      e.preventDefault();
      void submitNow();
      return;
    }
    if (e.key === "Escape" && isTextArea && inForm) {
      e.preventDefault();
      target.closest<HTMLElement>("fieldset")?.focus();
      return;
    }
    if (mod || e.altKey || isTyping) return;

    if (e.key === "?") {
      e.preventDefault();
      setShortcutsOpen(true);
      return;
    }
    if (e.key === "j" || (e.key === "ArrowDown" && !isNumber)) {
      e.preventDefault();
      move(1);
      return;
    }
    if (e.key === "k" || (e.key === "ArrowUp" && !isNumber)) {
      e.preventDefault();
      move(-1);
      return;
    }
    if (isNumber) return; // digits, Backspace and the rest are typed into the box
    if (e.key === "s" && skip) {
      e.preventDefault();
      void skipNow();
      return;
    }
    const d = rubric[active];
    if (!d) return;
    if (/^[0-9]$/.test(e.key)) {
      const value = valueForDigit(d, Number(e.key));
      if (value !== undefined) {
        e.preventDefault();
        pick(active, value);
      } else if (d.type === "numeric" && !digitScale(d)) {
        // Not a single-digit scale: the digit starts the value in the number box.
        document.getElementById(`${formId}-${d.key}-input`)?.focus();
      }
      return;
    }
    if (d.type === "boolean" && (e.key === "y" || e.key === "n")) {
      e.preventDefault();
      pick(active, e.key === "y");
      return;
    }
    if ((e.key === "Backspace" || e.key === "Delete") && d.type !== "text") {
      e.preventDefault();
      pick(active, undefined);
    }
  });

  useEffect(() => {
    const listener = (e: KeyboardEvent) => onKeyDown(e);
    window.addEventListener("keydown", listener);
    return () => window.removeEventListener("keydown", listener);
  }, []);

  const conflict = formError?.code === "CONFLICT";

  return (
    <div className="grid items-start gap-4 lg:grid-cols-[minmax(0,1fr)_minmax(360px,440px)]">
      <ItemContent
        position={data.item.position}
        input={data.item.input}
        expected={data.item.expected}
        output={data.item.output}
        autoScores={data.item.autoScores}
        showAutoScores={data.queue.showAutoScores}
        others={data.others}
      />
      <div className="flex min-w-0 flex-col gap-4">
        {notice}
        <Card aria-labelledby={`${formId}-title`}>
          <CardHeader
            title="Your grade"
            titleId={`${formId}-title`}
            description={`${rubric.length} ${rubric.length === 1 ? "dimension" : "dimensions"} · item #${data.item.position}`}
            actions={
              <Button size="sm" variant="ghost" aria-keyshortcuts="?" onClick={() => setShortcutsOpen(true)}>
                Shortcuts <Kbd aria-hidden="true">?</Kbd>
              </Button>
            }
          />
          <div ref={formRef}>
            <RubricForm
              formId={formId}
              rubric={rubric}
              draft={draft}
              errors={errors}
              active={active}
              onActivate={setActive}
              onChange={change}
              onSubmit={() => void submitNow()}
              header={
                showRestored || formError ? (
                  <div role="region" aria-label="Form messages" className="flex flex-col gap-2 px-3 pt-3">
                    {showRestored ? (
                      <Alert tone="info">
                        <span className="flex flex-wrap items-center justify-between gap-2">
                          Restored your draft of this item (it is kept until you submit, on any device you sign in on).
                          <Button
                            size="sm"
                            variant="ghost"
                            onClick={() => {
                              void settleSaves().then(() => discardRemote.mutateAsync(scope).catch(() => undefined));
                              clearDraft(draftKey);
                              setDraft(onlyRubricKeys(rubric, initialGrade));
                              setShowRestored(false);
                              setDirty(false);
                            }}
                          >
                            Discard draft
                          </Button>
                        </span>
                      </Alert>
                    ) : null}
                    {formError ? (
                      <Alert tone="error" title={conflict ? "Not saved" : "Could not save the grade"}>
                        <span className="flex flex-wrap items-center justify-between gap-2">
                          {formError.message}
                          {conflict && onTakeNext ? (
                            <Button size="sm" onClick={onTakeNext}>
                              Take the next item
                            </Button>
                          ) : null}
                        </span>
                      </Alert>
                    ) : null}
                  </div>
                ) : null
              }
              footer={
                <>
                  <span role="status" aria-live="polite" className="mr-auto text-xs text-zinc-600">
                    {saveState.kind === "saving"
                      ? "Saving draft …"
                      : saveState.kind === "saved"
                        ? `Draft saved ${saveState.at.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" })}`
                        : saveState.kind === "offline"
                          ? "Draft kept in this browser only (not reachable)"
                          : ""}
                  </span>
                  {extraActions}
                  {skip ? (
                    <Button aria-keyshortcuts="s" loading={pending === "skip"} disabled={!!pending} onClick={() => void skipNow()}>
                      Skip <Kbd aria-hidden="true">s</Kbd>
                    </Button>
                  ) : null}
                  <Button type="submit" variant="primary" aria-keyshortcuts="Enter" loading={pending === "submit"} disabled={!!pending}>
                    {submitLabel}{" "}
                    <Kbd aria-hidden="true" className="border-indigo-400 bg-indigo-500 text-white">
                      Enter
                    </Kbd>
                  </Button>
                </>
              }
            />
          </div>
        </Card>
        <Guidelines markdown={data.queue.guidelines} />
      </div>
      <p role="status" aria-live="polite" className="sr-only">
        {announcement}
      </p>
      <ShortcutsDialog open={shortcutsOpen} onClose={() => setShortcutsOpen(false)} canSkip={!!skip} />
    </div>
  );
}
