// What an evaluation would do to the items of a dataset version with a prompt version, as
// datasets.coverage answers it (by the same rendering rule the worker applies): items that will
// fail ("Missing variables: tone"), items that render only thanks to a default, and the rest.
// Used by the new-run form and the dataset's "Check against a prompt" dialog.
import { Alert, Badge } from "@/components/ui";
import type { RouterOutputs } from "@/components/trpc/client";

export type Coverage = RouterOutputs["datasets"]["coverage"];

const count = (n: number) => n.toLocaleString("en-US");

/** "uses default “calm”" / "required" for one variable. */
export function defaultText(v: { default: string | null }): string {
  if (v.default === null) return "required";
  return `default “${v.default === "" ? "(empty text)" : v.default.length > 40 ? `${v.default.slice(0, 40)}…` : v.default}”`;
}

export function CoverageAlerts({ data, fix }: { data: Coverage; fix: string }) {
  if (data.variables.length === 0) return <Alert tone="info">This prompt version has no variables: every item fits.</Alert>;
  const defaulted = data.variables.filter((v) => v.missing > 0 && v.default !== null);
  return (
    <>
      {data.failing > 0 ? (
        <Alert tone="error" title={`${count(data.failing)} of ${count(data.total)} items will fail`}>
          <ul className="flex flex-col gap-0.5">
            {data.failures.map((f) => (
              <li key={f.error}>
                {count(f.items)} {f.items === 1 ? "item" : "items"} will fail: <span className="font-mono">{f.error}</span>
              </li>
            ))}
          </ul>
          <p className="mt-1">{fix}</p>
        </Alert>
      ) : null}
      {data.usingDefaults > 0 ? (
        <Alert tone="info" title={`${count(data.usingDefaults)} of ${count(data.total)} items use a default`}>
          {defaulted.map((v) => (
            <span key={v.name} className="mr-3 inline-block">
              <span className="font-mono">{v.name}</span>: {count(v.missing)} {v.missing === 1 ? "item lacks" : "items lack"} it and will use its {defaultText(v)}
            </span>
          ))}
        </Alert>
      ) : null}
      {data.failing === 0 && data.usingDefaults === 0 ? (
        <Alert tone="success">
          All {count(data.total)} items provide every variable ({data.variables.map((v) => v.name).join(", ")}).
        </Alert>
      ) : null}
    </>
  );
}

/** The status of one variable across the items. */
export function VariableStatus({ variable: v, total }: { variable: Coverage["variables"][number]; total: number }) {
  if (v.missing === 0) return <Badge tone="success">provided</Badge>;
  if (v.default !== null) return <Badge tone="accent">uses default</Badge>;
  return <Badge tone="danger">{v.missing === total ? "fails everywhere" : "fails in some"}</Badge>;
}
