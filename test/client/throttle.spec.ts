/**
 * The process-wide rate limit every client call goes through, and its setting. The adaptive
 * limiter runs on an injected clock: a simulated service that accepts so many calls in any
 * one-second window and throttles the rest, and callers that retry throttled calls after a pause,
 * as the client does. No real time passes.
 */
import { strict as assert } from "assert";
import { AdaptiveRateLimiter, BETA, MIN_RATE, RateLimiter, SCALE_CONSTANT, WindowLimiter, processRateLimiter, resetProcessRateLimiter } from "../../provider/client/throttle";
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

/** A discrete-event clock: sleeps end in time order; time jumps when nothing else can run. */
class SimClock {
    t = 0;
    private timers: { at: number; seq: number; resolve: () => void }[] = [];
    private seq = 0;
    now = (): number => this.t;
    sleep = (ms: number): Promise<void> =>
        new Promise<void>((resolve) => {
            this.timers.push({ at: this.t + Math.max(0, ms), seq: this.seq++, resolve });
        });
    /** Runs until `until` (ms) or until nothing is left to wake. */
    async run(until: number): Promise<void> {
        for (;;) {
            // Let every promise chain that can move, move.
            for (let i = 0; i < 3; i++) await new Promise((r) => setImmediate(r));
            if (this.timers.length === 0) return;
            this.timers.sort((a, b) => a.at - b.at || a.seq - b.seq);
            const next = this.timers[0]!;
            if (next.at > until) return;
            this.timers.shift();
            this.t = next.at;
            next.resolve();
        }
    }
}

/** A service accepting `rate(t)` calls in any rolling second, as the emulator and the gateway count. */
class SimService {
    readonly accepted: number[] = [];
    readonly throttled: number[] = [];
    private window: number[] = [];
    constructor(private readonly rate: (t: number) => number) {}
    call(t: number): boolean {
        while (this.window.length > 0 && this.window[0]! <= t - 1000) this.window.shift();
        if (this.window.length >= this.rate(t)) {
            this.throttled.push(t);
            return false;
        }
        this.window.push(t);
        this.accepted.push(t);
        return true;
    }
    acceptedBetween(from: number, to: number): number {
        return this.accepted.filter((t) => t >= from && t < to).length;
    }
    throttledBetween(from: number, to: number): number {
        return this.throttled.filter((t) => t >= from && t < to).length;
    }
}

/**
 * `workers` callers, each making calls one after another for `durationMs`: wait for the limiter,
 * the service answers after `latencyMs`, a throttled call is retried after `backoffMs`. Returns
 * the times the limiter let calls through.
 */
async function simulate(
    limiter: AdaptiveRateLimiter,
    clock: SimClock,
    service: SimService,
    o: { workers: number; durationMs: number; latencyMs: number; backoffMs: number },
): Promise<number[]> {
    const sends: number[] = [];
    const worker = async (): Promise<void> => {
        while (clock.now() < o.durationMs) {
            const sentAt = await limiter.acquire();
            sends.push(sentAt);
            const ok = service.call(clock.now());
            await clock.sleep(o.latencyMs);
            limiter.record({ sentAt, throttled: !ok });
            if (!ok) await clock.sleep(o.backoffMs);
        }
    };
    const all = Promise.all(Array.from({ length: o.workers }, worker));
    await clock.run(o.durationMs + 60_000);
    await all;
    return sends;
}

