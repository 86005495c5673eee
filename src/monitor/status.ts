/**
 * What a user watching the market maker sees: a status screen refreshed about once a second
 * (per market: fair value, our bid/ask, the book's best bid/ask, inventory, realised and
 * unrealised P&L, fills, volatility score, state), redrawn in place on a terminal and
 * printed as plain text blocks when stdout is not a TTY (every `plainEveryMs`, so a log file
 * stays readable); and the JSONL trade/event log under `logs/` (one line per fill, risk trip,
 * cancel-all, market start/end/resolution; never one per book message).
 *
 * `renderStatus` is pure (a snapshot in, lines out); `StatusBoard` is the timer shell. The
 * refresh runs on real time (a `SystemClock`), not the simulator's accelerated clock.
 */
import type { BotEventSink, BotSnapshot, MarketStatus } from "../bots/market-maker-bot.ts";
import type { Clock } from "../core/clock.ts";
import { FileSink, Logger, type LogFields, type Redactor } from "./logger.ts";

const price = (e4: number): string => (e4 > 0 && e4 < 10_000 ? (e4 / 10_000).toFixed(e4 % 100 === 0 ? 2 : 4) : "  - ");
const usd = (e6: number): string => `${e6 < 0 ? "-" : " "}$${Math.abs(e6 / 1e6).toFixed(2)}`;
const shares = (e6: number): string => (e6 / 1e6).toFixed(e6 % 1_000_000 === 0 ? 0 : 2);

/** The status screen as lines of text (no ANSI codes). */
export function renderStatus(s: BotSnapshot, title = "Market Maker Pro"): string[] {
  const t = s.totals;
  const p = s.pnl;
  const markout = Number.isFinite(p.markout.perShareE4) ? `${(p.markout.perShareE4 / 100).toFixed(2)}¢/sh over ${p.markout.count}` : "n/a";
  const lines = [
    `${title}  ${new Date(s.nowMs).toISOString().replace("T", " ").slice(0, 19)} UTC   breaker ${s.breaker}${s.haltReasons.length > 0 ? ` (${s.haltReasons.join(", ")})` : ""}`,
    `P&L ${usd(p.totalE6).trim()} (realised ${usd(p.realisedE6).trim()}, unrealised ${usd(p.unrealisedE6).trim()}, fees ${usd(p.feesE6).trim()})  fills ${t.fills}  quotes ${t.quotesSent}  requotes ${t.requotes}  pre-emptive ${t.preemptiveCancels}  rejects ${t.rejects}  trips ${t.riskTrips}  markout(10s) ${markout}`,
    "",
    `${"market".padEnd(28)} ${"left".padStart(5)} ${"fair".padStart(6)} ${"our bid/ask".padStart(13)} ${"book bid/ask".padStart(13)} ${"YES/NO".padStart(13)} ${"realised".padStart(9)} ${"unreal".padStart(9)} ${"fills".padStart(5)} ${"vol".padStart(4)}  state`,
  ];
  const rows = [...s.markets].sort((a, b) => a.slug.localeCompare(b.slug));
  for (const m of rows) lines.push(marketLine(m));
  if (rows.length === 0) lines.push("(no market live yet: waiting for the next window)");
  return lines;
}

function marketLine(m: MarketStatus): string {
  const fair = Number.isFinite(m.fairValue) ? m.fairValue.toFixed(3) : "  -  ";
  const ours = `${price(m.bidE4)}/${price(m.askE4)}`;
  const book = `${price(m.bookBidE4)}/${price(m.bookAskE4)}`;
  const inv = `${shares(m.yesE6)}/${shares(m.noE6)}`;
  const left = m.phase === "live" ? `${m.secondsLeft}s` : m.phase;
  return `${m.slug.slice(0, 28).padEnd(28)} ${left.padStart(5)} ${fair.padStart(6)} ${ours.padStart(13)} ${book.padStart(13)} ${inv.padStart(13)} ${usd(m.realisedE6).padStart(9)} ${usd(m.unrealisedE6).padStart(9)} ${String(m.fills).padStart(5)} ${m.volScore.toFixed(0).padStart(4)}  ${m.state}`;
}

export interface StatusBoardOptions {
  /** Real-time clock for the refresh (a SystemClock). */
  readonly clock: Clock;
  readonly write: (text: string) => void;
  readonly isTTY: boolean;
  readonly refreshMs?: number;
  /** Without a TTY, print a block this often. */
  readonly plainEveryMs?: number;
  readonly title?: string;
}

export class StatusBoard {
  private cancel: (() => void) | undefined;
  private lastPlainMs = Number.NEGATIVE_INFINITY;
  private drawnLines = 0;

  constructor(
    private readonly source: () => BotSnapshot,
    private readonly opts: StatusBoardOptions,
  ) {}

  start(): void {
    if (this.cancel) return;
    const every = this.opts.refreshMs ?? 1000;
    const tick = () => {
      this.draw();
      this.cancel = this.opts.clock.setTimer(every, tick);
    };
    this.cancel = this.opts.clock.setTimer(every, tick);
  }

  stop(): void {
    this.cancel?.();
    this.cancel = undefined;
  }

  /** Draws once now (TTY: in place; otherwise a plain block when due). */
  draw(): void {
    const lines = renderStatus(this.source(), this.opts.title);
    if (this.opts.isTTY) {
      // Move up over the previous frame, clear to the end of the screen, redraw.
      const up = this.drawnLines > 0 ? `\x1b[${this.drawnLines}F` : "";
      this.opts.write(`${up}\x1b[J${lines.join("\n")}\n`);
      this.drawnLines = lines.length;
      return;
    }
    const now = this.opts.clock.wallMs();
    if (now - this.lastPlainMs < (this.opts.plainEveryMs ?? 10_000)) return;
    this.lastPlainMs = now;
    this.opts.write(`${lines.join("\n")}\n\n`);
  }
}

export interface EventLog {
  readonly path: string;
  readonly sink: BotEventSink;
  close(): void;
}

/**
 * The JSONL trade/event log: `<dir>/<name>-<UTC time>.jsonl`, one redacted JSON object per
 * line (`{"tsMs":…,"level":"info","event":"fill","market":…,"priceE4":…}`), written through
 * the ops logger. `tsMs` is the run's clock (simulated time on the simulator).
 */
export function openEventLog(dir: string, name: string, clock: Clock, base: LogFields = {}, redactor?: Redactor): EventLog {
  const stamp = new Date().toISOString().replace(/[:.]/g, "-").slice(0, 19);
  const path = `${dir.replace(/\/+$/, "")}/${name}-${stamp}.jsonl`;
  const logger = new Logger({ clock, sinks: [new FileSink(path)], base, ...(redactor !== undefined && { redactor }) });
  return {
    path,
    sink: (level, event, fields) => logger.log(level, event, fields),
    close: () => logger.close(),
  };
}
