/** Real server processes for crash tests: started with tsx, fed work, killed with SIGKILL. */
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import path from "node:path";
import readline from "node:readline";
import type { WorkerLine } from "./job-worker";

const ROOT = path.resolve(import.meta.dirname, "../..");

/** Every process started here that has not exited: what a test's afterAll kills if a failure left them running. */
const live = new Set<ChildProcessWithoutNullStreams>();

/** Runs a TypeScript file of this repository as the server would load it (tsx, the react-server condition). */
function spawnScript(script: string, args: readonly string[], env: NodeJS.ProcessEnv): ChildProcessWithoutNullStreams {
  const child = spawn(process.execPath, ["--import", "tsx", "--conditions=react-server", script, ...args], {
    cwd: ROOT,
    env,
    stdio: ["pipe", "pipe", "pipe"],
  });
  live.add(child);
  child.once("exit", () => live.delete(child));
  return child;
}

/** SIGKILLs every process started here that is still running, and waits for them to be gone. */
export async function killStrayProcesses(): Promise<void> {
  await Promise.all(
    [...live].map(async (child) => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
      child.kill("SIGKILL");
      await exited;
    }),
  );
}

export interface AlertProcess {
  /** Sends one alert; resolves with the outcome line when the process answers (never, if it is killed first). */
  send(token: string, body: string): Promise<unknown>;
  /** SIGKILL: no clean-up runs, its connections drop. */
  kill(): Promise<void>;
}

/** Starts `src/test/alert-process.ts` on the database at `databaseUrl`; resolves once it is ready for alerts. */
export async function startAlertProcess(databaseUrl: string): Promise<AlertProcess> {
  const child = spawnScript("src/test/alert-process.ts", [], { ...process.env, DATABASE_URL: databaseUrl, LOG_LEVEL: "silent" });
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

export interface JobWorker {
  pid: number;
  /**
   * The value `pick` returns for the first line it printed (already or to come; ./job-worker.ts describes them) that
   * `pick` accepts; rejects when the process exits first or `ms` pass.
   */
  waitFor<T>(what: string, pick: (line: WorkerLine) => T | undefined, ms?: number): Promise<T>;
  /** Resolves with its exit code (or the signal that ended it) once it has exited and its output is read. */
  readonly exited: Promise<string>;
  /** SIGKILL: no clean-up runs, its connections drop, its PGlite directory is left as a crash leaves it. */
  kill(): Promise<void>;
}

export interface JobWorkerOptions {
  /** 1 for the first process, 2 for its restart...: recorded with each step's execution. */
  generation: number;
  /** Steps of its job. */
  steps: number;
  /** A PostgreSQL URL, or a PGlite data directory (DATA_DIR) that no other process has open. */
  database: { url: string } | { dataDir: string };
  /** The runner's JOBS_LEASE_MS and JOBS_POLL_MS. */
  leaseMs: number;
  pollMs: number;
}

/** Starts `src/test/job-worker.ts`, a process running one job through the embedded runner. */
export function startJobWorker({ generation, steps, database, leaseMs, pollMs }: JobWorkerOptions): JobWorker {
  const env: NodeJS.ProcessEnv = { ...process.env, LOG_LEVEL: "silent", JOBS_LEASE_MS: String(leaseMs), JOBS_POLL_MS: String(pollMs) };
  if ("url" in database) env.DATABASE_URL = database.url;
  else {
    delete env.DATABASE_URL;
    env.DATA_DIR = database.dataDir;
  }
  const child = spawnScript("src/test/job-worker.ts", [String(generation), String(steps)], env);
  let stderr = "";
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  const lines: WorkerLine[] = [];
  const listeners = new Set<(line: WorkerLine) => void>();
  readline.createInterface({ input: child.stdout }).on("line", (text) => {
    let line: WorkerLine;
    try {
      line = JSON.parse(text) as WorkerLine;
    } catch {
      return; // not one of ours (a stray log line)
    }
    lines.push(line);
    for (const listener of listeners) listener(line);
  });
  // "close", not "exit": by then every line it printed has been read.
  let ended: string | undefined;
  const closed = new Promise<string>((resolve) =>
    child.once("close", (code, signal) => {
      ended = signal ?? String(code);
      resolve(ended);
    }),
  );
  return {
    pid: child.pid!,
    exited: closed,
    waitFor(what, pick, ms = 30_000) {
      return new Promise((resolve, reject) => {
        for (const line of lines) {
          const value = pick(line);
          if (value !== undefined) return resolve(value);
        }
        const finish = (fn: () => void) => {
          clearTimeout(timer);
          listeners.delete(listener);
          fn();
        };
        const listener = (line: WorkerLine) => {
          const value = pick(line);
          if (value !== undefined) finish(() => resolve(value));
        };
        const timer = setTimeout(() => finish(() => reject(new Error(`job worker ${generation}: timed out waiting for ${what}; stderr: ${stderr}`))), ms);
        listeners.add(listener);
        void closed.then(() => finish(() => reject(new Error(`job worker ${generation} exited (${ended}) before ${what}; stderr: ${stderr}`))));
      });
    },
    async kill() {
      if (ended === undefined) child.kill("SIGKILL");
      await closed;
    },
  };
}
