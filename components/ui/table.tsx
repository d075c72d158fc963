import { useId, type ComponentProps, type ReactNode } from "react";
import { cn } from "./cn";
import { ScrollArea } from "./scroll-area";

/**
 * A dense data table. `caption` names the table for assistive technology (and tests); it is
 * visually hidden unless `showCaption`. A table wider than its box scrolls inside it (a focusable
 * region named by the caption), never the page.
 */
export function Table({
  caption,
  showCaption = false,
  className,
  children,
  ...props
}: ComponentProps<"table"> & { caption: ReactNode; showCaption?: boolean }) {
  const captionId = useId();
  return (
    // relative: a visually hidden (absolute) label in a cell is placed inside the box, so it scrolls
    // with the table instead of widening the page.
    <ScrollArea className="relative overflow-x-auto" labelledBy={captionId} region="scrollable">
      <table className={cn("w-full border-collapse text-left text-[13px]", className)} {...props}>
        <caption id={captionId} className={showCaption ? "px-4 py-2 text-left text-xs text-zinc-500" : "sr-only"}>
          {caption}
        </caption>
        {children}
      </table>
    </ScrollArea>
  );
}

export function THead({ className, ...props }: ComponentProps<"thead">) {
  return <thead className={cn("border-b border-zinc-200 bg-zinc-50/80", className)} {...props} />;
}

export function TBody({ className, ...props }: ComponentProps<"tbody">) {
  return <tbody className={cn("divide-y divide-zinc-100", className)} {...props} />;
}

export function TR({ className, ...props }: ComponentProps<"tr">) {
  return <tr className={cn("align-middle", className)} {...props} />;
}

export function TH({ className, scope = "col", ...props }: ComponentProps<"th">) {
  return <th scope={scope} className={cn("h-8 px-3 text-xs font-medium whitespace-nowrap text-zinc-500 first:pl-4 last:pr-4", className)} {...props} />;
}

export function TD({ className, ...props }: ComponentProps<"td">) {
  return <td className={cn("px-3 py-2 text-zinc-700 first:pl-4 last:pr-4", className)} {...props} />;
}

/** The header of a row-actions column: named for screen readers, empty on screen. */
export function ActionsTH({ className }: { className?: string }) {
  return (
    <TH className={className}>
      <span className="sr-only">Actions</span>
    </TH>
  );
}
