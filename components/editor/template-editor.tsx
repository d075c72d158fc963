"use client";
// A CodeMirror 6 editor for {{variable}} templates. Variables are marked by a MatchDecorator
// view plugin (the same pattern the server extracts). Tab is left to the browser (focus moves on,
// as in any form field; the editor does not trap the keyboard); Mod-z / Mod-Shift-z undo and redo.
import { defaultKeymap, history, historyKeymap } from "@codemirror/commands";
import { Compartment, EditorState } from "@codemirror/state";
import {
  Decoration,
  EditorView,
  MatchDecorator,
  ViewPlugin,
  drawSelection,
  keymap,
  placeholder as placeholderExt,
  type DecorationSet,
  type ViewUpdate,
} from "@codemirror/view";
import { useEffect, useRef } from "react";
import { checkTemplate } from "@/server/contracts/templates";
import { cn } from "@/components/ui";

const variableMatcher = new MatchDecorator({
  regexp: /\{\{\s*([A-Za-z_][\w.-]*)\s*\}\}/g,
  decoration: (match) => Decoration.mark({ class: "cm-variable", attributes: { title: `Variable: ${match[1]}` } }),
});

const variableHighlighter = ViewPlugin.fromClass(
  class {
    decorations: DecorationSet;
    constructor(view: EditorView) {
      this.decorations = variableMatcher.createDeco(view);
    }
    update(update: ViewUpdate) {
      this.decorations = variableMatcher.updateDeco(update, this.decorations);
    }
  },
  { decorations: (plugin) => plugin.decorations },
);

// Template syntax problems (an unclosed {{, a stray }}, an invalid name) underlined as you type,
// found by the same linear check the server applies at save.
function problemDecorations(view: EditorView): DecorationSet {
  const doc = view.state.doc;
  const marks = checkTemplate(doc.toString()).map((p) =>
    Decoration.mark({ class: "cm-template-error", attributes: { title: p.message } }).range(p.offset, Math.min(doc.length, p.offset + 2)),
  );
  return Decoration.set(marks, true);
}

const problemHighlighter = ViewPlugin.fromClass(
  class {
    decorations: DecorationSet;
    constructor(view: EditorView) {
      this.decorations = problemDecorations(view);
    }
    update(update: ViewUpdate) {
      if (update.docChanged) this.decorations = problemDecorations(update.view);
    }
  },
  { decorations: (plugin) => plugin.decorations },
);

const theme = EditorView.theme({
  "&": { fontSize: "12.5px", backgroundColor: "white" },
  "&.cm-focused": { outline: "none" },
  ".cm-scroller": { fontFamily: "var(--font-mono)", lineHeight: "1.6" },
  ".cm-content": { padding: "8px 0", caretColor: "var(--color-zinc-900)" },
  ".cm-line": { padding: "0 10px" },
  ".cm-placeholder": { color: "var(--color-zinc-500)" },
  ".cm-variable": {
    backgroundColor: "var(--color-indigo-50)",
    color: "var(--color-indigo-700)",
    borderRadius: "3px",
    boxShadow: "inset 0 0 0 1px var(--color-indigo-200)",
    fontWeight: "500",
  },
  ".cm-template-error": {
    backgroundColor: "var(--color-red-50)",
    color: "var(--color-red-800)",
    textDecoration: "underline wavy var(--color-red-600)",
    textUnderlineOffset: "3px",
  },
  "&.cm-focused .cm-selectionBackground, .cm-selectionBackground, .cm-content ::selection": { backgroundColor: "var(--color-indigo-100)" },
});

type Props = {
  value: string;
  onChange?: (value: string) => void;
  /** The accessible name of the editing area. */
  label: string;
  describedBy?: string;
  readOnly?: boolean;
  placeholder?: string;
  invalid?: boolean;
  minLines?: number;
  className?: string;
};

export function TemplateEditor({ value, onChange, label, describedBy, readOnly = false, placeholder, invalid = false, minLines = 4, className }: Props) {
  const host = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView | null>(null);
  const onChangeRef = useRef(onChange);
  // The accessible attributes change while typing (aria-invalid with a syntax problem): they are
  // reconfigured in place, so the editor keeps focus and the cursor.
  const attributes = useRef(new Compartment());
  const attributesFor = (invalidNow: boolean, describedByNow?: string) =>
    EditorView.contentAttributes.of({
      "aria-label": label,
      ...(describedByNow ? { "aria-describedby": describedByNow } : {}),
      ...(invalidNow ? { "aria-invalid": "true" } : {}),
      ...(readOnly ? { "aria-readonly": "true" } : {}),
    });
  useEffect(() => {
    onChangeRef.current = onChange;
  }, [onChange]);

  // Created once per mount; later prop changes are pushed into the existing view below.
  useEffect(() => {
    if (!host.current) return;
    const editor = new EditorView({
      parent: host.current,
      state: EditorState.create({
        doc: value,
        extensions: [
          history(),
          drawSelection(),
          keymap.of([...defaultKeymap, ...historyKeymap]),
          EditorView.lineWrapping,
          variableHighlighter,
          problemHighlighter,
          theme,
          placeholder ? placeholderExt(placeholder) : [],
          EditorState.readOnly.of(readOnly),
          EditorView.editable.of(!readOnly),
          attributes.current.of(attributesFor(invalid, describedBy)),
          EditorView.updateListener.of((update) => {
            if (update.docChanged) onChangeRef.current?.(update.state.doc.toString());
          }),
        ],
      }),
    });
    view.current = editor;
    return () => {
      editor.destroy();
      view.current = null;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps -- the view is built once; value and attribute sync are below
  }, [label, readOnly, placeholder]);

  useEffect(() => {
    view.current?.dispatch({ effects: attributes.current.reconfigure(attributesFor(invalid, describedBy)) });
    // eslint-disable-next-line react-hooks/exhaustive-deps -- attributesFor reads label/readOnly, which rebuild the view anyway
  }, [invalid, describedBy]);

  // Outside changes (reset, loading another version) replace the document.
  useEffect(() => {
    const editor = view.current;
    if (editor && editor.state.doc.toString() !== value) {
      editor.dispatch({ changes: { from: 0, to: editor.state.doc.length, insert: value } });
    }
  }, [value]);

  return (
    <div
      ref={host}
      data-template-editor
      style={{ minHeight: `${minLines * 1.6 * 12.5 + 16}px` }}
      className={cn(
        "overflow-hidden rounded-md border bg-white shadow-xs transition-colors focus-within:ring-2",
        invalid
          ? "border-red-500 focus-within:ring-red-500/25"
          : "border-zinc-300 hover:border-zinc-400 focus-within:border-accent-ring focus-within:ring-accent-ring/30",
        readOnly && "bg-zinc-50",
        "[&_.cm-editor]:min-h-[inherit]",
        className,
      )}
    />
  );
}