/** The most calls let through in any one-second window. */
function maxInAnySecond(times: number[]): number {
    const sorted = [...times].sort((a, b) => a - b);
    let best = 0;
    let lo = 0;
    for (let hi = 0; hi < sorted.length; hi++) {
        while (sorted[hi]! - sorted[lo]! >= 1000) lo++;
        best = Math.max(best, hi - lo + 1);
    }
    return best;
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

    it("waits only for the part of a token it lacks", async () => {
        const clock = virtualClock();
        const limiter = new RateLimiter(10, clock);
        await Promise.all(Array.from({ length: 5 }, () => limiter.acquire()));
        // Half a token back after 50 ms: the next call goes 50 ms later, at 100 ms.
        await clock.sleep(50);
        await limiter.acquire();
        assert.equal(clock.now(), 100);
    });

    it("runs on real time by default", async () => {
        const limiter = new RateLimiter(20);
        const t0 = performance.now();
        // A burst of 10, then one more waits its 50 ms.
        await Promise.all(Array.from({ length: 11 }, () => limiter.acquire()));
        assert.ok(performance.now() - t0 >= 45, "the last call waited");
        const adaptive = new AdaptiveRateLimiter();
        const at = await adaptive.acquire();
        assert.ok(typeof at === "number" && Math.abs(at - performance.now()) < 1000, `acquire answers the time: ${at}`);
    });

    it("is one limiter per process, set to the last rate asked for", () => {
        resetProcessRateLimiter();
        const fresh = processRateLimiter(7);
        assert.equal(fresh.maxRequestsPerSecond, 7, "a fresh process limiter takes the cap asked for");
        fresh.record({ sentAt: 0, throttled: true });
        resetProcessRateLimiter();
        assert.equal(processRateLimiter(7).state().adapting, false, "reset: a fresh process limiter, as a new process has");
        const a = processRateLimiter(7);
        const b = processRateLimiter(12);
        assert.equal(a, b);
        assert.equal(b.rate, 12);
        assert.equal(processRateLimiter(undefined).rate, Infinity, "no cap by default");
    });

    it("rejects a rate that is not positive", () => {
        assert.throws(() => new RateLimiter(0), /positive/);
        assert.throws(() => new WindowLimiter(-1), /positive/);
    });
});

