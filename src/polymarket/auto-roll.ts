/**
 * Auto-roll shell: keeps discovering the recurring Up/Down markets on Gamma and steps the pure
 * `RollPlanner` at each instant its plan can change, handing every plan to `onPlan` (the feed
 * subscribes/unsubscribes and forwards `market_started` / `market_ended` to the strategy).
 *
 * I/O lives here and only here: Gamma fetches and `Clock` timers. Discovery runs at start,
 * every `rediscoverMs`, and never twice at once; a failed discovery is reported and retried
 * at the next period (markets already known keep rolling meanwhile).
 */
import type { Clock } from "../core/clock.ts";
import type { MarketInfo } from "../core/ports.ts";
import type { GammaClient, UpDownAsset, UpDownWindow } from "./gamma.ts";
import { type RollConfig, type RollPlan, RollPlanner } from "./roll-planner.ts";

export interface AutoRollerOptions {
  readonly clock: Clock;
  readonly gamma: GammaClient;
  readonly assets: readonly UpDownAsset[];
  readonly windows: readonly UpDownWindow[];
  readonly roll?: Partial<RollConfig>;
  /** Windows ahead of the current one to discover (default 2). */
  readonly ahead?: number;
  /** Discovery period (default 60 s). */
  readonly rediscoverMs?: number;
  /** Extra markets by slug or token id, added once at start. */
  readonly extra?: readonly string[];
  readonly onPlan: (plan: RollPlan) => void;
  readonly onError?: (message: string) => void;
}

export class AutoRoller {
  readonly planner: RollPlanner;
  discoveries = 0;
  discoveryErrors = 0;
  private cancelStep: (() => void) | undefined;
  private cancelDiscover: (() => void) | undefined;
  private discovering = false;
  private stopped = false;

  constructor(private readonly opts: AutoRollerOptions) {
    this.planner = new RollPlanner(opts.roll);
  }

  async start(): Promise<void> {
    if (this.opts.extra && this.opts.extra.length > 0) {
      for (const id of this.opts.extra) {
        const r = await this.opts.gamma.market(id);
        if (r.ok) this.planner.add([r.value]);
        else this.report(`market ${id}: ${r.code} ${r.reason}`);
      }
    }
    await this.discover();
  }

  stop(): void {
    this.stopped = true;
    this.cancelStep?.();
    this.cancelDiscover?.();
  }

  /** Adds markets found elsewhere (e.g. a `new_market` frame). */
  add(markets: readonly MarketInfo[]): void {
    this.planner.add(markets);
    this.step();
  }

  private async discover(): Promise<void> {
    if (this.discovering || this.stopped) return;
    this.discovering = true;
    try {
      const r = await this.opts.gamma.discover(this.opts.assets, this.opts.windows, this.opts.clock.wallMs(), this.opts.ahead ?? 2);
      this.discoveries++;
      for (const e of r.errors) this.report(e);
      this.planner.add(r.markets);
    } finally {
      this.discovering = false;
    }
    if (this.stopped) return;
    this.cancelDiscover?.();
    this.cancelDiscover = this.opts.clock.setTimer(this.opts.rediscoverMs ?? 60_000, () => {
      this.cancelDiscover = undefined;
      void this.discover();
    });
    this.step();
  }

  private step(): void {
    if (this.stopped) return;
    const plan = this.planner.step(this.opts.clock.wallMs());
    if (plan.subscribe.length > 0 || plan.unsubscribe.length > 0 || plan.events.length > 0) this.opts.onPlan(plan);
    this.cancelStep?.();
    this.cancelStep = undefined;
    if (Number.isFinite(plan.nextWakeMs)) {
      this.cancelStep = this.opts.clock.setTimer(Math.max(0, plan.nextWakeMs - this.opts.clock.wallMs()), () => {
        this.cancelStep = undefined;
        this.step();
      });
    }
  }

  private report(msg: string): void {
    this.discoveryErrors++;
    this.opts.onError?.(msg);
  }
}
