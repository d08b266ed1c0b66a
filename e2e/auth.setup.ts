/**
 * The `setup` project: signs each seeded demo account in once, through the sign-in form, and saves its browser
 * state for the journeys (`storageState(role)` in fixtures.ts), so they start signed in instead of each signing in
 * again. Journeys about new accounts still sign up through the form.
 */
import fs from "node:fs";
import path from "node:path";
import { DEMO, type DemoRole, signIn, storageState, test as setup } from "./fixtures";

for (const role of Object.keys(DEMO) as DemoRole[]) {
  setup(`sign in as the demo ${role}`, async ({ page }) => {
    fs.mkdirSync(path.dirname(storageState(role)), { recursive: true });
    await signIn(page, DEMO[role].email, DEMO[role].password, role === "admin" ? "/admin" : "/dashboard");
    await page.context().storageState({ path: storageState(role) });
  });
}
