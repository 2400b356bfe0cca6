import { strict as assert } from "assert";
import * as $tea from "@alicloud/tea-typescript";
import { CredentialsError, EmrApiError, EmrNetworkError, EmrResponseError, SubmissionOutcomeUnknownError } from "../../provider/client/errors";
import { type ErrorContext } from "../../provider/client/classify";
import {
    DEFAULT_BASE_DELAY_MS,
    DEFAULT_MAX_ATTEMPTS,
    DEFAULT_MAX_DELAY_MS,
    DEFAULT_MAX_TOTAL_MS,
    backoffDelay,
    retryPolicy,
    shouldRetry,
    withRetry,
    type CallKind,
    type RetryDeps,
} from "../../provider/client/retry";

/** Time that only moves when the code under test sleeps. */
class FakeTime implements RetryDeps {
    time = 1_700_000_000_000;
    sleeps: number[] = [];
    randoms: number[];
    constructor(randoms: number[] = [0.5]) {
        this.randoms = randoms;
    }
    now = (): number => this.time;
    sleep = async (ms: number): Promise<void> => {
        this.sleeps.push(ms);
        this.time += ms;
    };
    random = (): number => this.randoms[(this.sleeps.length) % this.randoms.length];
}

const submitCtx: ErrorContext = { action: "SubmitFlow", regionId: "cn-hangzhou", projectId: "FP-D3M0000000000001", flowId: "F-D3M0000000000001" };

function apiError(statusCode: number, code: string): Error {
    return $tea.newError({ code, message: `code: ${statusCode}, x request id: R`, data: { Code: code, Message: "x", RequestId: "R", statusCode } });
}
const throttle = () => apiError(400, "Throttling.User");
const unavailable = () => apiError(503, "ServiceUnavailable");
const refused = () => Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:1"), { code: "ECONNREFUSED" });
const reset = () => Object.assign(new Error("socket hang up"), { code: "ECONNRESET" });
const readTimeout = () => Object.assign(new Error("ReadTimeout(100)"), { name: "RequestTimeoutError" });

/** An operation that throws the given errors in turn, then returns "ok". */
function script(...failures: (() => unknown)[]) {
    let calls = 0;
    return {
        get calls() {
            return calls;
        },
        op: async () => {
            const next = failures[calls++];
            if (next) throw next();
            return "ok";
        },
    };
}

async function run(kind: CallKind, s: ReturnType<typeof script>, time = new FakeTime(), policy = retryPolicy()) {
    return withRetry(s.op, { kind, policy, deps: time, context: submitCtx });
}

describe("backoffDelay", () => {
    it("grows exponentially from the base, capped, with equal jitter", () => {
        const policy = retryPolicy();
        const low = [1, 2, 3, 4, 5, 6, 7, 8].map((n) => backoffDelay(n, policy, () => 0));
        const high = [1, 2, 3, 4, 5, 6, 7, 8].map((n) => backoffDelay(n, policy, () => 0.999999));
        assert.deepEqual(low, [250, 500, 1000, 2000, 4000, 5000, 5000, 5000]);
        assert.deepEqual(high, [500, 1000, 2000, 4000, 8000, 10000, 10000, 10000]);
    });

    it("stays within [half, all] of the capped exponential for any random value", () => {
        const policy = retryPolicy({ baseDelayMs: 100, maxDelayMs: 1_000 });
        for (let n = 1; n < 12; n++) {
            for (const r of [0, 0.1, 0.5, 0.9, 0.999]) {
                const d = backoffDelay(n, policy, () => r);
                const cap = Math.min(1_000, 100 * 2 ** (n - 1));
                assert.ok(d >= cap / 2 && d <= cap, `retry ${n}, random ${r}: ${d}`);
            }
        }
    });

    it("has documented defaults", () => {
        assert.deepEqual(retryPolicy(), { maxAttempts: DEFAULT_MAX_ATTEMPTS, baseDelayMs: DEFAULT_BASE_DELAY_MS, maxDelayMs: DEFAULT_MAX_DELAY_MS, maxTotalMs: DEFAULT_MAX_TOTAL_MS });
        assert.equal(DEFAULT_MAX_ATTEMPTS, 5);
        assert.throws(() => retryPolicy({ maxAttempts: 0 }), RangeError);
        assert.throws(() => retryPolicy({ baseDelayMs: -1 }), RangeError);
    });
});

