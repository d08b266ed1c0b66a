/**
 * `/api/ready` and `/api/health`. Readiness is 503, with the database check marked down, in a real process whose
 * DATABASE_URL points at nothing; 200 with every check up on the test database with the job runner polling.
 * Liveness never touches the database.
 */
import { spawn } from "node:child_process";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { useTestDatabase } from "@/test/db";
import { useFakeMarket } from "@/test/fake-market";
import { setDatabase } from "@/server/db";
import { inlineRunner } from "@/server/jobs/inline/runner";
import { GET as health } from "../health/route";
import { GET } from "./route";

const ROOT = path.resolve(import.meta.dirname, "../../../..");
const test = useTestDatabase();
useFakeMarket();

interface Answer {
  status: number;
  cacheControl: string | null;
  body: { status: string; checks: Record<string, { status: string; latencyMs: number; detail: string }> };
}

/** Runs src/test/ready-process.ts with `env` added; resolves with the answer it printed. */
function readyInProcess(env: Record<string, string>): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", "--conditions=react-server", "src/test/ready-process.ts"], {
      cwd: ROOT,
      env: { ...process.env, LOG_LEVEL: "silent", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    let err = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr.on("data", (d: Buffer) => (err += d.toString()));
    const timer = setTimeout(() => child.kill("SIGKILL"), 60_000);
    child.once("exit", (code) => {
      clearTimeout(timer);
      const line = out.trim().split("\n").at(-1);
      if (code !== 0 || !line) reject(new Error(`ready process exited ${code}: ${err}`));
      else resolve(JSON.parse(line) as Answer);
    });
  });
}

describe("/api/ready", () => {
  it("is 503 with the database down when DATABASE_URL points at nothing (a real process)", async () => {
    // Offline market data (recordings or the synthetic walk: no exchange is asked); the runner is never started here.
    const a = await readyInProcess({ DATABASE_URL: "postgres://postgres@127.0.0.1:1/nope", MARKET_EXCHANGE: "none", MARKET_DATA_DIR: "" });
    expect(a.status).toBe(503);
    expect(a.cacheControl).toBe("no-store");
    expect(a.body.status).toBe("unavailable");
    expect(a.body.checks.database).toMatchObject({ status: "down" });
    expect(a.body.checks.database!.latencyMs).toBeLessThan(5000);
    expect(Object.keys(a.body.checks).sort()).toEqual(["database", "jobs", "marketData"]);
    // Public: no address, credential or error detail.
    expect(JSON.stringify(a.body)).not.toMatch(/127\.0\.0\.1|postgres:\/\/|nope|ECONNREFUSED/);
  }, 90_000);

  describe("with the job runner polling", () => {
    const runner = inlineRunner();
    afterAll(() => runner.drain(1000));

    it("is 200 with every check up on the test database", async () => {
      runner.start();
      const res = await GET();
      expect(res.status).toBe(200);
      expect(res.headers.get("cache-control")).toBe("no-store");
      const body = (await res.json()) as Answer["body"];
      expect(body.status).toBe("ready");
      expect(Object.keys(body.checks).sort()).toEqual(["database", "jobs", "marketData"]);
      for (const check of Object.values(body.checks)) expect(check.status).toBe("up");
      expect(body.checks.jobs!.detail).toBe("inline");
    });
  });

  it("is 503 with the jobs check down when the inline runner is not polling", async () => {
    await inlineRunner().drain(1000);
    const res = await GET();
    expect(res.status).toBe(503);
    const body = (await res.json()) as Answer["body"];
    expect(body.checks.jobs).toMatchObject({ status: "down", detail: "the inline job runner is not running" });
    expect(body.checks.database!.status).toBe("up");
  });
});

describe("/api/health", () => {
  it("is 200 ok without touching the database", async () => {
    setDatabase(undefined); // any database access would now throw
    try {
      const res = health();
      expect(res.status).toBe(200);
      expect(res.headers.get("cache-control")).toBe("no-store");
      expect(await res.json()).toEqual({ status: "ok" });
    } finally {
      setDatabase(test.handle);
    }
  });
});
