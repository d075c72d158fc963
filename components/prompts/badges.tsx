// Small badges for prompts: the type, and a label (environment) with the version it points at.
// Production stands out, since it is what applications serve to users.
import { Badge } from "@/components/ui";
import { LockIcon } from "@/components/ui/icons";

export function TypeBadge({ type }: { type: "text" | "chat" }) {
  return (
    <Badge tone={type === "chat" ? "accent" : "neutral"} title={type === "chat" ? "Chat prompt: a list of messages" : "Text prompt: one template"}>
      {type === "chat" ? "Chat" : "Text"}
    </Badge>
  );
}

export function LabelBadge({ name, version, isProtected }: { name: string; version?: number | null; isProtected?: boolean }) {
  const production = name === "production";
  return (
    <Badge
      tone={production ? "success" : name === "latest" ? "outline" : "neutral"}
      className={production ? "font-semibold" : undefined}
      title={isProtected ? `${name} is protected` : undefined}
    >
      {isProtected ? <LockIcon size={10} aria-hidden="true" /> : null}
      {name}
      {version != null ? <span className="font-mono">v{version}</span> : null}
    </Badge>
  );
}
