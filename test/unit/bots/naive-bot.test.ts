/**
 * NaiveBot, the baseline: it re-centres once a second when the YES mid moved. The mid it
 * remembers must be the one its quotes were computed at: a first evaluation that could not
 * quote (the NO book still stale) must not stop it quoting once the books are fresh.
 */
import { describe, expect, test } from "bun:test";
import { NaiveBot } from "../../../src/bots/naive-bot.ts";
import { ManualClock } from "../../../src/core/clock.ts";
import { AckingExchange } from "../../helpers/acking-exchange.ts";
import { FakeFeed, upDownMarket } from "../../helpers/fake-feed.ts";

const START_MS = 1_780_000_800_000;

describe("NaiveBot", () => {
  test("a stale NO book at the first evaluation does not block quoting until the YES mid moves", () => {
    const clock = new ManualClock(START_MS);
    const feed = new FakeFeed();
    const ex = new AckingExchange();
    const bot = new NaiveBot({ feed, exchange: ex, clock });
    void bot.run();
    const market = upDownMarket(START_MS);
    feed.setYesBook(market, [[4800, 100_000_000]], [[5200, 100_000_000]]);
    const no = feed.book(market.noTokenId);
    if (!no) throw new Error("no NO book");
    no.stale = true; // its snapshot has not arrived yet
    feed.emit({ kind: "market_started", market, recvNs: 0 });
    clock.advanceBy(1000);
    expect(ex.placed()).toHaveLength(0);

    no.stale = false; // the snapshot arrives; the YES mid has not moved
    clock.advanceBy(1000);
    const placed = ex.placed();
    expect(placed).toHaveLength(2);
    expect(placed.map((o) => `${o.tokenId} ${o.side} ${o.priceE4}`).sort()).toEqual(
      [`${market.yesTokenId} BUY 4900`, `${market.noTokenId} BUY 4900`].sort(),
    );

    // And an unchanged mid after quoting sends nothing more.
    clock.advanceBy(3000);
    expect(ex.placed()).toHaveLength(2);
    bot.stop();
  });
});
