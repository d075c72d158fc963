"use client";
// A box whose content may scroll (wide tables, code, diffs, JSON). Keyboard users can scroll only
// what they can focus (WCAG 2.1.1), so once the content overflows the box becomes a focusable,
// named region; while it fits it is a plain box and adds no tab stop.
import { useEffect, useRef, useState, type ComponentPropsWithoutRef, type ElementType } from "react";
import { cn } from "./cn";

// Not lists: a region role would take their list semantics away (wrap a list in a div instead).
type Tag = "div" | "pre";

type Props<T extends Tag> = Omit<ComponentPropsWithoutRef<T>, "aria-label" | "aria-labelledby"> & {
  as?: T;
  /** Names the region (or `labelledBy`, the id of the element that names it). */
  label?: string;
  labelledBy?: string;
  /** "always" (default): the box is a named region whenever it has a name; "scrollable": only while its content overflows (e.g. a table, already named by its caption). */
  region?: "always" | "scrollable";
};

export function ScrollArea<T extends Tag = "div">({ as, label, labelledBy, region = "always", className, children, ...props }: Props<T>) {
  const Component = (as ?? "div") as ElementType;
  const ref = useRef<HTMLElement>(null);
  const [scrollable, setScrollable] = useState(false);

  useEffect(() => {
    const element = ref.current;
    if (!element) return;
    const check = () => setScrollable(element.scrollWidth > element.clientWidth + 1 || element.scrollHeight > element.clientHeight + 1);
    check();
    const resize = new ResizeObserver(check);
    resize.observe(element);
    for (const child of Array.from(element.children)) resize.observe(child);
    const mutation = new MutationObserver(check);
    mutation.observe(element, { childList: true, subtree: true, characterData: true });
    return () => {
      resize.disconnect();
      mutation.disconnect();
    };
  }, []);

  const named = (!!label || !!labelledBy) && (region === "always" || scrollable);
  return (
    <Component
      ref={ref}
      role={named ? "region" : undefined}
      aria-label={named ? label : undefined}
      aria-labelledby={named && !label ? labelledBy : undefined}
      tabIndex={scrollable ? 0 : undefined}
      className={cn(scrollable && "focus-visible:outline-offset-0", className)}
      {...props}
    >
      {children}
    </Component>
  );
}
