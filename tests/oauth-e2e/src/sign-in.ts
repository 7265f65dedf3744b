import { formBody, type HtmlForm, parseForms } from './html-form.js';

/** The sign-in page the authorization endpoint answered, ready to be submitted. */
export interface SignInPage {
  readonly response: Response;
  readonly form: HtmlForm;
  /** The cookies the page set, as a browser would send them back (`name=value; ...`). */
  readonly cookies: string;
}

/** GETs the authorization URL like a browser's navigation and finds the form with a `password` field. */
export async function openSignIn(authorizationUrl: URL): Promise<SignInPage> {
  const response = await fetch(authorizationUrl, { redirect: 'manual', headers: { accept: 'text/html' } });
  const html = await response.text();
  if (response.status !== 200) {
    throw new Error(`GET ${authorizationUrl.pathname} answered ${response.status}, expected the sign-in form`);
  }
  const form = parseForms(html, new URL(response.url || authorizationUrl.href)).find((f) =>
    f.inputs.some((input) => input.name === 'password'),
  );
  if (form === undefined) throw new Error('the sign-in page has no form with a password field');
  const cookies = response.headers
    .getSetCookie()
    .map((line) => line.split(';')[0]?.trim() ?? '')
    .filter(Boolean)
    .join('; ');
  return { response, form, cookies };
}

/**
 * Submits the sign-in form as a browser does: the form's own fields (its CSRF defence
 * included), the typed email and password, the page's cookies, and the `Origin` of a
 * same-origin form post. Redirects are not followed: the caller checks the 303.
 */
export async function submitSignIn(page: SignInPage, email: string, password: string): Promise<Response> {
  if (page.form.method !== 'post') throw new Error(`the sign-in form's method is ${page.form.method}, expected post`);
  const headers: Record<string, string> = {
    'content-type': 'application/x-www-form-urlencoded',
    origin: page.form.action.origin,
    accept: 'text/html',
  };
  if (page.cookies !== '') headers.cookie = page.cookies;
  return fetch(page.form.action, {
    method: 'POST',
    redirect: 'manual',
    headers,
    body: formBody(page.form, { email, password }),
  });
}

/** Opens the sign-in page of `authorizationUrl` and signs in: the answer to the form post. */
export async function signIn(authorizationUrl: URL, email: string, password: string): Promise<Response> {
  return submitSignIn(await openSignIn(authorizationUrl), email, password);
}
