/**
 * Backtests on every recorded market stream in ../shared/data/ws (issue 9, "Must show"):
 * the market maker next to the naive baseline on the same frames, read in place. Prints the
 * summary of each. Checks, per run:
 *  - the report's P&L components add up to its total, and that total equals the venue's own
 *    books (cash change + holdings at the final mark + rebates not yet paid), to the cent;
 *  - determinism: the same data and settings give a byte-identical HTML report and JSON twice.
 * The pre-window sessions (books for tomorrow's 15-minute windows) run with `preWindow`, as
 * `--prewindow` does: without it no market opens in them.
 */
import { describe, expect, test } from "bun:test";
import { readdirSync } from "node:fs";
import path from "node:path";
import { DEFAULT_BACKTEST } from "../../src/backtest/engine.ts";
import { renderHtml } from "../../src/backtest/html.ts";
import { buildReport, formatSummary, type Report } from "../../src/backtest/report.ts";
import { backtestConfig, loadData, runSession, type SessionRun } from "../../src/backtest/session.ts";
import { ONE_E4 } from "../../src/core/units.ts";

const SHARED = path.resolve(import.meta.dir, "../../../shared");
const WS = path.join(SHARED, "data", "ws");
const STREAMS = readdirSync(WS)
  .filter((n) => n.endsWith(".jsonl") || n.endsWith(".jsonl.gz"))
  .filter((n) => !n.includes("session_markets") && !n.includes("_user_"))
  .sort();

/** The venue's own P&L: cash change + holdings at the report's final YES mark/payout + owed rebates. */
function venuePnlE6(run: SessionRun, report: Report): number {
  const ex = run.outcome.exchange;
  const initial = ex.settings.initialCollateralE6;
  let value = ex.collateral() - initial;
  const rec = run.outcome.record;
  for (const m of rec.markets) {
    const res = m.resolution;
    const mids = m.series.midE4.filter((x) => Number.isFinite(x));
    const lastMid = mids.length > 0 ? (mids[mids.length - 1] as number) : 5_000;
    const yesMark = res ? (res.yesWon ? ONE_E4 : 0) : lastMid;
    const info = run.outcome.driver.feed.cache.marketList().find((x) => x.conditionId === m.conditionId);
    if (!info) continue;
    value += (ex.position(info.yesTokenId) * yesMark) / ONE_E4 + (ex.position(info.noTokenId) * (ONE_E4 - yesMark)) / ONE_E4;
    if (!res) value += rec.fills.filter((f) => f.conditionId === m.conditionId).reduce((s, f) => s + f.rebateE6, 0);
  }
  void report;
  return value;
}

describe("backtests on every recorded market stream", () => {
  test("the streams are there", () => {
    expect(STREAMS.length).toBeGreaterThanOrEqual(5);
  });

  for (const name of STREAMS) {
    test(`${name}: mm and naive side by side`, async () => {
      const data = await loadData(path.join(WS, name));
      expect(data.catalogue.markets.length).toBeGreaterThan(0);
      const settings = { ...DEFAULT_BACKTEST, replay: { ...DEFAULT_BACKTEST.replay, preWindow: name.includes("prewindow") } };
      const config = backtestConfig({}, {});
      const runs = runSession(data, ["mm", "naive"], settings, config);
      const reports = runs.map((r) => buildReport(r.outcome.record));
      console.log(
        formatSummary(
          reports,
          `${name}: ${data.frames.length} frames, ${data.catalogue.markets.length} markets (${data.catalogue.source})`,
        ),
      );
      runs.forEach((run, k) => {
        const r = reports[k] as Report;
        const p = r.total.pnl;
        expect(p.spreadE6 + p.adverseEndE6 + p.resolutionE6 - p.feesE6 + p.rebatesE6).toBeCloseTo(p.totalE6, 3);
        // The report and the venue's ledger agree to the cent.
        expect(Math.abs(venuePnlE6(run, r) - p.totalE6)).toBeLessThan(10_000);
        expect(run.outcome.record.counters.decodeErrors).toBe(0);
      });
      // Determinism: the same data and settings, twice → the same bytes.
      const again = runSession(data, ["mm", "naive"], settings, config).map((r) => buildReport(r.outcome.record));
      const html = (rs: Report[]) => renderHtml({ title: "t", dataLabel: name, reports: rs });
      expect(html(again)).toBe(html(reports));
      expect(formatSummary(again, name)).toBe(formatSummary(reports, name));
    }, 60_000);
  }
});
