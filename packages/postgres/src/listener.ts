import type { ClientBase, Notification, Pool, PoolClient } from 'pg';
import { inSchema, type QuotedSchema } from './sql.js';

// The LISTEN side of a store's notification channel: one connection of its own (a
// connection that listens must stay open, so it is never given back to the pool), which
// forwards the channel's payloads in the order PostgreSQL delivers them (commit order).
// A lost connection is reported at once and opened again at the store's next tick.

/** Opens the connection to listen on: by default a client checked out of the store's pool for good. */
export type ListenerConnect = () => Promise<ClientBase>;

export interface NotificationListenerOptions {
  readonly pool: Pool;
  readonly schema: QuotedSchema;
  /** The topic: the statement listens on `{channel:<topic>}`. */
  readonly topic: 'revocations' | 'api_keys';
  /** The channel's full name, as notifications carry it. */
  readonly channel: string;
  readonly connect: ListenerConnect | undefined;
  readonly timeoutMs: number;
  readonly onMessage: (payload: string) => void;
  /** The connection was lost (or closed): messages may have been missed. */
  readonly onDisconnect: () => void;
}

const LISTEN = {
  revocations: 'LISTEN {channel:revocations}',
  api_keys: 'LISTEN {channel:api_keys}',
} as const;

export class NotificationListener {
  readonly #options: NotificationListenerOptions;
  readonly #listen: string;
  #client: ClientBase | undefined;
  #connecting: Promise<void> | undefined;
  #closed = false;

  constructor(options: NotificationListenerOptions) {
    this.#options = options;
    this.#listen = inSchema(options.schema, LISTEN[options.topic]);
  }

  get listening(): boolean {
    return this.#client !== undefined;
  }

  /**
   * Opens the connection and listens; resolves once LISTEN is in place. On an open
   * connection it LISTENs again (idempotent, and a cure for an UNLISTEN behind our back).
   */
  start(): Promise<void> {
    if (this.#closed) return Promise.resolve();
    this.#connecting ??= (this.#client === undefined ? this.#open() : this.#relisten(this.#client)).finally(() => {
      this.#connecting = undefined;
    });
    return this.#connecting;
  }

  /**
   * LISTEN again on the open connection. One that does not answer within the timeout is
   * taken as lost (a connection dead without a word: a partition, a stalled server), so
   * it is ended and opened afresh, instead of queueing statements behind a dead one.
   */
  async #relisten(client: ClientBase): Promise<void> {
    try {
      await this.#listenWithin(client);
    } catch (error) {
      if (this.#client === client) {
        this.#client = undefined;
        this.#end(client);
        this.#options.onDisconnect();
      }
      throw error;
    }
  }

  /** LISTEN on `client`, rejecting past the timeout. */
  async #listenWithin(client: ClientBase): Promise<void> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      await Promise.race([
        client.query(this.#listen),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error('LISTEN did not answer in time')), this.#options.timeoutMs);
        }),
      ]);
    } finally {
      clearTimeout(timer);
    }
  }

  async #open(): Promise<void> {
    const { connect, pool, timeoutMs } = this.#options;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const opening = connect === undefined ? pool.connect() : connect();
    let client: ClientBase;
    try {
      client = await Promise.race([
        opening,
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error('the listening connection did not open in time')), timeoutMs);
        }),
      ]);
    } catch (error) {
      // One that opens after all is closed at once.
      opening.then(
        (late) => this.#end(late),
        () => {},
      );
      throw error;
    } finally {
      clearTimeout(timer);
    }
    const onNotification = (message: Notification) => {
      if (message.channel === this.#options.channel && message.payload !== undefined) {
        this.#options.onMessage(message.payload);
      }
    };
    const onLost = () => {
      if (this.#client !== client) return;
      this.#client = undefined;
      this.#end(client);
      this.#options.onDisconnect();
    };
    client.on('notification', onNotification);
    client.on('error', onLost);
    client.on('end', onLost);
    try {
      await this.#listenWithin(client);
    } catch (error) {
      this.#end(client);
      throw error;
    }
    if (this.#closed) {
      this.#end(client);
      return;
    }
    this.#client = client;
  }

  #end(client: ClientBase): void {
    const pooled = client as Partial<PoolClient>;
    try {
      // A pooled client is destroyed, not given back: it is listening.
      if (this.#options.connect === undefined && typeof pooled.release === 'function') pooled.release(true);
      else void (client as ClientBase & { end(): Promise<void> }).end().catch(() => {});
    } catch {
      // Already released or ended.
    }
  }

  async close(): Promise<void> {
    this.#closed = true;
    await this.#connecting?.catch(() => {});
    const client = this.#client;
    this.#client = undefined;
    if (client !== undefined) this.#end(client);
  }
}
