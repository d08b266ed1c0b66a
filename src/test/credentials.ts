/** Signing in through Auth.js's Credentials route in tests, as a browser posts the form. */

export const AUTH = "http://localhost:3000/api/auth";
export const SESSION_COOKIE = "authjs.session-token";

/** A response's Set-Cookie headers as "name=value" pairs (what a browser sends back). */
export const firstCookies = (res: Response) => res.headers.getSetCookie().map((c) => c.split(";")[0]!);

/** Auth.js's route handlers (`handlers` from @/server/auth), imported by each test after its next/headers mock. */
export interface AuthHandlers {
  GET(req: never): Promise<Response>;
  POST(req: never): Promise<Response>;
}

export interface PostCredentialsOptions {
  /** Request headers besides the form's content type (user-agent, x-forwarded-for). */
  headers?: Record<string, string>;
  /** Cookies the browser holds besides the CSRF cookie ("name=value"). */
  cookies?: string[];
  /** Runs the POST as the route handler does (`answerSignInRequest`); without it, Auth.js's POST alone. */
  around?: (post: () => Promise<Response>) => Promise<Response>;
}

/**
 * POST /api/auth/callback/credentials with a fresh CSRF token and `fields` (email, password, code…): the response,
 * its cookies, and the session cookie it set (null when none was set or it was cleared).
 */
export async function postCredentials(handlers: AuthHandlers, fields: Record<string, string>, opts: PostCredentialsOptions = {}) {
  const csrf = await handlers.GET(new Request(`${AUTH}/csrf`) as never);
  const { csrfToken } = (await csrf.json()) as { csrfToken: string };
  const post = () =>
    handlers.POST(
      new Request(`${AUTH}/callback/credentials`, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded", ...opts.headers, cookie: [...firstCookies(csrf), ...(opts.cookies ?? [])].join("; ") },
        body: new URLSearchParams({ csrfToken, callbackUrl: "/dashboard", ...fields }),
      }) as never,
    );
  const res = await (opts.around ? opts.around(post) : post());
  const cookies = firstCookies(res);
  const session = cookies.find((c) => c.startsWith(`${SESSION_COOKIE}=`) && c !== `${SESSION_COOKIE}=`) ?? null;
  return { res, cookies, session };
}
