"use client";
// A modal dialog on the native <dialog> element (showModal): the browser traps focus, makes the
// page inert and closes on Escape. We add: a labelled title, focus on the first field (or the
// element marked data-autofocus), focus returned to the opener on close, optional backdrop click.
import { useEffect, useEffectEvent, useId, useRef, type ReactNode } from "react";
import { Button } from "./button";
import { cn } from "./cn";
import { ScrollArea } from "./scroll-area";
import { XIcon } from "./icons";
import { Alert } from "./alert";
import { errorInfo } from "@/components/lib/errors";

type DialogProps = {
  open: boolean;
  onClose: () => void;
  title: ReactNode;
  description?: ReactNode;
  children?: ReactNode;
  /** Buttons, right-aligned under the body. */
  footer?: ReactNode;
  size?: "sm" | "md" | "lg" | "xl";
  /** Whether a click on the backdrop closes the dialog (Escape always does). */
  closeOnBackdrop?: boolean;
  /** role="alertdialog" for confirmations of destructive actions. */
  alert?: boolean;
  className?: string;
};

const widths = { sm: "max-w-sm", md: "max-w-lg", lg: "max-w-2xl", xl: "max-w-4xl" };

export function Dialog({ open, onClose, title, description, children, footer, size = "md", closeOnBackdrop = true, alert = false, className }: DialogProps) {
  const ref = useRef<HTMLDialogElement>(null);
  const opener = useRef<HTMLElement | null>(null);
  const titleId = useId();
  const descriptionId = useId();

  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (open && !dialog.open) {
      opener.current = document.activeElement instanceof HTMLElement ? document.activeElement : null;
      dialog.showModal();
      const preferred =
        dialog.querySelector<HTMLElement>("[data-autofocus]") ??
        dialog.querySelector<HTMLElement>("[data-dialog-body] :is(input:not([type=hidden]):not([disabled]), select:not([disabled]), textarea:not([disabled]))");
      preferred?.focus();
    } else if (!open && dialog.open) {
      dialog.close();
    }
  }, [open]);

  // Escape, the close button and dialog.close() all end here.
  const handleClose = useEffectEvent(() => {
    onClose();
    const target = opener.current;
    opener.current = null;
    if (target?.isConnected) requestAnimationFrame(() => target.focus());
  });

  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    const listener = () => handleClose();
    dialog.addEventListener("close", listener);
    return () => dialog.removeEventListener("close", listener);
  }, []);

  return (
    <dialog
      ref={ref}
      role={alert ? "alertdialog" : undefined}
      aria-labelledby={titleId}
      aria-describedby={description ? descriptionId : undefined}
      aria-modal="true"
      onClick={(e) => {
        // A click whose target is the <dialog> itself landed on the backdrop area.
        if (closeOnBackdrop && e.target === e.currentTarget) e.currentTarget.close();
      }}
      className={cn(
        "m-auto w-[calc(100%-2rem)] rounded-lg border border-zinc-200 bg-white p-0 text-zinc-900 shadow-xl",
        "max-h-[calc(100dvh-4rem)] overflow-hidden open:flex open:flex-col",
        widths[size],
        className,
      )}
    >
      {open ? (
        <>
          <div className="flex items-start justify-between gap-4 border-b border-zinc-200 px-5 py-3.5">
            <div className="min-w-0">
              <h2 id={titleId} className="text-[15px] font-semibold text-zinc-900">
                {title}
              </h2>
              {description ? (
                <p id={descriptionId} className="mt-0.5 text-[13px] text-zinc-500">
                  {description}
                </p>
              ) : null}
            </div>
            <Button variant="ghost" size="sm" aria-label="Close dialog" className="-mr-1.5 px-1.5" onClick={() => ref.current?.close()}>
              <XIcon />
            </Button>
          </div>
          <ScrollArea data-dialog-body className="min-h-0 flex-1 overflow-y-auto px-5 py-4">
            {children}
          </ScrollArea>
          {footer ? <div className="flex items-center justify-end gap-2 border-t border-zinc-200 bg-zinc-50/70 px-5 py-3">{footer}</div> : null}
        </>
      ) : null}
    </dialog>
  );
}

/** A destructive-action confirmation; errors from the action stay visible inside it. */
/** The parts of a TanStack mutation a confirmation needs: its state, its error, and reset. */
export type ConfirmMutation = { isPending: boolean; error: unknown; reset: () => void };

/**
 * "Are you sure?" before a destructive change. Given the `mutation` it confirms, it shows its
 * pending state and error, and resets it when the dialog closes (so a reopened dialog starts clean).
 */
export function ConfirmDialog({
  open,
  onClose,
  title,
  children,
  confirmLabel,
  onConfirm,
  pending,
  error,
  mutation,
  confirmVariant = "danger",
  confirmIcon,
  confirmDisabled,
  focusCancel = true,
}: {
  open: boolean;
  onClose: () => void;
  title: ReactNode;
  children: ReactNode;
  confirmLabel: string;
  onConfirm: () => void;
  pending?: boolean;
  error?: ReactNode;
  mutation?: ConfirmMutation;
  /** "primary" for a confirmed change that is not destructive (protecting an environment). */
  confirmVariant?: "danger" | "primary";
  confirmIcon?: ReactNode;
  /** E.g. until the name to delete is typed. */
  confirmDisabled?: boolean;
  /** Focus Cancel on open (the safe choice); false when the body holds a field to fill first. */
  focusCancel?: boolean;
}) {
  const close = () => {
    mutation?.reset();
    onClose();
  };
  const shownError = error ?? (mutation?.error ? <Alert tone="error">{errorInfo(mutation.error).message}</Alert> : null);
  return (
    <Dialog
      open={open}
      onClose={close}
      title={title}
      size="sm"
      alert
      footer={
        <>
          <Button data-autofocus={focusCancel || undefined} onClick={close}>
            Cancel
          </Button>
          <Button variant={confirmVariant} icon={confirmIcon} disabled={confirmDisabled} loading={pending ?? mutation?.isPending} onClick={onConfirm}>
            {confirmLabel}
          </Button>
        </>
      }
    >
      <div className="space-y-3 text-[13px] text-zinc-600">
        {children}
        {shownError}
      </div>
    </Dialog>
  );
}
