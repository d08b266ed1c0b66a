/**
 * Per-test overrides of the validated env (`env.X` is read at call time, so a test can flip a setting such as
 * TRUSTED_PROXY_HOPS). Every override is undone after the test.
 */
import { afterEach } from "vitest";
import { env } from "@/env";

type Env = typeof env;

export function useEnvOverrides(): <K extends keyof Env>(key: K, value: Env[K]) => void {
  const target = env as unknown as Record<string, unknown>;
  const saved = new Map<string, unknown>();
  afterEach(() => {
    for (const [key, value] of saved) target[key] = value;
    saved.clear();
  });
  return (key, value) => {
    if (!saved.has(key as string)) saved.set(key as string, target[key as string]);
    target[key as string] = value;
  };
}

/**
 * `next dev` on `port` with no APP_URL and no trusted proxy: the set-up in which links must follow the address the
 * page was opened on (issue 11).
 */
export function devServerWithoutAppUrl(setEnv: ReturnType<typeof useEnvOverrides>, port: number): void {
  setEnv("NODE_ENV", "development");
  setEnv("APP_URL", undefined);
  setEnv("PORT", port);
  setEnv("TRUSTED_PROXY_HOPS", 0);
  setEnv("TRUST_PROXY", false);
}
