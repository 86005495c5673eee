/**
 * FastWebSocket: the only WebSocket client of the engine (STYLE §3), on Bun's native
 * `WebSocket`. Transport only: it knows nothing of books or Polymarket fields.
 *
 * What it does:
 * - connects, and after every (re)connect sends the frames `handshake()` returns (the
 *   subscriptions), so resubscription is automatic and always reflects the current set;
 * - keeps the connection alive with a text `PING` every `pingIntervalMs` (protocol notes §5:
 *   the CLOB wants a text PING every 10 s and answers `PONG`), and swallows the `PONG`;
 * - runs a silence watchdog: no frame and no PONG for `staleAfterMs` → a `stale` event (the
 *   strategy stops quoting); for `deadAfterMs` → the socket is terminated and treated as lost;
 * - reconnects with the `backoff()` delays of `reconnect-policy.ts`, asking the classifier
 *   whether a close is worth retrying; the backoff resets only once a frame has arrived on the
 *   new socket (a server that accepts and drops at once must not cause a tight loop);
 * - reports `connected` / `disconnected` / `stale` / `resynced` with clock timestamps, and
 *   exposes counters (frames, bytes, reconnects, watchdog kills, handler errors...).
 *
 * Hot path: `onmessage` reads the receive time, bumps two counters and calls `onFrame(text,
 * recvNs)` synchronously: no Promise, no timer hop, no allocation of ours. An exception
 * thrown by `onFrame` is counted (`handlerErrors`) and kept in `lastHandlerError`; it never
 * escapes into Bun's event loop, and the connection stays up.
 *
 * Time: every deadline is a `Clock` timer, and the deadlines are data (`Heartbeat` below is a
 * pure state machine: `nextDeadlineNs()` / `onTimer(nowNs)`), so tests drive PING and the
 * watchdog with a `ManualClock` while the socket itself is real.
 */
import type { Clock } from "../core/clock.ts";
import type { ConnectionState } from "../core/ports.ts";
import { backoff, type CloseInfo, type CloseVerdict, classifyClose } from "./reconnect-policy.ts";

/** The subset of the WHATWG/Bun WebSocket that FastWebSocket uses (injectable in tests). */
export interface WebSocketLike {
  readonly readyState: number;
  onopen: ((ev: Event) => unknown) | null;
  onmessage: ((ev: MessageEvent) => unknown) | null;
  onerror: ((ev: Event) => unknown) | null;
  onclose: ((ev: CloseEvent) => unknown) | null;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  terminate?(): void;
}
export type WebSocketFactory = (url: string) => WebSocketLike;

export interface WsConnectionEvent {
  readonly state: ConnectionState;
  /** Clock time of the transition (monotonic ns). */
  readonly atNs: number;
  /** Epoch ms of the transition, for logs. */
  readonly wallMs: number;
  readonly reason: string;
}

export interface FastWebSocketOptions {
  readonly url: string;
  readonly clock: Clock;
  /** Called synchronously for each text frame other than the PONG reply. */
  readonly onFrame: (text: string, recvNs: number) => void;
  readonly onConnection?: (ev: WsConnectionEvent) => void;
  /** Frames sent right after every open: the full current subscription. */
  readonly handshake?: () => readonly string[];
  /** Name used in reasons and logs ("market", "user", "rtds"). */
  readonly name?: string;
  readonly pingIntervalMs?: number;
  readonly pingText?: string;
  readonly pongText?: string;
  readonly staleAfterMs?: number;
  readonly deadAfterMs?: number;
  readonly connectTimeoutMs?: number;
  /** A fresh delay sequence is taken from this after every successful session. */
  readonly backoff?: () => Iterator<number>;
  readonly classify?: (info: CloseInfo) => CloseVerdict;
  readonly webSocket?: WebSocketFactory;
}

export interface WsCounters {
  connectAttempts: number;
  connects: number;
  /** Connections after the first one. */
  reconnects: number;
  disconnects: number;
  connectFailures: number;
  watchdogKills: number;
  staleEvents: number;
  fatalCloses: number;
  framesIn: number;
  /** UTF-16 code units received (≈ bytes for the ASCII frames of the venue). */
  charsIn: number;
  pingsSent: number;
  pongsIn: number;
  sendFailures: number;
  handlerErrors: number;
}

