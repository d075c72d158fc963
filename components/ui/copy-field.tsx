"use client";
// A read-only value with a copy button: for secrets and one-time links that are shown once.
import { useEffect, useId, useRef, useState } from "react";
import { Button } from "./button";
import { cn } from "./cn";
import { controlClasses } from "./field";
import { CheckIcon, CopyIcon } from "./icons";

async function copyText(text: string, input: HTMLInputElement | null = null): Promise<boolean> {
  try {
    if (navigator.clipboard && window.isSecureContext) {
      await navigator.clipboard.writeText(text);
      return true;
    }
  } catch {
    // fall through to the selection fallback
  }
  if (!input) return false;
  input.focus();
  input.select();
  try {
    return document.execCommand("copy");
  } catch {
    return false;
  }
}

/**
 * Copying with feedback: `copy(text)` tries the clipboard (then selecting `input`, if given) and
 * sets `state` to "copied" or "failed" for 2.5 s.
 */
export function useCopy() {
  const [state, setState] = useState<"idle" | "copied" | "failed">("idle");
  useEffect(() => {
    if (state === "idle") return;
    const timer = setTimeout(() => setState("idle"), 2500);
    return () => clearTimeout(timer);
  }, [state]);
  return { state, copy: async (text: string, input?: HTMLInputElement | null) => setState((await copyText(text, input ?? null)) ? "copied" : "failed") };
}

export function CopyField({ label, value, hint, className }: { label: string; value: string; hint?: string; className?: string }) {
  const id = useId();
  const inputRef = useRef<HTMLInputElement>(null);
  const { state, copy } = useCopy();

  return (
    <div className={cn("flex flex-col gap-1.5", className)}>
      <label htmlFor={id} className="text-[13px] font-medium text-zinc-800">
        {label}
      </label>
      <div className="flex gap-2">
        <input
          ref={inputRef}
          id={id}
          readOnly
          value={value}
          spellCheck={false}
          onFocus={(e) => e.currentTarget.select()}
          aria-describedby={hint ? `${id}-hint` : undefined}
          className={cn(controlClasses, "h-8 border-zinc-300 bg-zinc-50 font-mono text-[12.5px]")}
        />
        <Button
          variant="secondary"
          aria-label={`Copy ${label.toLowerCase()}`}
          icon={state === "copied" ? <CheckIcon className="text-emerald-600" /> : <CopyIcon />}
          onClick={() => void copy(value, inputRef.current)}
        >
          {state === "copied" ? "Copied" : "Copy"}
        </Button>
      </div>
      {hint ? (
        <p id={`${id}-hint`} className="text-xs text-zinc-500">
          {hint}
        </p>
      ) : null}
      <span role="status" className="sr-only">
        {state === "copied" ? `${label} copied to the clipboard` : state === "failed" ? "Copying failed: select the text and copy it yourself" : ""}
      </span>
      {state === "failed" ? <p className="text-xs text-red-700">Copying failed: select the text and copy it yourself.</p> : null}
    </div>
  );
}
