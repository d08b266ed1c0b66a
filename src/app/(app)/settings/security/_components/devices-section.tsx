import { api } from "@/trpc/server";
import { DevicesPanel } from "./devices-panel";

/** Settings → Security → Signed-in devices: the caller's live sessions, read in process; signing out is the panel's. */
export async function DevicesSection() {
  const caller = await api();
  const sessions = await caller.sessions.list();
  return <DevicesPanel sessions={sessions} />;
}
