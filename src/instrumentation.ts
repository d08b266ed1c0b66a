export async function register() {
  if (process.env.NEXT_RUNTIME === "nodejs") {
    const { startServer } = await import("./server/startup");
    try {
      await startServer();
    } catch (err) {
      // A server that could not start (secrets or APP_URL missing, database unreachable, a migration failing) must
      // not listen: Next would otherwise answer every request with a 500. In development the error overlay shows it.
      if (process.env.NODE_ENV !== "production") throw err;
      console.error("Tradsy could not start:", err instanceof Error ? err.message : err);
      process.exit(1);
    }
  }
}