export const HB_PING = 1;
export const HB_STALE = 2;
export const HB_DEAD = 4;

/**
 * Pure heartbeat and watchdog state of one connection. All times in clock ns.
 * `onTimer` returns a bit set of HB_PING / HB_STALE / HB_DEAD actions due at `nowNs`.
 */
export class Heartbeat {
  private lastRecvNs = 0;
  private nextPingNs = 0;
  private stale = false;
  constructor(
    readonly pingIntervalNs: number,
    readonly staleAfterNs: number,
    readonly deadAfterNs: number,
  ) {
    if (!(pingIntervalNs > 0 && staleAfterNs > 0 && deadAfterNs >= staleAfterNs)) {
      throw new RangeError(
        `heartbeat: need ping > 0, stale > 0, dead ≥ stale (ns), got ${pingIntervalNs}, ${staleAfterNs}, ${deadAfterNs}`,
      );
    }
  }
  onOpen(nowNs: number): void {
    this.lastRecvNs = nowNs;
    this.nextPingNs = nowNs + this.pingIntervalNs;
    this.stale = false;
  }
  /** Any frame, PONG included. Returns true when this ends a stale period. */
  onData(nowNs: number): boolean {
    this.lastRecvNs = nowNs;
    if (!this.stale) return false;
    this.stale = false;
    return true;
  }
  get isStale(): boolean {
    return this.stale;
  }
  silenceNs(nowNs: number): number {
    return nowNs - this.lastRecvNs;
  }
  nextDeadlineNs(): number {
    const dead = this.lastRecvNs + this.deadAfterNs;
    const next = this.stale ? dead : Math.min(dead, this.lastRecvNs + this.staleAfterNs);
    return Math.min(next, this.nextPingNs);
  }
  onTimer(nowNs: number): number {
    let actions = 0;
    const silence = nowNs - this.lastRecvNs;
    if (silence >= this.deadAfterNs) return HB_DEAD;
    if (!this.stale && silence >= this.staleAfterNs) {
      this.stale = true;
      actions |= HB_STALE;
    }
    if (nowNs >= this.nextPingNs) {
      actions |= HB_PING;
      // Keep the cadence even if a timer fired late.
      while (this.nextPingNs <= nowNs) this.nextPingNs += this.pingIntervalNs;
    }
    return actions;
  }
}

const OPEN = 1;
const NS_PER_MS = 1e6;

export class FastWebSocket {
  readonly counters: WsCounters = {
    connectAttempts: 0,
    connects: 0,
    reconnects: 0,
    disconnects: 0,
    connectFailures: 0,
    watchdogKills: 0,
    staleEvents: 0,
    fatalCloses: 0,
    framesIn: 0,
    charsIn: 0,
    pingsSent: 0,
    pongsIn: 0,
    sendFailures: 0,
    handlerErrors: 0,
  };
  /** Last exception thrown by `onFrame` (counted, never rethrown). */
  lastHandlerError: unknown = undefined;
  /** Why the client stopped for good ("" while it may still reconnect). */
  fatalReason = "";

  private readonly opts: FastWebSocketOptions;
  private readonly name: string;
  private readonly pingText: string;
  private readonly pongText: string;
  private readonly hb: Heartbeat;
  private readonly connectTimeoutMs: number;
  private readonly makeBackoff: () => Iterator<number>;
  private readonly classify: (info: CloseInfo) => CloseVerdict;
  private readonly factory: WebSocketFactory;
  private ws: WebSocketLike | undefined;
  private delays: Iterator<number>;
  private cancelTimer: (() => void) | undefined;
  private cancelConnectTimer: (() => void) | undefined;
  private cancelRetry: (() => void) | undefined;
  private started = false;
  private stopped = false;
  private everConnected = false;
  private gotDataThisSession = false;
  /** The current socket reached OPEN (a close before that is a connect failure). */
  private gotOpen = false;