describe("withRetry: reads", () => {
    it("retries throttling with growing, capped, jittered delays, then succeeds", async () => {
        const time = new FakeTime([0.2, 0.7, 0.4]);
        const s = script(throttle, throttle, unavailable, throttle);
        assert.equal(await run("read", s, time), "ok");
        assert.equal(s.calls, 5);
        assert.equal(time.sleeps.length, 4);
        for (let i = 1; i < time.sleeps.length; i++) assert.ok(time.sleeps[i] > time.sleeps[i - 1], `delays grow: ${time.sleeps}`);
        for (const d of time.sleeps) assert.ok(d <= DEFAULT_MAX_DELAY_MS);
    });

    it("gives up after maxAttempts with the last error, counting attempts", async () => {
        const time = new FakeTime();
        const s = script(throttle, throttle, throttle, throttle, throttle, throttle, throttle);
        await assert.rejects(run("read", s, time), (e: unknown) => EmrApiError.isInstance(e) && e.code === "Throttling.User" && e.attempts === 5);
        assert.equal(s.calls, 5);
        assert.equal(time.sleeps.length, 4);
    });

    it("stops when the next retry would start after maxTotalMs", async () => {
        const time = new FakeTime([0.999]);
        const s = script(...Array.from({ length: 20 }, () => throttle));
        const policy = retryPolicy({ maxAttempts: 20, baseDelayMs: 1_000, maxDelayMs: 4_000, maxTotalMs: 10_000 });
        await assert.rejects(run("read", s, time, policy), (e: unknown) => EmrApiError.isInstance(e));
        const total = time.sleeps.reduce((a, b) => a + b, 0);
        assert.ok(total <= 10_000, `slept ${total}`);
        assert.ok(s.calls < 20);
    });

    it("retries network errors and unreadable answers", async () => {
        const syntax = () => new SyntaxError("Unexpected token '<'");
        const s = script(reset, readTimeout, refused, syntax);
        assert.equal(await run("read", s), "ok");
        assert.equal(s.calls, 5);
    });

    it("does not retry what retrying cannot fix", async () => {
        for (const failure of [() => apiError(400, "SignatureDoesNotMatch"), () => apiError(403, "Forbidden.RAM"), () => apiError(400, "InvalidParameter")]) {
            const time = new FakeTime();
            const s = script(failure);
            await assert.rejects(run("read", s, time), (e: unknown) => EmrApiError.isInstance(e) && !e.retryable);
            assert.equal(s.calls, 1);
            assert.equal(time.sleeps.length, 0);
        }
    });

    it("with maxAttempts 1 never retries", async () => {
        const s = script(throttle);
        await assert.rejects(run("read", s, new FakeTime(), retryPolicy({ maxAttempts: 1 })));
        assert.equal(s.calls, 1);
    });
});

describe("withRetry: SubmitFlow", () => {
    it("retries throttling and 503: the service answered, so it did not accept the submission", async () => {
        const s = script(throttle, unavailable);
        assert.equal(await run("submit", s), "ok");
        assert.equal(s.calls, 3);
    });

    it("retries a refused connection (nothing was sent) and then reports the network error", async () => {
        const s = script(refused, refused, refused, refused, refused, refused);
        await assert.rejects(run("submit", s), (e: unknown) => EmrNetworkError.isInstance(e) && e.code === "ECONNREFUSED" && e.attempts === 5);
        assert.equal(s.calls, 5);
    });

    for (const [name, failure] of [
        ["a read timeout", readTimeout],
        ["a reset connection", reset],
        ["an unreadable answer", () => new SyntaxError("Unexpected token '<'")],
        ["an answer without an instance ID", () => new EmrResponseError("UnexpectedResponse", "no Id")],
    ] as const) {
        it(`does not retry after ${name}: the outcome is unknown`, async () => {
            const time = new FakeTime();
            const s = script(failure);
            await assert.rejects(run("submit", s, time), (e: unknown) => {
                assert.ok(SubmissionOutcomeUnknownError.isInstance(e), String(e));
                assert.equal(e.projectId, "FP-D3M0000000000001");
                assert.equal(e.flowId, "F-D3M0000000000001");
                assert.equal(e.windowStart, 1_700_000_000_000);
                assert.ok(e.cause, "keeps the cause");
                return true;
            });
            assert.equal(s.calls, 1);
        });
    }

    it("reports an ambiguous failure after retries as unknown too, with the full window", async () => {
        const time = new FakeTime([0]);
        const s = script(throttle, reset);
        await assert.rejects(run("submit", s, time), (e: unknown) => SubmissionOutcomeUnknownError.isInstance(e) && e.windowEnd === time.time && e.windowEnd > e.windowStart && e.attempts === 2);
    });

    it("reports errors made before any request as they are", async () => {
        const s = script(() => new CredentialsError("CredentialsNotFound", "none", []));
        await assert.rejects(run("submit", s), (e: unknown) => CredentialsError.isInstance(e));
    });
});

describe("withRetry: Kill/Suspend/Resume/Rerun", () => {
    it("retries only what provably was not accepted", async () => {
        assert.equal(await run("mutation", script(throttle, unavailable, refused)), "ok");
        const s = script(reset);
        await assert.rejects(run("mutation", s), (e: unknown) => EmrNetworkError.isInstance(e) && e.code === "SocketHangUp" && e.requestMayHaveBeenSent);
        assert.equal(s.calls, 1);
    });

    it("shouldRetry sums up the rule", () => {
        const net = (sent: boolean) => new EmrNetworkError("X", "x", { retryable: true, phase: "connect", requestMayHaveBeenSent: sent });
        assert.equal(shouldRetry(net(true), "read"), true);
        assert.equal(shouldRetry(net(true), "submit"), false);
        assert.equal(shouldRetry(net(true), "mutation"), false);
        assert.equal(shouldRetry(net(false), "submit"), true);
    });
});
