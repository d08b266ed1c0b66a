/** Real server processes for crash tests: started with tsx, fed work, killed with SIGKILL. */
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import path from "node:path";
import readline from "node:readline";

const ROOT = path.resolve(import.meta.dirname, "../..");

export interface AlertProcess {
  /** Sends one alert; resolves with the outcome line when the process answers (never, if it is killed first). */
  send(token: string, body: string): Promise<unknown>;
  /** SIGKILL: no clean-up runs, its connections drop. */
  kill(): Promise<void>;
}

/** Starts `src/test/alert-process.ts` on the database at `databaseUrl`; resolves once it is ready for alerts. */
export async function startAlertProcess(databaseUrl: string): Promise<AlertProcess> {
  const child: ChildProcessWithoutNullStreams = spawn(process.execPath, ["--import", "tsx", "--conditions=react-server", "src/test/alert-process.ts"], {
    cwd: ROOT,
    env: { ...process.env, DATABASE_URL: databaseUrl, LOG_LEVEL: "silent" },
    stdio: ["pipe", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  const lines = readline.createInterface({ input: child.stdout });
  const waiting: ((line: unknown) => void)[] = [];
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const ready = new Promise<void>((resolve, reject) => {
    child.once("exit", (code) => reject(new Error(`alert process exited (${code}) before it was ready: ${stderr}`)));
    waiting.push(() => resolve());
  });
  lines.on("line", (line) => waiting.shift()?.(JSON.parse(line)));
  await ready;
  return {
    send(token, body) {
      const answered = new Promise<unknown>((resolve) => waiting.push(resolve));
      child.stdin.write(`${JSON.stringify({ token, body })}\n`);
      return answered;
    },
    async kill() {
      child.kill("SIGKILL");
      await exited;
    },
  };
}
