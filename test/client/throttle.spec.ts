/**
 * The process-wide rate limit every client call goes through, and its setting.
 */
import { strict as assert } from "assert";
import { RateLimiter, DEFAULT_MAX_REQUESTS_PER_SECOND, processRateLimiter } from "../../provider/client/throttle";
import { resolveSettings } from "../../provider/client/settings";

/** A clock whose sleep moves time without waiting (after pending callbacks have run). */
function virtualClock() {
    let t = 0;
    return {
        now: () => t,
        sleep: (ms: number) =>
            new Promise<void>((resolve) =>
                setImmediate(() => {
                    t += ms;
                    resolve();
                }),
            ),
    };
}

describe("RateLimiter", () => {
    it("lets a burst of half the rate go at once, then spaces calls at the rate, in order", async () => {
        const clock = virtualClock();
        const limiter = new RateLimiter(10, clock);
        const times: [number, number][] = [];
        await Promise.all(Array.from({ length: 25 }, (_, i) => limiter.acquire().then(() => times.push([i, clock.now()]))));
        assert.deepEqual(times.map(([i]) => i), Array.from({ length: 25 }, (_, i) => i), "first come, first served");
        assert.deepEqual(times.slice(0, 5).map(([, t]) => t), [0, 0, 0, 0, 0]);
        // 20 more at 10 a second: the last one two seconds in.
        assert.equal(times[24]![1], 2000);
        // No one-second window holds more than 1.5 times the rate.
        for (const [, start] of times) assert.ok(times.filter(([, t]) => t >= start && t < start + 1000).length <= 15);
    });

    it("is one limiter per process, set to the last rate asked for", () => {
        const a = processRateLimiter(7);
        const b = processRateLimiter(12);
        assert.equal(a, b);
        assert.equal(b.rate, 12);
        processRateLimiter(DEFAULT_MAX_REQUESTS_PER_SECOND);
    });

    it("rejects a rate that is not positive", () => {
        assert.throws(() => new RateLimiter(0), /positive/);
    });
});

describe("settings: emr-flow:maxRequestsPerSecond", () => {
    it("reads stack config, then EMR_FLOW_MAX_REQUESTS_PER_SECOND, and rejects non-rates naming the source", () => {
        const config = (v?: string) => (k: string) => (k === "emr-flow:maxRequestsPerSecond" ? v : undefined);
        const creds = { ALIBABA_CLOUD_ACCESS_KEY_ID: "id", ALIBABA_CLOUD_ACCESS_KEY_SECRET: "secret-value" };
        assert.equal(resolveSettings({ config: config("25"), env: { ...creds, EMR_FLOW_MAX_REQUESTS_PER_SECOND: "5" } }).maxRequestsPerSecond, 25);
        assert.equal(resolveSettings({ env: { ...creds, EMR_FLOW_MAX_REQUESTS_PER_SECOND: "2.5" } }).maxRequestsPerSecond, 2.5);
        assert.equal(resolveSettings({ env: creds }).maxRequestsPerSecond, undefined);
        for (const bad of ["0", "-1", "fast", "1e9"]) {
            assert.throws(() => resolveSettings({ config: config(bad), env: creds }), (e: Error) => e.message.includes("stack config emr-flow:maxRequestsPerSecond") && e.message.includes("default 10"));
        }
    });
});
