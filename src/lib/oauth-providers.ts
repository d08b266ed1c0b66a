/**
 * Which OAuth sign-ins are on: a provider counts as configured when both its id and its secret are set. One rule
 * for Auth.js (src/server/auth/config.ts, from the validated env) and for the page CSP (src/proxy.ts, from
 * process.env: the proxy does not load the env module), so the sign-in buttons and the policy cannot disagree.
 */

export interface OAuthProviders {
  github: boolean;
  google: boolean;
}

/** `vars`: the validated env or process.env (AUTH_GITHUB_ID/SECRET, AUTH_GOOGLE_ID/SECRET; empty counts as unset). */
export function oauthProvidersFrom(vars: { readonly [name: string]: unknown }): OAuthProviders {
  return {
    github: Boolean(vars.AUTH_GITHUB_ID && vars.AUTH_GITHUB_SECRET),
    google: Boolean(vars.AUTH_GOOGLE_ID && vars.AUTH_GOOGLE_SECRET),
  };
}

/**
 * Where each provider's sign-in sends the browser after our form posts to /api/auth/signin/<provider>: the form's
 * redirect lands there, so the page CSP's form-action must allow it.
 */
export const OAUTH_AUTHORIZE_ORIGINS: Record<keyof OAuthProviders, string> = {
  github: "https://github.com",
  google: "https://accounts.google.com",
};
