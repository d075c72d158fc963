import type { ComponentProps, ReactNode } from "react";
import { cn } from "./cn";

/** A bordered surface. Pass `aria-labelledby` (CardHeader's titleId) to make it a named region. */
export function Card({ className, children, as = "section", ...props }: Omit<ComponentProps<"section">, "ref"> & { as?: "section" | "div" }) {
  const classes = cn("overflow-hidden rounded-lg border border-zinc-200 bg-white shadow-xs", className);
  return as === "div" ? (
    <div className={classes} {...props}>
      {children}
    </div>
  ) : (
    <section className={classes} {...props}>
      {children}
    </section>
  );
}

export function CardHeader({
  title,
  titleId,
  description,
  actions,
  className,
  level = 2,
}: {
  title: ReactNode;
  titleId?: string;
  description?: ReactNode;
  actions?: ReactNode;
  className?: string;
  level?: 2 | 3;
}) {
  const Heading = level === 2 ? "h2" : "h3";
  return (
    <div className={cn("flex flex-wrap items-start justify-between gap-x-4 gap-y-2 border-b border-zinc-200 px-4 py-3", className)}>
      <div className="min-w-0">
        <Heading id={titleId} className="text-sm font-semibold text-zinc-900">
          {title}
        </Heading>
        {description ? <p className="mt-0.5 text-[13px] text-zinc-500">{description}</p> : null}
      </div>
      {actions ? <div className="flex shrink-0 items-center gap-2">{actions}</div> : null}
    </div>
  );
}

export function CardBody({ className, ...props }: ComponentProps<"div">) {
  return <div className={cn("px-4 py-3", className)} {...props} />;
}

export function CardFooter({ className, ...props }: ComponentProps<"div">) {
  return <div className={cn("flex items-center justify-end gap-2 border-t border-zinc-200 bg-zinc-50/60 px-4 py-2.5", className)} {...props} />;
}
