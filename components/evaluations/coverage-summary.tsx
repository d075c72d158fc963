// What an evaluation would do to the items of a dataset version with a prompt version, as
// datasets.coverage answers it (by the same rendering rule the worker applies): items that will
// fail ("Missing variables: tone"), items that render only thanks to a default, and the rest.
// Used by the new-run form and the dataset's "Check against a prompt" dialog.
import { Alert, Badge, Button, TBody, TD, TH, THead, TR, Table } from "@/components/ui";
import { formatCount } from "@/components/lib/format";
import type { RouterOutputs } from "@/components/trpc/client";

export type Coverage = RouterOutputs["datasets"]["coverage"];

const count = formatCount;

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
              <span className="font-mono">{v.name}</span>: {count(v.missing)} {v.missing === 1 ? "item lacks" : "items lack"} it and will use its{" "}
              {defaultText(v)}
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

/** The variables and how many items lack each; `onOpenExample` adds a link to one such item. */
export function CoverageTable({ data, onOpenExample }: { data: Coverage; onOpenExample?: (itemId: string) => void }) {
  return (
    <div className="overflow-hidden rounded-md border border-zinc-200">
      <Table caption="Variables and the items missing them">
        <THead>
          <TR>
            <TH>Variable</TH>
            <TH className="text-right">Items missing it</TH>
            <TH>Default</TH>
            <TH>Status</TH>
            {onOpenExample ? (
              <TH>
                <span className="sr-only">Example</span>
              </TH>
            ) : null}
          </TR>
        </THead>
        <TBody>
          {data.variables.map((v) => (
            <TR key={v.name}>
              <TD className="font-mono text-xs text-zinc-900">{v.name}</TD>
              <TD className="text-right font-mono text-xs tabular-nums">
                {count(v.missing)} of {count(data.total)}
              </TD>
              <TD className="text-xs">{defaultText(v)}</TD>
              <TD>
                <VariableStatus variable={v} total={data.total} />
              </TD>
              {onOpenExample ? (
                <TD className="text-right">
                  {v.example ? (
                    <Button size="sm" variant="ghost" onClick={() => onOpenExample(v.example!)} aria-label={`Open an example: an item missing ${v.name}`}>
                      Open an example
                    </Button>
                  ) : null}
                </TD>
              ) : null}
            </TR>
          ))}
        </TBody>
      </Table>
    </div>
  );
}
