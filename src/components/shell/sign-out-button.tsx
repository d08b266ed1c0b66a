import { signOut } from "@/server/auth";
import { cn } from "@/components/ui/cn";

export function SignOutButton({ className }: { className?: string }) {
  return (
    <form
      action={async () => {
        "use server";
        await signOut({ redirectTo: "/" });
      }}
    >
      <button type="submit" className={cn("w-full rounded-md px-3 py-2 text-left text-sm text-slate-600 hover:bg-slate-100 hover:text-slate-900", className)}>
        Sign out
      </button>
    </form>
  );
}
