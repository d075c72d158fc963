"use client";
// The variables a draft uses, as typed, each with a description and an optional default (stored
// with the version). A default is used when a caller sends no value for the variable; "Has
// default" is its own checkbox so an empty default ("") differs from none (the variable is then
// required: playground, evaluations and the gateway refuse without it).
import { MAX_VARIABLE_DEFAULT, MAX_VARIABLE_DESCRIPTION } from "@/server/contracts/prompts";
import { Checkbox, Input, TBody, TD, TH, THead, TR, Table } from "@/components/ui";
import { EMPTY_VARIABLE, type VariableDraft } from "./model";

type Props = {
  variables: string[];
  value: Record<string, VariableDraft>;
  onChange: (value: Record<string, VariableDraft>) => void;
};

export function VariablesTable({ variables, value, onChange }: Props) {
  if (variables.length === 0) return <p className="text-xs text-zinc-500">No variables. Write {"{{name}}"} to add one.</p>;
  const set = (name: string, patch: Partial<VariableDraft>) => onChange({ ...value, [name]: { ...(value[name] ?? EMPTY_VARIABLE), ...patch } });
  return (
    <div className="rounded-md border border-zinc-200">
      <Table caption="Declared variables">
        <THead>
          <TR>
            <TH>Variable</TH>
            <TH>Description</TH>
            <TH>Default</TH>
          </TR>
        </THead>
        <TBody>
          {variables.map((name) => {
            const v = value[name] ?? EMPTY_VARIABLE;
            return (
              <TR key={name} className="align-top">
                <TD className="pt-3.5">
                  <span className="inline-flex h-5 items-center rounded bg-indigo-50 px-1.5 font-mono text-[11px] font-medium text-indigo-700 ring-1 ring-indigo-200 ring-inset">
                    {name}
                  </span>
                </TD>
                <TD className="min-w-40">
                  <Input
                    label={`Description of ${name}`}
                    hideLabel
                    value={v.description}
                    maxLength={MAX_VARIABLE_DESCRIPTION}
                    placeholder="What it is for (optional)"
                    onChange={(e) => set(name, { description: e.target.value })}
                  />
                </TD>
                <TD className="min-w-52">
                  <div className="flex flex-col gap-1.5">
                    <Checkbox
                      label="Has default"
                      checked={v.hasDefault}
                      onChange={(e) => set(name, { hasDefault: e.target.checked })}
                      aria-label={`${name} has a default`}
                      className="pt-1.5"
                    />
                    {v.hasDefault ? (
                      <Input
                        label={`Default of ${name}`}
                        hideLabel
                        value={v.default}
                        maxLength={MAX_VARIABLE_DEFAULT}
                        placeholder="(empty text)"
                        onChange={(e) => set(name, { default: e.target.value })}
                        hint={v.default === "" ? "Empty text is used when no value is sent." : undefined}
                      />
                    ) : (
                      <p className="text-xs text-zinc-500">Required: callers must send a value.</p>
                    )}
                  </div>
                </TD>
              </TR>
            );
          })}
        </TBody>
      </Table>
    </div>
  );
}
