"use client";
// A settings list, built once: a titled card (or a page header and a card) with the create button
// for those allowed, the list query's loading, error and empty states, a table of rows with their
// actions, the create/edit dialog, and confirmed row changes (delete, revoke, protect). The feature
// gives the columns, the form and the mutations; this owns which row is being edited or confirmed,
// refreshes the list after a change and says what changed in the card's status line.
import { useQueryClient, type QueryKey } from "@tanstack/react-query";
import { useId, useState, type ReactNode } from "react";
import { Button, type ButtonVariant } from "./button";
import { Card } from "./card";
import { ConfirmDialog, Dialog, type ConfirmMutation } from "./dialog";
import { EmptyState } from "./empty-state";
import { PencilIcon, PlusIcon, TrashIcon } from "./icons";
import { PageHeader } from "./page-header";
import { QueryBody, type QueryState } from "./query-body";
import { ActionsTH, TBody, TD, TH, THead, TR, Table } from "./table";

/** What cells and the dialog may do to the section. */
export type SectionApi<Row> = {
  /** Opens the dialog for a row. */
  edit: (row: Row) => void;
  /** Says what changed in the status line and refreshes the list. */
  changed: (message: string) => Promise<void>;
};

export type Column<Row> = {
  header: ReactNode;
  cell: (row: Row, section: SectionApi<Row>) => ReactNode;
  /** Classes of the column's cells; `headerClassName` of its header. */
  className?: string;
  headerClassName?: string;
};

/** A row's button: its text and its accessible name, which names the row ("Delete Block cards"). */
export type RowButton = { label: string; name: string; icon?: ReactNode; iconOnly?: boolean; variant?: ButtonVariant };

/** A change to a row that is confirmed first. */
export type Confirmation = {
  title: string;
  body: ReactNode;
  confirmLabel: string;
  confirmVariant?: "danger" | "primary";
  confirmIcon?: ReactNode;
  /** Makes the change (a mutateAsync); its error stays in the dialog. */
  run: () => Promise<unknown>;
  /** The status line once it is done. */
  done: string;
};

export type RowAction<Row> = {
  /** The button for a row, or null where the row has none (a built-in provider, a revoked key). */
  button: (row: Row) => RowButton | null;
} & ({ edit: true } | { confirm: (row: Row) => Confirmation; mutation: ConfirmMutation });

/** What the dialog slot gets: the row being edited (null for a new one) and how to finish. */
export type DialogSlot<Row> = SectionApi<Row> & {
  row: Row | null;
  open: boolean;
  close: () => void;
  /** changed(message), then close. */
  saved: (message: string) => Promise<void>;
};

type Props<Row> = {
  /** The card's heading (h2), its description, and its id (an anchor). */
  title: ReactNode;
  description?: ReactNode;
  id?: string;
  /** For a list that is the page: the page's header (h1), with the create button, and a note under it. */
  page?: { eyebrow?: ReactNode; title: string; description: ReactNode; note?: ReactNode };
  /** "Add guardrail": opens the dialog without a row; shown only when `canCreate`. */
  createLabel?: string;
  canCreate?: boolean;
  query: QueryState<Row[]>;
  /** For the loading and error states: "Loading {what}…", "Could not load the {what}". */
  what: string;
  /** Queries a change makes stale (the list's, and any other that shows what changed). */
  invalidates: QueryKey[];
  empty?: { icon: ReactNode; title: string; description?: ReactNode };
  caption: string;
  columns: Column<Row>[];
  rowKey: (row: Row) => string;
  rowClassName?: (row: Row) => string | undefined;
  /** The row actions column; leave empty for those who may not change anything. */
  actions?: RowAction<Row>[];
  /** Shown above the list (e.g. why a change from a cell failed). */
  notice?: ReactNode;
  /** The create/edit dialog, always rendered (a closed dialog shows nothing), so it returns focus when it closes. */
  dialog?: (slot: DialogSlot<Row>) => ReactNode;
};