  constructor(opts: FastWebSocketOptions) {
    this.opts = opts;
    this.name = opts.name ?? "ws";
    this.pingText = opts.pingText ?? "PING";
    this.pongText = opts.pongText ?? "PONG";
    const pingMs = opts.pingIntervalMs ?? 10_000;
    const staleMs = opts.staleAfterMs ?? 15_000;
    const deadMs = opts.deadAfterMs ?? 25_000;
    this.hb = new Heartbeat(pingMs * NS_PER_MS, staleMs * NS_PER_MS, deadMs * NS_PER_MS);
    this.connectTimeoutMs = opts.connectTimeoutMs ?? 10_000;
    this.makeBackoff = opts.backoff ?? (() => backoff());
    this.classify = opts.classify ?? classifyClose;
    this.factory = opts.webSocket ?? ((url) => new WebSocket(url) as unknown as WebSocketLike);
    this.delays = this.makeBackoff();
  }

  /** Opens the first connection; later ones are automatic. Idempotent. */
  start(): void {
    if (this.started) return;
    this.started = true;
    this.open();
  }

  get isOpen(): boolean {
    return this.ws !== undefined && this.ws.readyState === OPEN;
  }

  get isStale(): boolean {
    return this.hb.isStale;
  }

  get isStopped(): boolean {
    return this.stopped;
  }

  /** Sends a text frame if the socket is open; returns false (and counts) otherwise. */
  send(text: string): boolean {
    const ws = this.ws;
    if (ws === undefined || ws.readyState !== OPEN) {
      this.counters.sendFailures++;
      return false;
    }
    ws.send(text);
    return true;
  }

  /**
   * Drops the current socket and reconnects at once (e.g. a book failed its consistency check
   * and a fresh snapshot is needed). Emits `disconnected` with the reason.
   */
  reconnectNow(reason: string): void {
    if (this.stopped || !this.started) return;
    this.lose(reason, 0, false, true);
  }

  /** Stops for good: no reconnect, timers cancelled, socket closed normally. */
  close(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.clearTimers();
    const ws = this.ws;
    this.ws = undefined;
    if (ws !== undefined) {
      detach(ws);
      ws.close(1000, "client closing");
      this.emit("disconnected", "closed by client");
    }
  }

  private open(): void {
    if (this.stopped) return;
    this.counters.connectAttempts++;
    this.gotDataThisSession = false;
    let ws: WebSocketLike;
    try {
      ws = this.factory(this.opts.url);
    } catch (e) {
      // A malformed URL or a refused host is a connect failure like any other.
      this.counters.connectFailures++;
      this.scheduleRetry({ code: 0, reason: `connect threw: ${errorText(e)}`, byWatchdog: false });
      return;
    }
    this.ws = ws;
    this.cancelConnectTimer = this.opts.clock.setTimer(this.connectTimeoutMs, () => {
      this.cancelConnectTimer = undefined;
      if (this.ws === ws && ws.readyState !== OPEN) {
        this.counters.connectFailures++;
        this.lose(`connect timeout after ${this.connectTimeoutMs} ms`, 0, false, false);
      }
    });
    ws.onopen = () => {
      if (this.ws !== ws) return;
      this.onOpen();
    };
    ws.onmessage = (ev: MessageEvent) => {
      if (this.ws !== ws) return;
      this.onMessage(ev.data);
    };
    ws.onerror = () => {
      // The close event that follows carries the code; nothing to do here.
    };
    ws.onclose = (ev: CloseEvent) => {
      if (this.ws !== ws) return;
      const wasOpen = this.gotOpen;
      if (!wasOpen) this.counters.connectFailures++;
      this.lose(`${this.name} socket closed (${ev.code}${ev.reason ? ` ${ev.reason}` : ""})`, ev.code, false, false);
    };
  }

  private onOpen(): void {
    const clock = this.opts.clock;
    this.gotOpen = true;
    this.cancelConnectTimer?.();
    this.cancelConnectTimer = undefined;
    this.counters.connects++;
    if (this.everConnected) this.counters.reconnects++;
    this.everConnected = true;
    this.hb.onOpen(clock.nowNs());
    this.emit("connected", this.counters.connects > 1 ? `${this.name} reconnected` : `${this.name} connected`);
    const frames = this.opts.handshake?.() ?? [];
    for (const f of frames) this.send(f);
    this.armHeartbeat();
  }

