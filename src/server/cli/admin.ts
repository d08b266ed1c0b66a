/**
 * Operator commands for accounts: `npm run admin:reset-2fa -- <email>` turns off an account's two-factor sign-in
 * (an admin who lost their device when no other admin can reset it from the admin area). Audited as
 * two_factor.reset with no actor and `data.by: "operator"`; the account's owner gets the security alert email.
 * Uses the app's database (DATABASE_URL, else PGlite: stop `npm run dev` first, PGlite allows one process).
 */
import "server-only";
import { getDatabase } from "@/server/db";
import { refusalOf } from "@/server/errors";
import { systemContext } from "@/server/services/context";
import { operatorResetTwoFactor } from "@/server/services/auth/two-factor";

const USAGE = "Usage: admin.ts reset-2fa <email>";

/** Runs one command; the exit code. Exported for the test, which calls it against the test database. */
export async function runAdminCommand(args: readonly string[], out: Pick<Console, "log" | "error"> = console): Promise<number> {
  const [command, email, ...rest] = args;
  if (command !== "reset-2fa" || !email || rest.length) {
    out.error(USAGE);
    return 2;
  }
  try {
    const { userId } = await operatorResetTwoFactor(systemContext(), email);
    out.log(`Two-factor sign-in turned off for ${email} (${userId}). They can sign in with their password and turn it on again.`);
    return 0;
  } catch (err) {
    const refused = refusalOf(err);
    if (!refused) throw err;
    out.error(refused.message);
    return 1;
  }
}

async function main(): Promise<number> {
  const handle = await getDatabase();
  try {
    return await runAdminCommand(process.argv.slice(2));
  } finally {
    await handle.close();
  }
}

// Only when run as a script (`tsx src/server/cli/admin.ts`), not when a test imports runAdminCommand.
if (process.argv[1]?.endsWith("cli/admin.ts")) {
  main().then(
    (code) => process.exit(code),
    (err: unknown) => {
      console.error(err instanceof Error ? err.message : err);
      process.exit(1);
    },
  );
}
