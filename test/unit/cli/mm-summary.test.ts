/** The `mm` run summary: rejects counted by venue code, copied (not shared) from the bot's totals. */
import { expect, test } from "bun:test";
import type { BotSnapshot } from "../../../src/bots/market-maker-bot.ts";
import { summaryOf } from "../../../src/cli/mm.ts";

test("summary JSON carries rejects by code", () => {
  const rejectsByCode = { POST_ONLY_CROSS: 3, TIMEOUT_AMBIGUOUS: 1 };
  const snap: BotSnapshot = {
    nowMs: 0,
    breaker: "ACTIVE",
    haltReasons: [],
    markets: [],
    totals: {
      marketsSeen: 2,
      marketsQuoted: 2,
      quotesSent: 9,
      cancelsSent: 7,
      requotes: 5,
      preemptiveCancels: 0,
      fills: 3,
      rejects: 4,
      rejectsByCode,
      sellsAsBuys: 1,
      sellsShrunk: 0,
      sellsSkipped: 0,
      riskTrips: 0,
      riskDenials: 0,
      merges: 0,
      hedges: 0,
      cancelAlls: 1,
      maxAbsInventoryE6: 0,
      maxAbsInventoryUsdE6: 0,
    },
    pnl: {
      realisedE6: 0,
      unrealisedE6: 0,
      feesE6: 0,
      totalE6: 0,
      fills: 3,
      volumeE6: 0,
      markout: { count: 0, sharesE6: 0, totalE6: 0, perShareE4: Number.NaN },
    },
  };
  const s = summaryOf(snap, [], 0, { exitReason: "duration", venue: "sim", wallMs: 1, simulatedMs: 20 });
  expect(s.rejects).toEqual({ POST_ONLY_CROSS: 3, TIMEOUT_AMBIGUOUS: 1 });
  expect(s.rejects).not.toBe(rejectsByCode);
  expect(JSON.parse(JSON.stringify(s)).rejects).toEqual({ POST_ONLY_CROSS: 3, TIMEOUT_AMBIGUOUS: 1 });
});
