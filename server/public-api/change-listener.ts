import "server-only";
// A dedicated PostgreSQL connection that LISTENs for changes other Keel instances commit (prompt
// versions and label moves on `keel_prompt_changes`, API-key revocations on
// `keel_apikey_changes`), so each instance's in-process caches drop what changed within
// milliseconds. It reconnects with exponential back-off; every (re)connection is reported through
// `onConnected`, after LISTEN succeeded, so the caller can drop whatever it cached while
// notifications could have been missed. A heartbeat query notices a silently dead connection.
import pg from "pg";
import { connectionSettings } from "../db/connections";

export type ChangeListenerOptions = {
  /** A session connection (KEEL_LISTEN_DATABASE_URL): through a transaction pooler, LISTEN would hear nothing. */
  connectionString: string;
  channels: readonly string[];
  onNotification(channel: string, payload: string): void;
  /** After LISTEN succeeded on a (new) connection: notifications may have been missed before it. */
  onConnected(): void;
  /** The connection is gone: until onConnected, changes made elsewhere go unheard. */
  onDisconnected(): void;
  /** Back-off bounds in ms (defaults 100 ms doubling to 5 s). */
  minDelayMs?: number;
  maxDelayMs?: number;
  heartbeatMs?: number;
  log?: (line: string) => void;
};

export class ChangeListener {
  private client: pg.Client | null = null;
  private connectedNow = false;
  private closed = false;
  private attempt = 0;
  private timer: NodeJS.Timeout | null = null;
  private heartbeat: NodeJS.Timeout | null = null;
  private firstConnection: Promise<void>;
  private resolveFirst!: () => void;
  /** Number of successful (re)connections so far. */
  connections = 0;

  constructor(private readonly options: ChangeListenerOptions) {
    this.firstConnection = new Promise((resolve) => (this.resolveFirst = resolve));
  }

  get connected(): boolean {
    return this.connectedNow;
  }

  /** The listening connection's server process id (tests terminate it to force a reconnect). */
  get pid(): number | null {
    return (this.client as unknown as { processID?: number } | null)?.processID ?? null;
  }

  /** Starts connecting; resolves once listening for the first time (or when closed). */
  start(): Promise<void> {
    if (!this.client && !this.timer && !this.closed) void this.connect();
    return this.firstConnection;
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.resolveFirst();
    await this.drop();
  }

  private async connect() {
    this.timer = null;
    const client = new pg.Client({
      ...connectionSettings(this.options.connectionString),
      keepAlive: true,
      application_name: "keel-change-listener",
    });
    this.client = client;
    client.on("notification", (message) => {
      if (client === this.client && message.payload !== undefined) this.options.onNotification(message.channel, message.payload);
    });
    client.on("error", (error) => this.lost(client, error));
    client.on("end", () => this.lost(client, null));
    try {
      await client.connect();
      // LISTEN takes no parameters: the channel is a fixed name of ours, quoted as an identifier.
      // eslint-disable-next-line no-restricted-syntax
      for (const channel of this.options.channels) await client.query(`LISTEN ${pg.escapeIdentifier(channel)}`);
    } catch (error) {
      this.lost(client, error);
      return;
    }
    if (client !== this.client || this.closed) return;
    this.attempt = 0;
    this.connections++;
    this.connectedNow = true;
    this.options.onConnected();
    this.resolveFirst();
    this.startHeartbeat(client);
  }

  private startHeartbeat(client: pg.Client) {
    const every = this.options.heartbeatMs ?? 15_000;
    this.heartbeat = setInterval(() => {
      const deadline = setTimeout(() => this.lost(client, new Error("heartbeat timed out")), Math.min(every, 5_000));
      client
        .query("SELECT 1")
        .then(() => clearTimeout(deadline))
        .catch((error: unknown) => {
          clearTimeout(deadline);
          this.lost(client, error);
        });
    }, every);
    this.heartbeat.unref();
  }

  /** The connection failed or ended: report it once, and schedule a reconnect. */
  private lost(client: pg.Client, error: unknown) {
    if (client !== this.client) return;
    this.client = null;
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.heartbeat = null;
    client.removeAllListeners("notification");
    client.on("error", () => {});
    void client.end().catch(() => {});
    const wasConnected = this.connectedNow;
    this.connectedNow = false;
    if (wasConnected) this.options.onDisconnected();
    if (this.closed) return;
    const min = this.options.minDelayMs ?? 100;
    const max = this.options.maxDelayMs ?? 5_000;
    const delay = Math.min(max, min * 2 ** this.attempt++);
    const jittered = Math.round(delay / 2 + (Math.random() * delay) / 2);
    if (error && this.attempt <= 1) this.options.log?.(`LISTEN connection lost (${error instanceof Error ? error.message : String(error)}); reconnecting`);
    this.timer = setTimeout(() => void this.connect(), jittered);
    this.timer.unref();
  }

  private async drop() {
    const client = this.client;
    this.client = null;
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.heartbeat = null;
    const wasConnected = this.connectedNow;
    this.connectedNow = false;
    if (wasConnected) this.options.onDisconnected();
    if (client) {
      client.removeAllListeners();
      client.on("error", () => {});
      await client.end().catch(() => {});
    }
  }
}
