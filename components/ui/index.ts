// The UI primitives. Import from "@/components/ui".
export { Alert } from "./alert";
export { Badge, type BadgeTone } from "./badge";
export { Button, ButtonLink, buttonClasses } from "./button";
export { Card, CardBody, CardFooter, CardHeader } from "./card";
export { cn } from "./cn";
export { CopyField, useCopy } from "./copy-field";
export {
  CrudSection,
  deleteAction,
  editAction,
  FormDialog,
  SectionCard,
  type Column,
  type Confirmation,
  type FormProps,
  type RowAction,
  type SectionApi,
} from "./crud-section";
export { ConfirmDialog, Dialog, type ConfirmMutation } from "./dialog";
export { EmptyState } from "./empty-state";
export { Checkbox, Input, Select, Textarea } from "./field";
export { FormProblem } from "./form-problem";
export { Menu, type MenuSection } from "./menu";
export { PageHeader } from "./page-header";
export { QueryBody } from "./query-body";
export { ScrollArea } from "./scroll-area";
export { Spinner } from "./spinner";
export { Stat } from "./stat";
export { ActionsTH, TBody, TD, TH, THead, TR, Table } from "./table";
export { TabNav } from "./tab-nav";
export { Pagination } from "./pagination";
