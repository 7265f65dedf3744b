import { type Clock, type RespondDecision, respond, systemClock } from '@bulwark/core';
import { LOCKED_DETAIL } from '@bulwark/lockout';
import type { AuthorizationServer, AuthorizeVerdict, OAuthParams } from '@bulwark/tokens';
import { type SignInClient, type SignInDeps, signIn } from '../auth/signin.js';
import type { Answer } from '../domain/notes.js';
import { REQUEST_FIELDS, type RequestFields, SIGNIN_COOKIE, SIGNIN_TTL_MS, type SigninCsrf } from './csrf.js';
import { errorPage, signinPage } from './page.js';
import { REDIRECT_ORIGINS } from './server.js';

/** The one message of a failed sign-in on the form: the same for an unknown email and a wrong password. */
export const SIGNIN_FAILED = 'The email or password is incorrect.';

/** What the sign-in form posts (every field optional here: the handler answers a missing one with a page). */
export type SigninForm = Partial<Record<(typeof REQUEST_FIELDS)[number] | 'csrf' | 'email' | 'password', string>>;

/**
 * The query as OAuth reads it: a parameter given once is a string, one given more often
 * an array (the library refuses those), so that nothing is silently dropped or merged.
 */
export function oauthParams(rawQuery: string): OAuthParams {
  const params: Record<string, string | string[]> = Object.create(null);
  for (const [name, value] of new URLSearchParams(rawQuery)) {
    const seen = params[name];
    params[name] = seen === undefined ? value : Array.isArray(seen) ? [...seen, value] : [seen, value];
  }
  return params;
}

/** The authorization request's own parameters, each given once (after `authorize` said `ok`). */
function requestFields(params: OAuthParams | SigninForm): RequestFields {
  const fields: RequestFields = {};
  for (const name of REQUEST_FIELDS) {
    const value = params[name];
    if (typeof value === 'string') fields[name] = value;
  }
  return fields;
}

/**
 * The library's phrase as a sentence: `the client is not registered` -> `The client is not
 * registered.`; one that starts with a parameter name keeps its spelling (`redirect_uri is
 * required` -> `The redirect_uri parameter is required.`).
 */
const sentence = (phrase: string) => {
  const [first = '', ...rest] = phrase.split(' ');
  if (first.includes('_')) return `The ${first} parameter ${rest.join(' ')}.`;
  return `${phrase.charAt(0).toUpperCase()}${phrase.slice(1)}.`;
};

export interface OAuthHandlerDeps {
  readonly server: AuthorizationServer;
  /** The users, the hasher and the lockout, shared with `/auth/login`. */
  readonly signIns: SignInDeps;
  readonly csrf: SigninCsrf;
  /** `Secure` on the sign-in cookie: when the issuer is https. */
  readonly secureCookie: boolean;
  readonly clock?: Clock | undefined;
}

/** `GET` and `POST /oauth/authorize`, `POST /oauth/token` and the RFC 8414 metadata. */
export function oauthHandlers(deps: OAuthHandlerDeps) {
  const { server, csrf } = deps;
  const clock = deps.clock ?? systemClock;
  const cookie = (nonce: string) =>
    // No Path: it defaults to the form's directory (/oauth), wherever a proxy mounts the demo.
    `${SIGNIN_COOKIE}=${nonce}; Max-Age=${SIGNIN_TTL_MS / 1000}; HttpOnly; SameSite=Strict${deps.secureCookie ? '; Secure' : ''}`;

  /** The sign-in page for a checked request, bound to this browser's nonce. */
  const page = (
    fields: RequestFields,
    clientId: string,
    nonce: string | undefined,
    status: number,
    failed?: { readonly email: string; readonly error: string; readonly retryAfter?: number },
  ) => {
    const browser = csrf.nonce(nonce);
    return signinPage(
      {
        clientId,
        fields,
        csrf: csrf.sign(browser.value, fields, clock.now()),
        ...(failed === undefined ? {} : { email: failed.email, error: failed.error }),
      },
      status,
      REDIRECT_ORIGINS,
      [
        ['set-cookie', cookie(browser.value)],
        ...(failed?.retryAfter === undefined ? [] : [['retry-after', String(failed.retryAfter)] as const]),
      ],
    );
  };

  /** A verdict that is not `ok`: an error page for an untrusted client or redirect URI, else a 303 back to it. */
  const refusal = (verdict: Exclude<AuthorizeVerdict, { kind: 'ok' }>): RespondDecision =>
    verdict.kind === 'redirect'
      ? respond(303, [['location', verdict.location]])
      : errorPage(400, 'This sign-in request is not valid', sentence(verdict.description), REDIRECT_ORIGINS);

  return {
    /** The authorization endpoint: the sign-in page, an error page or a redirect with `error` (RFC 6749 §4.1.2.1). */
    authorize(rawQuery: string, signinCookie: string | undefined): Answer {
      const params = oauthParams(rawQuery);
      const verdict = server.authorize(params);
      if (verdict.kind !== 'ok') return refusal(verdict);
      return page(requestFields(params), verdict.request.clientId, signinCookie, 200);
    },

    /**
     * The sign-in form's post: the CSRF token first (no password is checked for a forged
     * or stale form), then the request again (as signed), then the password exactly as
     * `/auth/login` checks it, under the same lockout. A failure re-renders the page with
     * one generic message, status 400 (a 401 would need a `WWW-Authenticate` challenge, and a
     * form is none); locked, the page again with the lockout's words, 429 and `Retry-After`
     * (a page, not problem+json: a person reads this answer in a browser).
     */
    async signIn(form: SigninForm, signinCookie: string | undefined, client: SignInClient): Promise<Answer> {
      const fields = requestFields(form);
      if (!csrf.verify(form.csrf, signinCookie, fields, clock.now())) {
        return errorPage(
          403,
          'This sign-in form has expired',
          'The form was older than 10 minutes, or it was not served to this browser.',
          REDIRECT_ORIGINS,
        );
      }
      const verdict = server.authorize(fields);
      if (verdict.kind !== 'ok') return refusal(verdict);
      const email = form.email ?? '';
      const outcome = await signIn(deps.signIns, email, form.password ?? '', client);
      const { clientId } = verdict.request;
      if (outcome.kind === 'locked') {
        return page(fields, clientId, signinCookie, 429, {
          email,
          error: LOCKED_DETAIL,
          retryAfter: outcome.retryAfter,
        });
      }
      if (outcome.kind === 'failed') return page(fields, clientId, signinCookie, 400, { email, error: SIGNIN_FAILED });
      return server.approve(verdict.request, outcome.user.id, outcome.user.scopes);
    },

    /** The token endpoint: the library's RFC 6749 §5.1 / §5.2 answer, as is. */
    token: (form: OAuthParams, authorization: string | undefined): Promise<Answer> => server.token(form, authorization),

    /** RFC 8414 metadata. */
    metadata: (): Answer => ({ status: 200, body: server.metadata() }),
  };
}

export type OAuthHandlers = ReturnType<typeof oauthHandlers>;
