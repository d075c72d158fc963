"use client";
// Every key of the grading page, opened with "?" (Escape closes it, as any dialog).
import { Fragment, type ReactNode } from "react";
import { Dialog } from "@/components/ui";
import { Kbd } from "./rubric-form";

const GROUPS: { title: string; keys: [ReactNode, string][] }[] = [
  {
    title: "Pick a value (on the focused dimension)",
    keys: [
      [
        <>
          <Kbd>1</Kbd> … <Kbd>9</Kbd>
        </>,
        "The 1st … 9th option of a category",
      ],
      [
        <>
          <Kbd>0</Kbd> … <Kbd>9</Kbd>
        </>,
        "That score, on scales that fit in single digits",
      ],
      [
        <>
          <Kbd>y</Kbd> <Kbd>n</Kbd>
        </>,
        "Yes / no",
      ],
      [<Kbd key="bs">Backspace</Kbd>, "Clear the value"],
      [<Kbd key="lr">← →</Kbd>, "Previous / next option (as any radio group)"],
    ],
  },
  {
    title: "Move",
    keys: [
      [
        <>
          <Kbd>j</Kbd> <Kbd>↓</Kbd>
        </>,
        "Next dimension",
      ],
      [
        <>
          <Kbd>k</Kbd> <Kbd>↑</Kbd>
        </>,
        "Previous dimension",
      ],
      [<Kbd key="tab">Tab</Kbd>, "Next control, as everywhere"],
      [<Kbd key="esc">Esc</Kbd>, "Leave a comment box (then j / k work again)"],
    ],
  },
  {
    title: "Act",
    keys: [
      [<Kbd key="enter">Enter</Kbd>, "Submit and load the next item"],
      [
        <>
          <Kbd>Ctrl</Kbd> / <Kbd>⌘</Kbd> + <Kbd>Enter</Kbd>
        </>,
        "Submit, also from inside a comment box",
      ],
      [<Kbd key="s">s</Kbd>, "Skip this item (it goes to someone else)"],
      [<Kbd key="q">?</Kbd>, "Show these shortcuts"],
    ],
  },
];

export function ShortcutsDialog({ open, onClose, canSkip }: { open: boolean; onClose: () => void; canSkip: boolean }) {
  return (
    <Dialog open={open} onClose={onClose} title="Keyboard shortcuts" description="Keys work anywhere on the page except while typing in a text box." size="md">
      <div className="flex flex-col gap-4">
        {GROUPS.map((g) => (
          <section key={g.title} aria-label={g.title}>
            <h3 className="mb-1.5 text-xs font-semibold tracking-wide text-zinc-500 uppercase">{g.title}</h3>
            <dl className="grid grid-cols-[9rem_1fr] gap-x-3 gap-y-1.5 text-[13px]">
              {g.keys
                .filter(([, text]) => canSkip || !text.startsWith("Skip"))
                .map(([keys, text]) => (
                  <Fragment key={text}>
                    <dt className="flex items-center gap-1 text-zinc-700">{keys}</dt>
                    <dd className="text-zinc-700">{text}</dd>
                  </Fragment>
                ))}
            </dl>
          </section>
        ))}
      </div>
    </Dialog>
  );
}
