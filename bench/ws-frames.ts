/**
 * The frames the bench feed sends: realistic V2 market-channel text for one market with two
 * tokens (each `price_change` carries a level on one token and the mirrored level on the
 * other, as in the real burst under ../shared/data/ws). Deterministic, no RNG state shared.
 */
export const BENCH_YES = "76670567130917723816490572615540605537878462672464291990940067659127658071111";
export const BENCH_NO = "54179564009642723353355316176091991063553046330768303687769988635499280029688";
const MARKET = "0x285746de0e4f751fd4dc8f9dc2cecd0101ba9ad0096a43145ed9643b09514f01";
const HASH = "b7623b6417b3ae46dbe5d608a65474c9cec84ef9";

const price = (e4: number): string => (e4 / 10_000).toString();

export function benchFrames(n: number): { snapshot: string; deltas: string[] } {
  const level = (p: number, s: number) => ({ price: price(p), size: String(s) });
  const bidsYes = [];
  const asksYes = [];
  for (let p = 100; p <= 4800; p += 100) bidsYes.push(level(p, 100 + p / 10));
  for (let p = 9900; p >= 5200; p -= 100) asksYes.push(level(p, 100 + p / 20));
  const book = (asset: string, bids: unknown[], asks: unknown[]) => ({
    market: MARKET,
    asset_id: asset,
    timestamp: "1790658661234",
    hash: HASH,
    bids,
    asks,
    event_type: "book",
    tick_size: "0.01",
    last_trade_price: "0.5",
  });
  const mirror = (ls: Array<{ price: string; size: string }>) =>
    ls.map((l) => ({ price: price(10_000 - Math.round(Number(l.price) * 10_000)), size: l.size }));
  const snapshot = JSON.stringify([book(BENCH_YES, bidsYes, asksYes), book(BENCH_NO, mirror(asksYes), mirror(bidsYes))]);
  const deltas: string[] = [];
  for (let i = 0; i < n; i++) {
    // Walk the touch: bids 4000..4900 and asks 5100..6000, sizes cycling, 1 in 7 removes.
    const isBid = i % 2 === 0;
    const p = isBid ? 4000 + ((i * 37) % 10) * 100 : 5100 + ((i * 53) % 10) * 100;
    const size = i % 7 === 0 ? "0" : String(10 + ((i * 13) % 500));
    const ts = String(1790658661234 + i);
    deltas.push(
      `{"market":"${MARKET}","price_changes":[{"asset_id":"${BENCH_YES}","price":"${price(p)}","size":"${size}","side":"${isBid ? "BUY" : "SELL"}","hash":"${HASH}","best_bid":"0.49","best_ask":"0.51"},{"asset_id":"${BENCH_NO}","price":"${price(10_000 - p)}","size":"${size}","side":"${isBid ? "SELL" : "BUY"}","hash":"${HASH}","best_bid":"0.49","best_ask":"0.51"}],"timestamp":"${ts}","event_type":"price_change"}`,
    );
  }
  return { snapshot, deltas };
}
