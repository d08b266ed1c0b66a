import { cn } from "@/components/ui/cn";

/** `action` is the sign-out server action (src/server/auth/sign-out.ts), passed down by the layout: components import no server code. */
export function SignOutButton({ action, className }: { action: () => Promise<void>; className?: string }) {
  return (
    <form action={action}>
      <button type="submit" className={cn("w-full rounded-md px-3 py-2 text-left text-sm text-slate-600 hover:bg-slate-100 hover:text-slate-900", className)}>
        Sign out
      </button>
    </form>
  );
}
