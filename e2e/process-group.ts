import type { ChildProcess } from "node:child_process";

/**
 * Stops a detached child's whole process group (`next dev` runs the app in a child process of its own): SIGTERM, then
 * SIGKILL after 10 s. Resolves once the child has exited; a child already gone is left alone.
 */
export async function stopProcessGroup(child: ChildProcess | null): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once("exit", r));
  const signal = (s: NodeJS.Signals) => {
    try {
      process.kill(-child.pid!, s);
    } catch {
      // already gone
    }
  };
  signal("SIGTERM");
  const timer = setTimeout(() => signal("SIGKILL"), 10_000);
  await exited;
  clearTimeout(timer);
}
