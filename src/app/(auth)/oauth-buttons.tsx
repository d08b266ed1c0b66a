import { signIn } from "@/server/auth";
import { buttonClass } from "@/components/ui/button";
import { afterSignInPath } from "@/lib/home";

/** OAuth sign-in, shown only for providers whose keys are configured. */
export function OAuthButtons({ providers, callbackUrl }: { providers: { github: boolean; google: boolean }; callbackUrl: string }) {
  const enabled = (["github", "google"] as const).filter((p) => providers[p]);
  if (!enabled.length) return null;
  const label = { github: "Continue with GitHub", google: "Continue with Google" };
  return (
    <div className="mt-6 space-y-2">
      {enabled.map((p) => (
        <form
          key={p}
          action={async () => {
            "use server";
            await signIn(p, { redirectTo: afterSignInPath(callbackUrl) });
          }}
        >
          <button type="submit" className={buttonClass("secondary", "md", "w-full")}>
            {label[p]}
          </button>
        </form>
      ))}
      <div className="flex items-center gap-3 pt-2 text-xs text-slate-400" aria-hidden="true">
        <span className="h-px flex-1 bg-slate-200" /> or with email <span className="h-px flex-1 bg-slate-200" />
      </div>
    </div>
  );
}
