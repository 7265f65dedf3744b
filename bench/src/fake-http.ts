import type { IncomingMessage, ServerResponse } from 'node:http';

/** The smallest request both libraries accept: what Express hands a middleware. */
export function fakeRequest(method: string, url: string, headers: Record<string, string>): IncomingMessage {
  return { method, url, headers, socket: { remoteAddress: '127.0.0.1' } } as unknown as IncomingMessage;
}

/** A response that records headers in a Map, as cheap for both sides. */
export function fakeResponse(): ServerResponse & { reset(): void } {
  const headers = new Map<string, string | number | string[]>();
  const res = {
    statusCode: 200,
    setHeader(name: string, value: string | number | string[]) {
      headers.set(name.toLowerCase(), value);
      return res;
    },
    getHeader: (name: string) => headers.get(name.toLowerCase()),
    removeHeader: (name: string) => headers.delete(name.toLowerCase()),
    end() {},
    reset: () => headers.clear(),
  };
  return res as unknown as ServerResponse & { reset(): void };
}
