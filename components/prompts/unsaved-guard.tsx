"use client";
// Keeps unsaved edits from being lost: the browser asks before a reload or closing the tab
// (beforeunload), and in-app links and Cancel ask through a confirmation dialog first.
import { useRouter } from "next/navigation";
import { useEffect, useRef, useState } from "react";
import { Button, Dialog } from "@/components/ui";

export function useUnsavedChangesGuard(dirty: boolean) {
  const router = useRouter();
  const [pending, setPending] = useState<string | null>(null);
  const dirtyRef = useRef(dirty);
  useEffect(() => {
    dirtyRef.current = dirty;
  }, [dirty]);

  useEffect(() => {
    if (!dirty) return;
    const onBeforeUnload = (e: BeforeUnloadEvent) => {
      if (!dirtyRef.current) return;
      e.preventDefault();
      e.returnValue = "";
    };
    // Next's <Link> navigates on click; a capturing listener on the document sees it first.
    const onClick = (e: MouseEvent) => {
      if (!dirtyRef.current || e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
      const anchor = (e.target as Element | null)?.closest?.("a[href]");
      if (!(anchor instanceof HTMLAnchorElement) || anchor.target === "_blank" || anchor.hasAttribute("download")) return;
      const url = new URL(anchor.href, window.location.href);
      if (url.origin !== window.location.origin) return;
      if (url.pathname === window.location.pathname && url.search === window.location.search) return;
      e.preventDefault();
      e.stopPropagation();
      setPending(url.pathname + url.search + url.hash);
    };
    window.addEventListener("beforeunload", onBeforeUnload);
    document.addEventListener("click", onClick, true);
    return () => {
      window.removeEventListener("beforeunload", onBeforeUnload);
      document.removeEventListener("click", onClick, true);
    };
  }, [dirty]);

  /** Navigates, asking first when there are unsaved changes. */
  function leave(href: string) {
    if (dirtyRef.current) setPending(href);
    else router.push(href);
  }

  const dialog = (
    <Dialog
      open={pending !== null}
      onClose={() => setPending(null)}
      alert
      size="sm"
      title="Discard unsaved changes?"
      footer={
        <>
          <Button data-autofocus onClick={() => setPending(null)}>
            Keep editing
          </Button>
          <Button
            variant="danger"
            onClick={() => {
              const href = pending;
              dirtyRef.current = false;
              setPending(null);
              if (href) router.push(href);
            }}
          >
            Discard changes
          </Button>
        </>
      }
    >
      <p className="text-[13px] text-zinc-600">Your changes have not been saved as a version. If you leave now, they are lost.</p>
    </Dialog>
  );

  /** Stops guarding right away (after a save, before navigating). */
  function release() {
    dirtyRef.current = false;
  }

  return { leave, release, dialog };
}
