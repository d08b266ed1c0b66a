/**
 * The app under test: a production build (`next build`, reused when `.next/BUILD_ID` is newer than every input) served
 * by `next start` as a child process on a free port, with its output in a log file.
 *
 * BENCH_BUILD=1 always builds, BENCH_BUILD=0 never does (fails if there is no build).
 * BENCH_CPU_PROF=<dir> runs the server with `--cpu-prof --cpu-prof-dir=<dir>` (one .cpuprofile per process on exit).
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";

const ROOT = process.cwd();
const NEXT_BIN = path.join(ROOT, "node_modules", "next", "dist", "bin", "next");
const BUILD_INPUTS = ["src", "public", "next.config.ts", "package.json", "package-lock.json", "tsconfig.json", "postcss.config.mjs"];

function newestMtime(p: string): number {
  let st: fs.Stats;
  try {
    st = fs.statSync(p);
  } catch {
    return 0;
  }
  if (!st.isDirectory()) return st.mtimeMs;
  let newest = st.mtimeMs;
  for (const entry of fs.readdirSync(p)) newest = Math.max(newest, newestMtime(path.join(p, entry)));
  return newest;
}

/** Why a build is needed, or null when `.next` is up to date. */
export function buildNeeded(): string | null {
  if (process.env.BENCH_BUILD === "1") return "BENCH_BUILD=1";
  let built: number;
  try {
    built = fs.statSync(path.join(ROOT, ".next", "BUILD_ID")).mtimeMs;
  } catch {
    return "no production build yet";
  }
  if (process.env.BENCH_BUILD === "0") return null;
  const stale = BUILD_INPUTS.find((p) => newestMtime(path.join(ROOT, p)) > built);
  return stale ? `${stale} changed since the last build` : null;
}

/** Builds when needed; returns the build time in seconds (0 when the existing build was reused). */
export function ensureBuild(): number {
  const why = buildNeeded();
  if (!why) {
    console.log("reusing .next (BUILD_ID newer than src/ and config)");
    return 0;
  }
  if (process.env.BENCH_BUILD === "0") throw new Error(`no usable build (${why}) and BENCH_BUILD=0`);
  console.log(`building (${why}): next build ...`);
  const t0 = performance.now();
  const env: NodeJS.ProcessEnv = { ...process.env, NODE_ENV: "production", NEXT_TELEMETRY_DISABLED: "1" };
  delete env.NODE_OPTIONS;
  const r = spawnSync(process.execPath, [NEXT_BIN, "build"], { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"], encoding: "utf8" });
  const sec = (performance.now() - t0) / 1000;
  if (r.status !== 0) {
    const log = path.join(os.tmpdir(), "tradsy-bench-build.log");
    fs.writeFileSync(log, `${r.stdout}\n${r.stderr}`);
    throw new Error(`next build failed after ${sec.toFixed(0)} s (exit ${r.status}); output in ${log}`);
  }
  console.log(`built in ${sec.toFixed(1)} s`);
  return sec;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

export interface RunningServer {
  url: string;
  pid: number;
  log: string;
  stop(): Promise<void>;
}

/** Starts `next start` with `env` (on top of a clean PATH/HOME) and waits until `readyPath` answers 200 to a POST. */
export async function startServer(env: Record<string, string>, readyPath: string): Promise<RunningServer> {
  const port = await freePort();
  const log = path.join(os.tmpdir(), `tradsy-bench-server-${port}.log`);
  const out = fs.openSync(log, "w");
  const nodeArgs: string[] = [];
  if (process.env.BENCH_CPU_PROF) {
    fs.mkdirSync(process.env.BENCH_CPU_PROF, { recursive: true });
    nodeArgs.push("--cpu-prof", `--cpu-prof-dir=${path.resolve(process.env.BENCH_CPU_PROF)}`);
  }
  // A clean environment: only what the app needs, so the developer's shell (DATABASE_URL, NODE_OPTIONS…) cannot leak in.
  // APP_URL: production refuses to start without it; the server's own address unless the caller gives another.
  const childEnv: NodeJS.ProcessEnv = { NODE_ENV: "production", PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? os.tmpdir(), NEXT_TELEMETRY_DISABLED: "1", APP_URL: `http://127.0.0.1:${port}` };
  Object.assign(childEnv, env);
  const child: ChildProcess = spawn(process.execPath, [...nodeArgs, NEXT_BIN, "start", "-p", String(port), "-H", "127.0.0.1"], {
    cwd: ROOT,
    env: childEnv,
    stdio: ["ignore", out, out],
  });
  fs.closeSync(out);
  const url = `http://127.0.0.1:${port}`;
  let exited: string | null = null;
  const exit = new Promise<void>((resolve) => child.once("exit", (code, signal) => ((exited = `exit ${code ?? signal}`), resolve())));

  const stop = async () => {
    if (exited) return;
    child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
    await exit;
    clearTimeout(timer);
  };

  const deadline = Date.now() + 60_000;
  for (;;) {
    if (exited) throw new Error(`next start stopped (${exited}) before answering; see ${log}`);
    try {
      const res = await fetch(url + readyPath, { method: "POST", body: "ready?" });
      await res.text();
      if (res.ok) break;
      if (Date.now() > deadline) throw new Error(`${readyPath} answers ${res.status}`);
    } catch (err) {
      if (Date.now() > deadline) {
        await stop();
        throw new Error(`next start did not answer within 60 s (${(err as Error).message}); see ${log}`);
      }
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return { url, pid: child.pid!, log, stop };
}
