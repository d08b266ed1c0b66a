import { cn } from "@/components/ui/cn";

/** Connection state of a live stream (tRPC subscription status), as a dot and a word. */
export function StreamStatus({ status, liveTitle }: { status: "idle" | "connecting" | "pending" | "error"; liveTitle?: string }) {
  const connected = status === "pending";
  return (
    <span className="inline-flex items-center gap-2 text-xs font-medium text-slate-600" title={connected ? liveTitle : undefined}>
      <span className="relative flex size-2" aria-hidden="true">
        {connected ? <span className="absolute inline-flex size-full animate-ping rounded-full bg-emerald-400 opacity-60 motion-reduce:animate-none" /> : null}
        <span className={cn("relative inline-flex size-2 rounded-full", connected ? "bg-emerald-500" : status === "error" ? "bg-red-500" : "bg-slate-300")} />
      </span>
      {connected ? "Live" : status === "error" ? "Reconnecting…" : "Connecting…"}
    </span>
  );
}
