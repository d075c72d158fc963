"use client";
// A menu button (WAI-ARIA APG "menu button" pattern): Enter/Space/ArrowDown opens and focuses the
// first (or checked) item, ArrowUp opens on the last; Arrow keys, Home and End move; typing jumps
// to a matching item; Escape closes and returns focus to the button; Tab and outside clicks close.
import Link from "next/link";
import { useCallback, useEffect, useId, useRef, useState, type KeyboardEvent, type ReactNode } from "react";
import { cn } from "./cn";
import { CheckIcon } from "./icons";

export type MenuItem = {
  key: string;
  label: ReactNode;
  /** Text used for type-ahead when label is not a string. */
  textValue?: string;
  description?: ReactNode;
  icon?: ReactNode;
  href?: string;
  onSelect?: () => void;
  /** Marks the current choice (menuitemradio). Undefined means a plain menu item. */
  checked?: boolean;
  danger?: boolean;
};

export type MenuSection = { key: string; label?: ReactNode; header?: ReactNode; items: MenuItem[] };

type MenuProps = {
  /** The button's content. */
  trigger: ReactNode;
  /** Accessible name of the button when its content is not enough. */
  triggerLabel?: string;
  triggerClassName?: string;
  sections: MenuSection[];
  align?: "start" | "end";
  menuClassName?: string;
  /** Accessible name of the menu itself. */
  menuLabel: string;
};

export function Menu({ trigger, triggerLabel, triggerClassName, sections, align = "start", menuClassName, menuLabel }: MenuProps) {
  const [open, setOpen] = useState(false);
  const buttonRef = useRef<HTMLButtonElement>(null);
  const menuRef = useRef<HTMLDivElement>(null);
  const pendingFocus = useRef<"first" | "last" | "checked" | null>(null);
  const typeahead = useRef({ text: "", at: 0 });
  const menuId = useId();

  const items = useCallback(() => Array.from(menuRef.current?.querySelectorAll<HTMLElement>("[data-menu-item]") ?? []), []);

  const close = useCallback((returnFocus: boolean) => {
    setOpen(false);
    if (returnFocus) buttonRef.current?.focus();
  }, []);

  useEffect(() => {
    if (!open) return;
    const all = items();
    const which = pendingFocus.current ?? "checked";
    pendingFocus.current = null;
    const checked = all.find((el) => el.getAttribute("aria-checked") === "true");
    const target = which === "last" ? all.at(-1) : which === "checked" ? (checked ?? all[0]) : all[0];
    target?.focus();
    const onPointerDown = (e: PointerEvent) => {
      const t = e.target as Node;
      if (!menuRef.current?.contains(t) && !buttonRef.current?.contains(t)) close(false);
    };
    document.addEventListener("pointerdown", onPointerDown);
    return () => document.removeEventListener("pointerdown", onPointerDown);
  }, [open, items, close]);

  function openWith(focus: "first" | "last" | "checked") {
    pendingFocus.current = focus;
    setOpen(true);
  }

  function onButtonKeyDown(e: KeyboardEvent) {
    if (e.key === "ArrowDown" || e.key === "Enter" || e.key === " ") {
      e.preventDefault();
      openWith(e.key === "ArrowDown" ? "first" : "checked");
    } else if (e.key === "ArrowUp") {
      e.preventDefault();
      openWith("last");
    }
  }

  function onMenuKeyDown(e: KeyboardEvent) {
    const all = items();
    const index = all.indexOf(document.activeElement as HTMLElement);
    const focusAt = (i: number) => all[(i + all.length) % all.length]?.focus();
    switch (e.key) {
      case "ArrowDown":
        e.preventDefault();
        focusAt(index + 1);
        break;
      case "ArrowUp":
        e.preventDefault();
        focusAt(index - 1);
        break;
      case "Home":
        e.preventDefault();
        focusAt(0);
        break;
      case "End":
        e.preventDefault();
        focusAt(all.length - 1);
        break;
      case "Escape":
        e.preventDefault();
        close(true);
        break;
      case "Tab":
        close(false);
        break;
      case " ":
        // Space activates a menu item, links included.
        e.preventDefault();
        (document.activeElement as HTMLElement | null)?.click();
        break;
      default:
        if (e.key.length === 1 && !e.ctrlKey && !e.metaKey && !e.altKey) {
          const now = Date.now();
          const t = typeahead.current;
          t.text = now - t.at > 700 ? e.key.toLowerCase() : t.text + e.key.toLowerCase();
          t.at = now;
          const ordered = [...all.slice(index + 1), ...all.slice(0, index + 1)];
          ordered.find((el) => (el.dataset.text ?? el.textContent ?? "").trim().toLowerCase().startsWith(t.text))?.focus();
        }
    }
  }

  return (
    <div className="relative">
      <button
        ref={buttonRef}
        type="button"
        aria-haspopup="menu"
        aria-expanded={open}
        aria-controls={open ? menuId : undefined}
        aria-label={triggerLabel}
        onClick={() => (open ? close(false) : openWith("checked"))}
        onKeyDown={onButtonKeyDown}
        className={triggerClassName}
      >
        {trigger}
      </button>
      {open ? (
        <div
          ref={menuRef}
          id={menuId}
          role="menu"
          aria-label={menuLabel}
          onKeyDown={onMenuKeyDown}
          className={cn(
            "absolute top-full z-50 mt-1.5 max-h-[70vh] min-w-56 overflow-y-auto rounded-lg border border-zinc-200 bg-white p-1 shadow-lg",
            align === "end" ? "right-0" : "left-0",
            menuClassName,
          )}
        >
          {sections.map((section, si) => (
            <MenuSectionView key={section.key} section={section} first={si === 0} onSelected={() => close(false)} />
          ))}
        </div>
      ) : null}
    </div>
  );
}