describe("AdaptiveRateLimiter", () => {
    it("does not delay any call before the service throttles", async () => {
        const clock = new SimClock();
        clock.t = 5_000;
        const limiter = new AdaptiveRateLimiter({ clock });
        const times: number[] = [];
        const all = Promise.all(Array.from({ length: 500 }, () => limiter.acquire().then((t) => times.push(t))));
        await clock.run(Infinity);
        await all;
        assert.equal(times.length, 500);
        assert.ok(times.every((t) => t === 5_000), "all 500 at once");
        assert.equal(limiter.rate, Infinity);
        assert.deepEqual(limiter.state(), { adapting: false, throttles: 0, cuts: 0 });
    });

    it("cuts the rate once for the calls that were in flight together, to 0.7 of what the service accepted in the last second", async () => {
        const clock = new SimClock();
        const limiter = new AdaptiveRateLimiter({ clock });
        const service = new SimService(() => 20);
        // 100 at once: 20 accepted, 80 throttled, all answered after 10 ms.
        const sent = await Promise.all(Array.from({ length: 100 }, () => limiter.acquire()));
        const ok = sent.map(() => service.call(clock.now()));
        clock.t = 10;
        sent.forEach((sentAt, i) => limiter.record({ sentAt, throttled: !ok[i] }));
        const state = limiter.state();
        assert.equal(state.throttles, 80);
        assert.equal(state.cuts, 1, "one cut for one episode");
        assert.equal(state.lastThrottledRate, 20);
        assert.ok(Math.abs(state.bucketRate! - 20 * BETA) < 1e-9, `rate ${state.bucketRate}`);
        // The next call waits until the 20 the service took at 0 have left its one-second window.
        const next = limiter.acquire();
        await clock.run(Infinity);
        const at = await next;
        assert.ok(at >= 1000 && at <= 1100, `next call at ${at} ms`);
        assert.ok(service.call(at), "and is accepted");
    });

    it("after a first second spread out, the next call goes as soon as the oldest accepted call leaves the window", async () => {
        const clock = new SimClock();
        const limiter = new AdaptiveRateLimiter({ clock });
        const service = new SimService(() => 20);
        // 20 calls 45 ms apart, each answered at once, all accepted; the 21st at 990 ms is throttled.
        for (let i = 0; i < 20; i++) {
            clock.t = i * 45;
            const sentAt = await limiter.acquire();
            assert.ok(service.call(sentAt));
            limiter.record({ sentAt, throttled: false });
        }
        clock.t = 990;
        const sentAt = await limiter.acquire();
        assert.equal(service.call(sentAt), false);
        limiter.record({ sentAt, throttled: true });
        const next = limiter.acquire();
        await clock.run(Infinity);
        const at = await next;
        // Not a second after the throttling answer (1990 ms): when the call of 0 ms has aged out.
        assert.ok(at >= 1000 && at <= 1010, `next call at ${at} ms`);
        assert.ok(service.call(at), "and is accepted");
    });

    it("after a first second bunched at its end, calls go only as the window makes room", async () => {
        const clock = new SimClock();
        const limiter = new AdaptiveRateLimiter({ clock });
        const service = new SimService(() => 20);
        const send = async (at: number): Promise<[number, boolean]> => {
            clock.t = at;
            const sentAt = await limiter.acquire();
            return [sentAt, service.call(sentAt)];
        };
        // One call at 0, 18 at 900, all answered at once and accepted.
        for (const at of [0, ...Array(18).fill(900)]) {
            const [sentAt, ok] = await send(at);
            assert.ok(ok);
            limiter.record({ sentAt, throttled: false });
        }
        // Two more on their way: one taken by the service at 930, one throttled at 940.
        const [late, lateOk] = await send(930);
        const [over, overOk] = await send(940);
        assert.deepEqual([lateOk, overOk], [true, false]);
        clock.t = 950;
        limiter.record({ sentAt: over, throttled: true });
        clock.t = 960;
        limiter.record({ sentAt: late, throttled: false });
        const times: number[] = [];
        const all = (async () => {
            for (let i = 0; i < 5; i++) {
                const at = await limiter.acquire();
                times.push(at);
                assert.ok(service.call(at), `call at ${at} throttled`);
                limiter.record({ sentAt: at, throttled: false });
            }
        })();
        await clock.run(Infinity);
        await all;
        // The call of 0 leaves the window at 1000, the 18 of 900 at 1900; then the bucket paces,
        // below the service's 20 a second.
        assert.deepEqual(times.slice(0, 2), [1000, 1900]);
        assert.ok(times[4]! - times[2]! >= 2 * 50, `then paced: ${times}`);
    });

    it("callers held for room in the window do not all go at once when it frees: the bucket paces them after", async () => {
        const clock = new SimClock();
        const limiter = new AdaptiveRateLimiter({ clock });
        for (let i = 0; i < 20; i++) {
            clock.t = 900;
            limiter.record({ sentAt: 890, throttled: false });
        }
        clock.t = 950;
        limiter.record({ sentAt: 940, throttled: true });
        const times: number[] = [];
        const all = Promise.all(Array.from({ length: 5 }, () => limiter.acquire().then((t) => times.push(t))));
        await clock.run(Infinity);
        await all;
        assert.equal(times[0], 1900, "when the twenty of 900 leave the window");
        for (let i = 1; i < 5; i++) assert.ok(times[i]! - times[i - 1]! >= Math.floor(1000 / 14), `paced at 14 a second: ${times}`);
    });

    it("once adapting, spaces calls evenly: callers coming back after a quiet spell get no burst", async () => {
        const clock = new SimClock();
        const limiter = new AdaptiveRateLimiter({ clock });
        // Ten accepted in the first second, then throttled: the bucket runs at 7 a second.
        for (let i = 0; i < 10; i++) limiter.record({ sentAt: 0, throttled: false });
        limiter.record({ sentAt: 0, throttled: true });
        assert.ok(Math.abs(limiter.rate - 7) < 1e-9, `rate ${limiter.rate}`);
        clock.t = 60_000;
        const times: number[] = [];
        const all = Promise.all(Array.from({ length: 3 }, () => limiter.acquire().then((t) => times.push(t))));
        await clock.run(Infinity);
        await all;
        assert.deepEqual(times, [60_000, 60_143, 60_286]);
    });

    it("a throttling answer while paced takes back any token saved up: every caller pauses one interval", async () => {
        const clock = new SimClock();
        const limiter = new AdaptiveRateLimiter({ clock });
        // Ten accepted in the first second, then throttled: the bucket runs at 7 a second.
        for (let i = 0; i < 10; i++) limiter.record({ sentAt: 0, throttled: false });
        limiter.record({ sentAt: 0, throttled: true });
        assert.equal(limiter.state().cuts, 1);
        // A quiet spell fills the bucket's one token; a call sent after the cut is throttled.
        clock.t = 10_000;
        limiter.record({ sentAt: 9_000, throttled: true });
        assert.equal(limiter.state().cuts, 2);
        const rate = limiter.rate;
        const next = limiter.acquire();
        await clock.run(Infinity);
        assert.equal(await next, 10_000 + Math.ceil(1000 / rate));
    });

    it("serves callers in the order they asked, even when the window that held an earlier one closes meanwhile", async () => {
        const clock = new SimClock();
        const limiter = new AdaptiveRateLimiter({ clock });
        // Throttled before anything was accepted: the floor rate, room for one call in the window until 1000.
        limiter.record({ sentAt: 0, throttled: true });
        const a = await limiter.acquire();
        assert.equal(a, 0);
        // Its answer (throttled again) at 500 holds its place in the window until 1500.
        clock.t = 500;
        limiter.record({ sentAt: a, throttled: true });
        const order: string[] = [];
        clock.t = 600;
        const b = limiter.acquire().then((t) => (order.push("b"), t));
        await clock.run(1100);
        // c asks after the window's watch has ended, while b is still held by it.
        clock.t = 1100;
        const c = limiter.acquire().then((t) => (order.push("c"), t));
        await clock.run(Infinity);
        const [bt, ct] = await Promise.all([b, c]);
        assert.deepEqual(order, ["b", "c"], `b at ${bt}, c at ${ct}`);
        assert.ok(bt < ct, `b at ${bt}, c at ${ct}`);
        assert.ok(ct - bt >= 1000 / MIN_RATE, `paced at the floor rate: b at ${bt}, c at ${ct}`);
    });

    it("measures what the service accepted over the last second only", () => {
        const clock = new SimClock();
        const limiter = new AdaptiveRateLimiter({ clock });
        // Ten accepted at 0; the throttling answer comes exactly one second later: none of them counts.
        for (let i = 0; i < 10; i++) limiter.record({ sentAt: 0, throttled: false });
        clock.t = 1000;
        limiter.record({ sentAt: 990, throttled: true });
        assert.equal(limiter.state().lastThrottledRate, 0);
        assert.equal(limiter.rate, MIN_RATE);
        // The same a bit earlier: all ten count.
        const other = new AdaptiveRateLimiter({ clock });
        clock.t = 0;
        for (let i = 0; i < 10; i++) other.record({ sentAt: 0, throttled: false });
        clock.t = 999;
        other.record({ sentAt: 990, throttled: true });
        assert.equal(other.state().lastThrottledRate, 10);
        // The answers of the last second bound the growth: twice the 1 answer there is, at most.
        clock.t = 5_000;
        other.record({ sentAt: 4_990, throttled: false });
        assert.equal(other.rate, 10, "not beyond the last throttled rate while few calls go");
    });

    it("grows back along the cubic curve from the cut, and cuts from the lower of the accepted and paced rates", () => {
        const clock = new SimClock();
        const limiter = new AdaptiveRateLimiter({ clock });
        for (let i = 0; i < 20; i++) limiter.record({ sentAt: 0, throttled: false });
        clock.t = 100;
        limiter.record({ sentAt: 50, throttled: true });
        assert.ok(Math.abs(limiter.rate - 14) < 1e-9);
        // One second later, with 20 answers in the last second: W(t) = C (t - K)^3 + 20, K = cbrt(20 (1 - beta) / C).
        clock.t = 1100;
        for (let i = 0; i < 19; i++) limiter.record({ sentAt: 1000, throttled: false });
        const k = Math.cbrt((20 * (1 - BETA)) / SCALE_CONSTANT);
        const expected = SCALE_CONSTANT * (1 - k) ** 3 + 20;
        assert.ok(Math.abs(limiter.rate - expected) < 1e-9, `rate ${limiter.rate}, expected ${expected}`);
        // Throttled again while paced: 19 accepted in the last second, the bucket at ~18.7: the lower one.
        const paced = limiter.rate;
        limiter.record({ sentAt: 1050, throttled: true });
        assert.ok(Math.abs(limiter.state().lastThrottledRate! - paced) < 1e-9);
        assert.ok(Math.abs(limiter.rate - paced * BETA) < 1e-9, `cut to ${limiter.rate}`);
    });

    it("a cap set while adapting lowers the bucket's rate, and a higher one leaves it", () => {
        const clock = new SimClock();
        const limiter = new AdaptiveRateLimiter({ clock });
        for (let i = 0; i < 20; i++) limiter.record({ sentAt: 0, throttled: false });
        limiter.record({ sentAt: 0, throttled: true });
        limiter.setCap(30);
        assert.equal(limiter.state().bucketRate, 14);
        assert.equal(limiter.state().cap, 30);
        limiter.setCap(5);
        assert.equal(limiter.state().bucketRate, 5);
        assert.equal(limiter.rate, 5);
        limiter.setCap(undefined);
        assert.equal(limiter.state().cap, undefined);
        assert.equal(limiter.rate, 5);
    });

    it("converges to the service's rate: most of it used, few calls throttled", async function () {
        this.timeout(60_000);
        const clock = new SimClock();
        const limiter = new AdaptiveRateLimiter({ clock });
        const service = new SimService(() => 20);
        await simulate(limiter, clock, service, { workers: 20, durationMs: 60_000, latencyMs: 20, backoffMs: 500 });
        // The last 40 s, after the first episode has settled.
        const accepted = service.acceptedBetween(20_000, 60_000) / 40;
        const throttled = service.throttledBetween(20_000, 60_000);
        const share = throttled / (throttled + service.acceptedBetween(20_000, 60_000));
        assert.ok(accepted >= 0.8 * 20, `accepted ${accepted}/s of the 20/s the service allows`);
        assert.ok(accepted <= 20);
        assert.ok(share <= 0.05, `throttled share ${share}`);
        assert.ok(limiter.rate >= 0.5 * 20 && limiter.rate <= 1.5 * 20, `rate ${limiter.rate}`);
        // Without the limiter the same callers would have been throttled on most calls.
        assert.ok(limiter.state().adapting);
    });

    it("recovers after the service stops throttling", async function () {
        this.timeout(60_000);
        const clock = new SimClock();
        const limiter = new AdaptiveRateLimiter({ clock });
        // 10 a second for 20 s (another user of the AccessKey), then 1,000.
        const service = new SimService((t) => (t < 20_000 ? 10 : 1000));
        await simulate(limiter, clock, service, { workers: 20, durationMs: 40_000, latencyMs: 20, backoffMs: 500 });
        const before = service.acceptedBetween(10_000, 20_000) / 10;
        const after = service.acceptedBetween(30_000, 40_000) / 10;
        assert.ok(before <= 10, `before ${before}`);
        // 20 callers with 20 ms of latency can make at most 1,000 calls a second.
        assert.ok(after >= 500, `after ${after}/s: the rate climbed back`);
        assert.ok(limiter.rate >= 500, `rate ${limiter.rate}`);
    });

    it("never lets more calls through than the cap in any one second, throttled or not", async function () {
        this.timeout(60_000);
        for (const serviceRate of [1000, 8]) {
            const clock = new SimClock();
            const limiter = new AdaptiveRateLimiter({ clock, maxRequestsPerSecond: 15 });
            const service = new SimService(() => serviceRate);
            const sends = await simulate(limiter, clock, service, { workers: 30, durationMs: 20_000, latencyMs: 5, backoffMs: 300 });
            assert.ok(maxInAnySecond(sends) <= 15, `service ${serviceRate}/s: ${maxInAnySecond(sends)} in one second`);
            assert.ok(limiter.rate <= 15);
            if (serviceRate === 1000) {
                assert.ok(sends.length >= 15 * 19, `the cap is used: ${sends.length} in 20 s`);
                assert.equal(service.throttled.length, 0);
            } else {
                assert.ok(limiter.state().adapting, "below the cap, the service's throttling still adapts the rate");
            }
        }
    });

    it("the cap holds each call's place until a second after its answer", async () => {
        const clock = new SimClock();
        const cap = new WindowLimiter(2, clock);
        const times: number[] = [];
        const first = await Promise.all([cap.acquire(), cap.acquire()]);
        assert.deepEqual(first, [0, 0]);
        clock.t = 300;
        cap.answered(0);
        cap.answered(12_345); // not a call of the window: nothing changes
        const all = Promise.all(Array.from({ length: 2 }, () => cap.acquire().then((t) => times.push(t))));
        await clock.run(Infinity);
        await all;
        assert.deepEqual(times, [1000, 1300]);
    });

    it("a cap equal to the service's rate is not throttled, however long calls take to arrive", async function () {
        this.timeout(60_000);
        const clock = new SimClock();
        const limiter = new AdaptiveRateLimiter({ clock, maxRequestsPerSecond: 20 });
        const service = new SimService(() => 20);
        // Calls take 150 ms to reach the service in the first second (connections being set up),
        // 5 ms after, and as long again to be answered.
        const worker = async (): Promise<void> => {
            while (clock.now() < 10_000) {
                const sentAt = await limiter.acquire();
                const way = sentAt < 1000 ? 150 : 5;
                await clock.sleep(way);
                const ok = service.call(clock.now());
                await clock.sleep(way);
                limiter.record({ sentAt, throttled: !ok });
                if (!ok) await clock.sleep(300);
            }
        };
        const all = Promise.all(Array.from({ length: 30 }, worker));
        await clock.run(Infinity);
        await all;
        assert.equal(service.throttled.length, 0);
        assert.ok(service.accepted.length >= 20 * 9, `the cap is used: ${service.accepted.length} in 10 s`);
        assert.equal(limiter.state().adapting, false);
    });

    it("a changed cap keeps the calls already in its window", async () => {
        const clock = new SimClock();
        const limiter = new AdaptiveRateLimiter({ clock, maxRequestsPerSecond: 2 });
        await Promise.all([limiter.acquire(), limiter.acquire()]);
        limiter.setCap(3);
        const times: number[] = [];
        const all = Promise.all(Array.from({ length: 2 }, () => limiter.acquire().then((t) => times.push(t))));
        await clock.run(Infinity);
        await all;
        assert.deepEqual(times, [0, 1000], "one more fits in the window of the first two, not three");
    });

    it("keeps a fractional cap on average", async () => {
        const clock = new SimClock();
        const cap = new WindowLimiter(0.5, clock);
        const times: number[] = [];
        const all = Promise.all(Array.from({ length: 4 }, () => cap.acquire().then(() => times.push(clock.now()))));
        await clock.run(Infinity);
        await all;
        assert.deepEqual(times, [0, 2000, 4000, 6000]);
    });

    it("the process limiter keeps what it learned when the cap changes", () => {
        const limiter = processRateLimiter(undefined);
        limiter.record({ sentAt: 0, throttled: true });
        assert.ok(limiter.state().adapting);
        const capped = processRateLimiter(3);
        assert.equal(capped, limiter);
        assert.equal(capped.maxRequestsPerSecond, 3);
        assert.ok(capped.state().adapting);
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
            assert.throws(() => resolveSettings({ config: config(bad), env: creds }), (e: Error) => e.message.includes("stack config emr-flow:maxRequestsPerSecond") && e.message.includes("default: no cap"));
        }
    });
});
