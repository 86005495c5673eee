import { describe, expect, test } from "bun:test";
import { Secret } from "../../../src/core/secret.ts";
import { UserChannelCodec, decodeUserFrame, userAddMarketsFrame, userSubscribeFrame } from "../../../src/polymarket/user-channel.ts";
import { readJson } from "../../helpers/polymarket-recordings.ts";

const text = async (rel: string): Promise<string> => JSON.stringify(await readJson(rel));

describe("user channel order events", () => {
  test("V1 capture: PLACEMENT, ms timestamp, seconds created_at", async () => {
    const f = decodeUserFrame(await text("ws/nautilus_v1_user_order_placement.json"));
    expect(f.errors).toEqual([]);
    expect(f.events[0]).toEqual({
      type: "order",
      kind: "PLACEMENT",
      orderId: "0x0f76f4dc6eaf3332f4100f2e8a0b4a927351dd64646b7bb12f37df775c657a78",
      owner: "3e2c94ca-8124-c4c1-c7ea-be1ea21b71fe",
      market: "0xdd22472e552920b8438158ea7238bfadfa4f736aa4cee91a6b86c39ead110917",
      assetId: "21742633143463906290569050155826241533067272736897614950488156847949938836455",
      side: "BUY",
      priceE4: 5130,
      originalSizeE6: 5_000_000,
      sizeMatchedE6: 0,
      status: "LIVE",
      statusDetail: "",
      outcome: "Yes",
      orderType: "GTC",
      makerAddress: "0xa3D82Ed56F4c68d2328Fb8c29e568Ba2cAF7d7c8",
      associateTrades: [],
      createdAtMs: 1725842520000,
      expirationMs: 0,
      timestampMs: 1725842520990,
    });
  });

  test("FOK kill: CANCELED with the reason split off; empty size_matched and created_at", async () => {
    const f = decodeUserFrame(await text("fixtures-handwritten/nautilus/ws_user_order_fok_killed.json"));
    expect(f.errors).toEqual([]);
    expect(f.events[0]).toMatchObject({
      kind: "CANCELLATION",
      status: "CANCELED",
      statusDetail: "order couldn't be fully filled. FOK orders are fully filled or killed.",
      sizeMatchedE6: 0,
      createdAtMs: -1,
    });
  });

  test("status prefixes are stripped; unknown statuses are kept, not dropped", () => {
    const base = {
      event_type: "order",
      id: "1",
      owner: "o",
      market: "m",
      asset_id: "a",
      side: "SELL",
      original_size: "10",
      size_matched: "2.5",
      price: "0.57",
      associate_trades: null,
      outcome: "Up",
      type: "UPDATE",
      created_at: "1672290687",
      expiration: "1234567",
      order_type: "GTD",
      maker_address: "0x",
      timestamp: "1672290687",
    };
    const a = decodeUserFrame(JSON.stringify({ ...base, status: "ORDER_STATUS_MATCHED" }));
    expect(a.events[0]).toMatchObject({
      status: "MATCHED",
      sizeMatchedE6: 2_500_000,
      expirationMs: 1_234_567_000,
      timestampMs: 1_672_290_687_000,
    });
    const b = decodeUserFrame(JSON.stringify({ ...base, status: "ORDER_STATUS_CANCELED_MARKET_RESOLVED" }));
    expect(b.events[0]).toMatchObject({ status: "CANCELED", statusDetail: "MARKET_RESOLVED" });
    const c = decodeUserFrame(JSON.stringify({ ...base, status: "PAUSED" }));
    expect(c.events[0]).toMatchObject({ status: "UNKNOWN", statusDetail: "PAUSED" });
  });
});

describe("user channel trade events", () => {
  test("V1 capture with three maker orders; V1 makers have no side", async () => {
    const f = decodeUserFrame(await text("ws/nautilus_v1_user_trade1.json"));
    expect(f.errors).toEqual([]);
    const t = f.events[0]!;
    if (t.type !== "trade") throw new Error("expected trade");
    expect(t).toMatchObject({
      tradeId: "83b5c849-620e-4c23-b63b-2e779c04a6e7",
      status: "MINED",
      traderSide: "MAKER",
      bucketIndex: 0,
      sizeE6: 1_096_870_000,
      priceE4: 5180,
    });
    expect(t.makerOrders.length).toBeGreaterThan(1);
    expect(t.makerOrders[0]).toMatchObject({ matchedSizeE6: 10_000_000, priceE4: 4820, side: "", outcome: "No" });
  });

  test("V2 maker side and ISO times from the docs-style fixture", async () => {
    const f = decodeUserFrame(await text("ws/nautilus_v1_user_trade4.json"));
    expect(f.errors).toEqual([]);
    const t = f.events[0]!;
    if (t.type !== "trade") throw new Error("expected trade");
    expect(t.makerOrders[0]!.side).toBe("BUY");
    const g = decodeUserFrame(await text("fixtures-handwritten/nautilus/ws_user_trade_msg.json"));
    expect(g.events[0]).toMatchObject({ status: "CONFIRMED", matchTimeMs: Date.UTC(2024, 0, 1) });
  });

  test("a frame without event_type is classified by its `type`", async () => {
    const f = decodeUserFrame(await text("fixtures-handwritten/nautilus/ws_user_trade.json"));
    expect(f.events.map((e) => e.type)).toEqual(["trade"]);
  });

  test("bad fields are typed errors and counted", () => {
    const codec = new UserChannelCodec();
    const f = codec.decode(`[{"event_type":"trade","id":"x"},{"event_type":"balance"},"PING"]`);
    expect(f.errors.map((e) => e.code)).toEqual(["MISSING_FIELD", "UNKNOWN_EVENT", "NOT_AN_OBJECT"]);
    expect(codec.errors.MISSING_FIELD).toBe(1);
    expect(codec.decode("PONG").pong).toBe(true);
    expect(codec.decode("nope").errors[0]!.code).toBe("BAD_JSON");
    expect(codec.pongs).toBe(1);
  });
});

describe("subscribe frames", () => {
  test("auth frame carries the raw credentials; the Secret objects stay redacted elsewhere", () => {
    const creds = { apiKey: "key-1", secret: new Secret("s3cr3t", "api secret"), passphrase: new Secret("pa55", "passphrase") };
    expect(userSubscribeFrame(creds, ["0xc"])).toBe(
      `{"auth":{"apiKey":"key-1","secret":"s3cr3t","passphrase":"pa55"},"type":"user","markets":["0xc"]}`,
    );
    expect(JSON.stringify(creds)).not.toContain("s3cr3t");
    expect(userAddMarketsFrame(["0xd"])).toBe(`{"operation":"subscribe","markets":["0xd"]}`);
  });
});
