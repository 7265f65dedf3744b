import type { IncomingMessage } from 'node:http';
import type { RequestView } from '@bulwark/core';
import { nodeRequestView } from './request-view.js';

/** Every Content-Type field of the request joined by `, ` when there are several, else undefined. */
function repeatedContentType(req: IncomingMessage): string | undefined {
  const raw = req.rawHeaders;
  const values: string[] = [];
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i] as string;
    if (name.length === 12 && name.toLowerCase() === 'content-type') values.push(raw[i + 1] as string);
  }
  return values.length > 1 ? values.join(', ') : undefined;
}

/** A view whose `content-type` is every field joined, as Web `Headers` would give it. */
class AllContentTypesView implements RequestView {
  readonly #inner: RequestView;
  readonly #contentType: string;

  constructor(inner: RequestView, contentType: string) {
    this.#inner = inner;
    this.#contentType = contentType;
  }

  get method(): string {
    return this.#inner.method;
  }

  get path(): string {
    return this.#inner.path;
  }

  get clientIp(): string | undefined {
    return this.#inner.clientIp;
  }

  header(name: string): string | undefined {
    return name.toLowerCase() === 'content-type' ? this.#contentType : this.#inner.header(name);
  }
}

/**
 * The RequestView `validate()` checks a request with. Node keeps only the first of two
 * Content-Type fields (`req.headers` drops the rest), where Web `Headers` join them: this
 * view joins them too, from `req.rawHeaders`, so the validator sees the repeat and refuses
 * it with 400 on every framework, instead of reading a body as a type the client may not
 * have meant.
 *
 * @example
 * ```ts
 * const view = nodeValidationView(req, { url: req.url }); // Express: req.originalUrl
 * ```
 */
export function nodeValidationView(req: IncomingMessage, options: { url?: string | undefined } = {}): RequestView {
  const view = nodeRequestView(req, options);
  const contentType = repeatedContentType(req);
  return contentType === undefined ? view : new AllContentTypesView(view, contentType);
}
