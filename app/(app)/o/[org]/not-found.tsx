import { NotFoundPanel } from "@/components/shell/not-found-panel";

export default function OrgNotFound() {
  return <NotFoundPanel />;
}
