"use client";
// The rules editor's timing (request expiry, wait timer) and change freezes (a field array of
// windows, in the viewer's time zone).
import { useFieldArray, useFormContext } from "react-hook-form";
import { Button, Input } from "@/components/ui";
import { PlusIcon, TrashIcon } from "@/components/ui/icons";
import { blankFreeze, type PolicyValues } from "./policy-model";
import { FieldError, rootOf, Section, useProblem } from "./policy-parts";

export function TimingSection({ id }: { id: string }) {
  const { register } = useFormContext<PolicyValues>();
  const problem = useProblem();
  return (
    <Section id={id} title="Timing">
      <div className="grid gap-3 sm:grid-cols-2 lg:max-w-xl">
        <Input
          label="Request expiry (hours)"
          type="number"
          min={1}
          max={24 * 90}
          {...register("expiryHours")}
          error={problem("expiryHours")}
          hint="Requests not deployed by then expire. 168 hours is a week."
        />
        <Input
          label="Wait timer (minutes)"
          type="number"
          min={0}
          max={7 * 24 * 60}
          {...register("waitMinutes")}
          error={problem("waitMinutes")}
          hint="How long after the last approval a request may deploy. 0: at once."
        />
      </div>
    </Section>
  );
}

export function FreezesSection({ id }: { id: string }) {
  const { register, control, clearErrors } = useFormContext<PolicyValues>();
  const windows = useFieldArray({ control, name: "freezeWindows" });
  const problem = useProblem();
  return (
    <Section
      id={id}
      title="Change freezes"
      description={`Nothing deploys during a freeze window unless an owner breaks the glass with a reason. Times are in your time zone (${Intl.DateTimeFormat().resolvedOptions().timeZone}).`}
    >
      <FieldError>{problem(rootOf("freezeWindows"))}</FieldError>
      {windows.fields.length ? (
        <ol className="flex flex-col gap-2">
          {windows.fields.map((field, i) => (
            <li key={field.id}>
              <fieldset className="grid items-start gap-2 rounded-md border border-zinc-200 bg-zinc-50/40 p-3 sm:grid-cols-[13rem_13rem_1fr_2rem]">
                <legend className="sr-only">Freeze window {i + 1}</legend>
                <Input label="Starts" type="datetime-local" {...register(`freezeWindows.${i}.start`)} error={problem(`freezeWindows.${i}.start`)} />
                <Input label="Ends" type="datetime-local" {...register(`freezeWindows.${i}.end`)} error={problem(`freezeWindows.${i}.end`)} />
                <Input
                  label="Reason"
                  {...register(`freezeWindows.${i}.reason`)}
                  maxLength={300}
                  error={problem(`freezeWindows.${i}.reason`)}
                  placeholder="e.g. Holiday sale"
                />
                <Button
                  size="sm"
                  variant="ghost"
                  aria-label={`Remove freeze window ${i + 1}`}
                  className="mt-6 px-1.5"
                  onClick={() => {
                    clearErrors(rootOf("freezeWindows"));
                    windows.remove(i);
                  }}
                >
                  <TrashIcon size={14} />
                </Button>
              </fieldset>
            </li>
          ))}
        </ol>
      ) : (
        <p className="text-xs text-zinc-500">No freeze windows.</p>
      )}
      <div>
        <Button
          size="sm"
          icon={<PlusIcon size={14} />}
          disabled={windows.fields.length >= 50}
          onClick={() => {
            clearErrors(rootOf("freezeWindows"));
            windows.append(blankFreeze(), { shouldFocus: false });
          }}
        >
          Add freeze window
        </Button>
      </div>
    </Section>
  );
}