export function CrudSection<Row>(props: Props<Row>) {
  const {
    title,
    description,
    page,
    createLabel,
    canCreate = false,
    query,
    what,
    empty,
    caption,
    columns,
    rowKey,
    rowClassName,
    actions = [],
    notice,
    dialog,
  } = props;
  const queryClient = useQueryClient();
  const generatedId = useId();
  const titleId = `${props.id ?? generatedId}-title`;
  const [editing, setEditing] = useState<{ row: Row | null } | null>(null);
  const [confirming, setConfirming] = useState<{ confirmation: Confirmation; mutation: ConfirmMutation } | null>(null);
  const [status, setStatus] = useState("");

  const changed = async (message: string) => {
    setStatus(message);
    await Promise.all(props.invalidates.map((queryKey) => queryClient.invalidateQueries({ queryKey })));
  };
  const section: SectionApi<Row> = { edit: (row) => setEditing({ row }), changed };
  const close = () => setEditing(null);

  function act(action: RowAction<Row>, row: Row) {
    if ("edit" in action) return setEditing({ row });
    setConfirming({ confirmation: action.confirm(row), mutation: action.mutation });
  }
  function confirm({ confirmation }: { confirmation: Confirmation }) {
    confirmation.run().then(
      async () => {
        await changed(confirmation.done);
        setConfirming(null);
      },
      // The mutation's error is shown in the dialog.
      () => undefined,
    );
  }

  const createButton =
    canCreate && createLabel ? (
      <Button variant="primary" size={page ? "md" : "sm"} icon={<PlusIcon />} onClick={() => setEditing({ row: null })}>
        {createLabel}
      </Button>
    ) : null;
  const shown = confirming?.confirmation;

  return (
    <>
      {page ? (
        <>
          <PageHeader eyebrow={page.eyebrow} title={page.title} description={page.description} actions={createButton} />
          {page.note ? <p className="-mt-3 mb-4 text-xs text-zinc-500">{page.note}</p> : null}
        </>
      ) : null}
      <SectionCard id={props.id} titleId={titleId} title={title} description={description} status={status} actions={page ? null : createButton}>
        {notice ? <div className="px-4 pt-3">{notice}</div> : null}
        <QueryBody
          query={query}
          what={what}
          empty={empty ? <EmptyState icon={empty.icon} title={empty.title} description={empty.description} action={createButton} /> : undefined}
        >
          {(rows) => (
            <Table caption={caption}>
              <THead>
                <TR>
                  {columns.map((column, i) => (
                    <TH key={i} className={column.headerClassName}>
                      {column.header}
                    </TH>
                  ))}
                  {actions.length ? <ActionsTH /> : null}
                </TR>
              </THead>
              <TBody>
                {rows.map((row) => (
                  <TR key={rowKey(row)} className={rowClassName?.(row)}>
                    {columns.map((column, i) => (
                      <TD key={i} className={column.className}>
                        {column.cell(row, section)}
                      </TD>
                    ))}
                    {actions.length ? (
                      <TD className="text-right whitespace-nowrap">
                        <span className="inline-flex gap-1">
                          {actions.map((action, i) => {
                            const button = action.button(row);
                            return button ? (
                              <Button
                                key={i}
                                size="sm"
                                variant={button.variant ?? "ghost"}
                                className={button.iconOnly ? "px-1.5" : undefined}
                                icon={button.icon}
                                aria-label={button.name}
                                onClick={() => act(action, row)}
                              >
                                {button.iconOnly ? null : button.label}
                              </Button>
                            ) : null;
                          })}
                        </span>
                      </TD>
                    ) : null}
                  </TR>
                ))}
              </TBody>
            </Table>
          )}
        </QueryBody>
      </SectionCard>
      {dialog?.({ ...section, row: editing?.row ?? null, open: editing !== null, close, saved: (message) => changed(message).then(close) })}
      {actions.some((action) => "confirm" in action) ? (
        <ConfirmDialog
          open={confirming !== null}
          onClose={() => setConfirming(null)}
          title={shown?.title ?? ""}
          confirmLabel={shown?.confirmLabel ?? ""}
          confirmVariant={shown?.confirmVariant}
          confirmIcon={shown?.confirmIcon}
          onConfirm={() => confirming && confirm(confirming)}
          mutation={confirming?.mutation}
        >
          {shown?.body}
        </ConfirmDialog>
      ) : null}
    </>
  );
}

