import assert from "node:assert/strict";
import { describe, test } from "../helpers/node-test.js";
import { RateLimiter } from "../../src/dialects/shared/rate-limiter.js";

void describe("RateLimiter", () => {
  void test("allows a burst of `rate` requests, then refuses until tokens refill", () => {
    let now = 1000;
    const limiter = new RateLimiter(() => now);
    const taken = Array.from({ length: 7 }, () => limiter.take("k", 5));
    assert.deepEqual(taken, [true, true, true, true, true, false, false]);
    now += 200; // 0.2 s at 5/s = one token
    assert.equal(limiter.take("k", 5), true);
    assert.equal(limiter.take("k", 5), false);
    now += 1000;
    assert.equal(Array.from({ length: 6 }, () => limiter.take("k", 5)).filter(Boolean).length, 5, "refill is capped at the burst size");
  });

  void test("keys are independent", () => {
    const now = 0;
    const limiter = new RateLimiter(() => now);
    assert.equal(limiter.take("a", 1), true);
    assert.equal(limiter.take("a", 1), false);
    assert.equal(limiter.take("b", 1), true);
  });

  void test("a rate below one per second allows one request per 1/rate seconds", () => {
    let now = 0;
    const limiter = new RateLimiter(() => now);
    assert.equal(limiter.take("slow", 0.5), true);
    assert.equal(limiter.take("slow", 0.5), false);
    now += 1000;
    assert.equal(limiter.take("slow", 0.5), false, "half a token after one second");
    now += 1000;
    assert.equal(limiter.take("slow", 0.5), true);
  });
});
