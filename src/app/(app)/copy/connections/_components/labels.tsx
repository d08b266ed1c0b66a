import { Badge } from "@/components/ui/card";
import type { ConnectionItem } from "./types";

const STATUS: Record<ConnectionItem["status"], { text: string; tone: "green" | "red" | "amber" | "slate" }> = {
  active: { text: "Active", tone: "green" },
  error: { text: "Not working", tone: "red" },
  unverified: { text: "Checking", tone: "slate" },
  removing: { text: "Closing copies, then removed", tone: "amber" },
  removed: { text: "Removed", tone: "slate" },
};

export function StatusBadge({ status }: { status: ConnectionItem["status"] }) {
  const s = STATUS[status];
  return <Badge tone={s.tone}>{s.text}</Badge>;
}

export function AccountBadge({ sandbox }: { sandbox: boolean }) {
  return sandbox ? <Badge tone="brand">Sandbox</Badge> : <Badge tone="amber">Live account</Badge>;
}

/** The key as a page may show it: its first 4 characters, then dots. */
export const keyHintText = (hint: string) => `${hint}••••`;

/** The exchange's display name from the supported list, or its id. */
export const exchangeName = (id: string, names: ReadonlyMap<string, string>) => names.get(id) ?? id;
