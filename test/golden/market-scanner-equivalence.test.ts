/**
 * The hand-written scanner gives exactly the JSON.parse path's result on every recorded
 * frame (captures and hand-written fixtures), and it does handle the hot shapes itself
 * rather than handing every frame back.
 */
import { expect, test } from "bun:test";
import { type MarketEvent, decodeMarketFrameJson } from "../../src/polymarket/market-channel.ts";
import { scanMarketFrame } from "../../src/polymarket/market-scanner.ts";
import { loadHandwrittenWsFixtures, loadWsRecordings } from "../helpers/polymarket-recordings.ts";

test("scanner == JSON.parse path on every recorded frame", async () => {
  const frames = [...(await loadWsRecordings()), ...(await loadHandwrittenWsFixtures())].filter((r) => r.channel === "market");
  let handled = 0;
  const handledTypes: Record<string, number> = {};
  for (const r of frames) {
    const reference = decodeMarketFrameJson(r.text);
    const out: MarketEvent[] = [];
    if (!scanMarketFrame(r.text, out)) {
      expect(out).toEqual([]);
      continue;
    }
    handled++;
    expect(reference.errors).toEqual([]);
    expect(out).toEqual(reference.events);
    for (const e of out) {
      const k = e.type === "price_change" ? `${e.type}/${e.era}` : e.type;
      handledTypes[k] = (handledTypes[k] ?? 0) + 1;
    }
  }
  console.log(`scanner handled ${handled}/${frames.length} frames:`, handledTypes);
  // Every V2 price_change: 99 captured + 2 hand-written fixtures that carry event_type.
  expect(handledTypes["price_change/v2"]).toBe(101);
  // Every book except the 8 in el-capturo frames that also carry last_trade_price (whole
  // frame handed back) and the hand-written one without a hash: 204 + 2 + 2 + 1.
  expect(handledTypes.book).toBe(209);
});