/**
 * A card whose header has a heading (it names the card as a region), a description, a status line
 * (a polite live region, present from the start so changes are announced) and actions.
 */
export function SectionCard({
  id,
  titleId,
  title,
  description,
  status,
  actions,
  children,
}: {
  id?: string;
  /** Default: `${id}-title`. */
  titleId?: string;
  title: ReactNode;
  description?: ReactNode;
  status?: string;
  actions?: ReactNode;
  children: ReactNode;
}) {
  const headingId = titleId ?? `${id}-title`;
  return (
    <Card id={id} aria-labelledby={headingId} className="scroll-mt-4">
      <div className="flex flex-wrap items-start justify-between gap-x-4 gap-y-2 border-b border-zinc-200 px-4 py-3">
        <div className="max-w-3xl min-w-0">
          <h2 id={headingId} className="text-sm font-semibold text-zinc-900">
            {title}
          </h2>
          {description ? <div className="mt-0.5 text-[13px] text-zinc-500">{description}</div> : null}
        </div>
        <div className="flex shrink-0 items-center gap-3">
          <p role="status" className="text-xs text-emerald-700">
            {status}
          </p>
          {actions}
        </div>
      </div>
      {children}
    </Card>
  );
}

/**
 * A create/edit dialog around a form: Cancel and the submit button (spinning while `pending`).
 * The form is rendered only while the dialog is open, so each opening starts from the row (or the
 * defaults) it is given.
 */
export function FormDialog({
  open,
  onClose,
  title,
  description,
  size,
  submitLabel,
  pending,
  children,
}: {
  open: boolean;
  onClose: () => void;
  title: string;
  description?: ReactNode;
  size?: "sm" | "md" | "lg";
  submitLabel: string;
  pending: boolean;
  children: (formId: string) => ReactNode;
}) {
  const formId = useId();
  return (
    <Dialog
      open={open}
      onClose={onClose}
      title={title}
      description={description}
      size={size}
      footer={
        <>
          <Button onClick={onClose}>Cancel</Button>
          <Button variant="primary" type="submit" form={formId} loading={pending}>
            {submitLabel}
          </Button>
        </>
      }
    >
      {children(formId)}
    </Dialog>
  );
}

/** A dialog form's props: its id (the footer's submit button names it) and what saving does. */
export type FormProps<Input> = { formId: string; save: (input: Input) => Promise<unknown> };

type ActionOptions<Row> = { iconOnly?: boolean; /** Rows without the button (a built-in provider). */ unless?: (row: Row) => boolean };

/** "Edit": opens the dialog for the row. `name` names the row in the button's accessible name. */
export function editAction<Row>(name: (row: Row) => string, { iconOnly = false, unless }: ActionOptions<Row> = {}): RowAction<Row> {
  return {
    edit: true,
    button: (row) => (unless?.(row) ? null : { label: "Edit", name: `Edit ${name(row)}`, icon: <PencilIcon size={iconOnly ? 14 : 12} />, iconOnly }),
  };
}

/** "Delete", confirmed first. */
export function deleteAction<Row>(
  name: (row: Row) => string,
  mutation: ConfirmMutation,
  confirm: (row: Row) => Confirmation,
  { iconOnly = false, unless }: ActionOptions<Row> = {},
): RowAction<Row> {
  return {
    mutation,
    confirm,
    button: (row) =>
      unless?.(row) ? null : { label: "Delete", name: `Delete ${name(row)}`, icon: <TrashIcon size={iconOnly ? 14 : 12} />, iconOnly, variant: "danger-ghost" },
  };
}
