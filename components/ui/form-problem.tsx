// A form's general problem (a server error that names none of its fields): an error alert in a
// named region, because an alert is announced and Next's route announcer is an alert too.
import type { ReactNode } from "react";
import { Alert } from "./alert";

export function FormProblem({
  message,
  label = "Problem",
  title,
  className,
}: {
  message: ReactNode;
  /** The region's name. */ label?: string;
  title?: ReactNode;
  className?: string;
}) {
  if (message === null || message === undefined || message === "") return null;
  return (
    <div role="region" aria-label={label} className={className}>
      <Alert tone="error" title={title}>
        {message}
      </Alert>
    </div>
  );
}