function MenuSectionView({ section, first, onSelected }: { section: MenuSection; first: boolean; onSelected: () => void }) {
  const labelId = useId();
  return (
    <>
      {!first ? <div role="separator" className="-mx-1 my-1 h-px bg-zinc-200" /> : null}
      {section.header ? <div className="px-2 py-1.5">{section.header}</div> : null}
      <div role="group" aria-labelledby={section.label ? labelId : undefined}>
        {section.label ? (
          <div id={labelId} className="px-2 pt-1.5 pb-1 text-[11px] font-medium tracking-wide text-zinc-500 uppercase">
            {section.label}
          </div>
        ) : null}
        {section.items.map((item) => (
          <MenuItemView key={item.key} item={item} onSelected={onSelected} />
        ))}
      </div>
    </>
  );
}

function MenuItemView({ item, onSelected }: { item: MenuItem; onSelected: () => void }) {
  const role = item.checked === undefined ? "menuitem" : "menuitemradio";
  const className = cn(
    "flex w-full items-center gap-2 rounded-md px-2 py-1.5 text-left text-[13px] outline-none",
    "focus:bg-zinc-100 hover:bg-zinc-100 focus-visible:outline-none",
    item.danger ? "text-red-700" : "text-zinc-800",
  );
  const content = (
    <>
      {item.icon ? <span className="shrink-0 text-zinc-500">{item.icon}</span> : null}
      <span className="min-w-0 flex-1">
        <span className="block truncate">{item.label}</span>
        {item.description ? <span className="block truncate text-xs text-zinc-500">{item.description}</span> : null}
      </span>
      {item.checked ? <CheckIcon className="shrink-0 text-accent" /> : null}
    </>
  );
  const common = {
    role,
    tabIndex: -1,
    "data-menu-item": "",
    "data-text": item.textValue,
    "aria-checked": item.checked === undefined ? undefined : item.checked,
    className,
  } as const;
  if (item.href) {
    return (
      <Link href={item.href} {...common} onClick={onSelected}>
        {content}
      </Link>
    );
  }
  return (
    <button
      type="button"
      {...common}
      onClick={() => {
        onSelected();
        item.onSelect?.();
      }}
    >
      {content}
    </button>
  );
}
