"use server";
/** The app shell's sign-out form (components/shell/sign-out-button.tsx is handed it by the layouts). */
import { signOut } from "./index";

export async function signOutAction(): Promise<void> {
  await signOut({ redirectTo: "/" });
}
