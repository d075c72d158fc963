"use client";
// The column mapping: each column (CSV) or key (JSON) of the file, its first value, where it goes
// in an item and, for input and metadata fields, under which key. Problems show on the row.
import { useId } from "react";
import { Card, CardBody, CardHeader, Input, Select, Spinner, TBody, TD, TH, THead, TR, Table, cn } from "@/components/ui";
import { TARGET_KINDS, isKeyed, show, type ColumnTarget, type TargetKind } from "./mapping";
import type { Preview } from "./upload-reader";

export function MappingCard({
  targets,
  preview,
  errors,
  onKind,
  onKey,
  refreshing,
}: {
  targets: ColumnTarget[];
  preview: Preview;
  errors: Record<number, string>;
  onKind: (index: number, kind: TargetKind) => void;
  onKey: (index: number, key: string) => void;
  refreshing: boolean;
}) {
  const errorIds = useId();
  const first = preview.rows[0]?.values;
  const noun = preview.format === "csv" ? "column" : "key";
  return (
    <Card aria-labelledby="import-mapping-title">
      <CardHeader
        titleId="import-mapping-title"
        title="Columns"
        description={`Where each ${noun} of the file goes in an item. Input variables feed the prompt's {{variables}}; rename a key to match them.`}
        actions={refreshing ? <Spinner size={14} label="Updating the preview…" /> : null}
      />
      {targets.length === 0 ? (
        <CardBody>
          <p className="text-[13px] text-zinc-500">No {noun}s found in the first rows of the file. Check the format.</p>
        </CardBody>
      ) : (
        <Table caption={`Mapping of the file's ${noun}s to item fields`}>
          <THead>
            <TR>
              <TH className="w-48">{preview.format === "csv" ? "Column" : "Key"}</TH>
              <TH>First row</TH>
              <TH className="w-60">Goes to</TH>
              <TH className="w-64">Key in the item</TH>
            </TR>
          </THead>
          <TBody>
            {targets.map((t, i) => {
              const keyed = isKeyed(t.kind);
              // A problem of a row without a key input (a second expected output) belongs to its target.
              const targetErrorId = !keyed && errors[i] ? `${errorIds}-${i}` : undefined;
              return (
                <TR key={t.column} className={cn(t.kind === "ignore" && "bg-zinc-50/60")}>
                  <TD className="font-mono text-xs text-zinc-900">{t.column || <span className="text-zinc-500">(no name)</span>}</TD>
                  <TD
                    className={cn("max-w-72 truncate font-mono text-xs", t.kind === "ignore" ? "text-zinc-500 line-through" : "text-zinc-600")}
                    title={show(first?.[t.column], 2000)}
                  >
                    {show(first?.[t.column], 80)}
                  </TD>
                  <TD>
                    <Select
                      label={`Target of ${noun} ${t.column}`}
                      hideLabel
                      value={t.kind}
                      onChange={(e) => onKind(i, e.target.value as TargetKind)}
                      aria-invalid={targetErrorId ? true : undefined}
                      aria-describedby={targetErrorId}
                    >
                      {TARGET_KINDS.map((k) => (
                        <option key={k.value} value={k.value}>
                          {k.label}
                        </option>
                      ))}
                    </Select>
                  </TD>
                  <TD>
                    {keyed ? (
                      <div className="flex items-start gap-1.5">
                        <span className="pt-2 font-mono text-xs text-zinc-500" aria-hidden="true">
                          {t.kind === "input-key" ? "input." : "metadata."}
                        </span>
                        <Input
                          label={`${t.kind === "input-key" ? "Input" : "Metadata"} key for ${noun} ${t.column}`}
                          hideLabel
                          value={t.key}
                          onChange={(e) => onKey(i, e.target.value)}
                          error={errors[i]}
                          className="font-mono text-xs"
                          wrapperClassName="min-w-0 flex-1"
                        />
                      </div>
                    ) : errors[i] ? (
                      <p id={targetErrorId} className="text-xs text-red-700">
                        {errors[i]}
                      </p>
                    ) : (
                      <span className="text-xs text-zinc-500">{t.kind === "ignore" ? "not imported" : "—"}</span>
                    )}
                  </TD>
                </TR>
              );
            })}
          </TBody>
        </Table>
      )}
    </Card>
  );
}