  private onMessage(data: unknown): void {
    const recvNs = this.opts.clock.nowNs();
    if (this.hb.onData(recvNs)) this.emit("resynced", `${this.name} data resumed after silence`);
    if (!this.gotDataThisSession) {
      this.gotDataThisSession = true;
      this.delays = this.makeBackoff(); // a healthy session: the next outage starts from the first delay
    }
    if (typeof data !== "string") return; // the venue sends text only; binary frames are ignored
    this.counters.framesIn++;
    this.counters.charsIn += data.length;
    if (data === this.pongText) {
      this.counters.pongsIn++;
      return;
    }
    try {
      this.opts.onFrame(data, recvNs);
    } catch (e) {
      // A consumer bug must not kill the socket or escape into the event loop; it is counted
      // and surfaced through `lastHandlerError` for the status page and tests.
      this.counters.handlerErrors++;
      this.lastHandlerError = e;
    }
  }

  private armHeartbeat(): void {
    this.cancelTimer?.();
    const clock = this.opts.clock;
    const delayMs = Math.max(0, (this.hb.nextDeadlineNs() - clock.nowNs()) / NS_PER_MS);
    this.cancelTimer = clock.setTimer(delayMs, () => {
      this.cancelTimer = undefined;
      this.onHeartbeatTimer();
    });
  }

  private onHeartbeatTimer(): void {
    if (this.ws === undefined || !this.gotOpen) return;
    const nowNs = this.opts.clock.nowNs();
    const actions = this.hb.onTimer(nowNs);
    if (actions & HB_DEAD) {
      this.counters.watchdogKills++;
      this.lose(`${this.name} watchdog: no data or PONG for ${Math.round(this.hb.silenceNs(nowNs) / NS_PER_MS)} ms`, 0, true, false);
      return;
    }
    if (actions & HB_STALE) {
      this.counters.staleEvents++;
      this.emit("stale", `${this.name} silent for ${Math.round(this.hb.silenceNs(nowNs) / NS_PER_MS)} ms`);
    }
    if (actions & HB_PING && this.send(this.pingText)) this.counters.pingsSent++;
    this.armHeartbeat();
  }

  /** The current socket is gone (or must go): tear down, report, and retry unless fatal. */
  private lose(reason: string, code: number, byWatchdog: boolean, immediate: boolean): void {
    const ws = this.ws;
    const wasOpen = this.gotOpen;
    this.ws = undefined;
    this.gotOpen = false;
    this.clearTimers();
    if (ws !== undefined) {
      detach(ws);
      if (ws.readyState <= OPEN) {
        // Terminate rather than close: a peer that stopped answering will not finish a
        // close handshake, and Bun would hold the socket for 30 s.
        if (ws.terminate) ws.terminate();
        else ws.close(4000, "client reconnecting");
      }
    }
    if (wasOpen) {
      this.counters.disconnects++;
      this.emit("disconnected", reason);
    }
    if (this.stopped) return;
    if (immediate) {
      this.open();
      return;
    }
    this.scheduleRetry({ code, reason, byWatchdog });
  }

  private scheduleRetry(info: CloseInfo): void {
    if (this.classify(info) === "fatal") {
      this.counters.fatalCloses++;
      this.stopped = true;
      this.fatalReason = info.reason;
      this.emit("disconnected", `fatal: ${info.reason}`);
      return;
    }
    const next = this.delays.next();
    const delayMs = next.done === true ? 0 : next.value;
    this.cancelRetry = this.opts.clock.setTimer(delayMs, () => {
      this.cancelRetry = undefined;
      this.open();
    });
  }

  private clearTimers(): void {
    this.cancelTimer?.();
    this.cancelTimer = undefined;
    this.cancelConnectTimer?.();
    this.cancelConnectTimer = undefined;
    this.cancelRetry?.();
    this.cancelRetry = undefined;
  }

  private emit(state: ConnectionState, reason: string): void {
    const cb = this.opts.onConnection;
    if (cb === undefined) return;
    const clock = this.opts.clock;
    cb({ state, atNs: clock.nowNs(), wallMs: clock.wallMs(), reason });
  }
}

function detach(ws: WebSocketLike): void {
  ws.onopen = null;
  ws.onmessage = null;
  ws.onerror = null;
  ws.onclose = null;
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
