/** The IPC messages between http.bench.ts (or http-stack.bench.ts) and a server process. */
export type ChildMessage =
  | { readonly type: 'ready'; readonly port: number }
  | { readonly type: 'failed'; readonly message: string }
  | { readonly type: 'cpu'; readonly micros: number };
export type ParentMessage = { readonly type: 'cpu' } | { readonly type: 'exit' };
