import { api } from "@/trpc/server";
import { YourDataPanel } from "./your-data-panel";

/** Settings → Security → Your data: the download link and account deletion (the panel); the account read in process. */
export async function YourDataSection() {
  const caller = await api();
  const me = await caller.account.me();
  return <YourDataPanel email={me.email} hasPassword={me.hasPassword} isProvider={me.provider !== null} />;
}
