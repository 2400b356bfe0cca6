import { strict as assert } from "assert";
import * as $tea from "@alicloud/tea-typescript";
import { CredentialsError, EmrApiError, EmrConfigError, EmrNetworkError, EmrResponseError, SubmissionOutcomeUnknownError } from "../../provider/client/errors";
import { type ErrorContext } from "../../provider/client/classify";
import {
    DEFAULT_BASE_DELAY_MS,
    DEFAULT_MAX_ATTEMPTS,
    DEFAULT_MAX_DELAY_MS,
    DEFAULT_MAX_TOTAL_MS,
    backoffDelay,
    retryPolicy,
    shouldRetry,
    systemRetryDeps,
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
    it("retries throttling (any throttling code, or HTTP 429): the gateway turned the submission away", async () => {
        const s = script(throttle, () => apiError(429, "Throttling.Api"), () => apiError(400, "ThrottlingException"), () => apiError(429, "ServiceUnavailable"));
        assert.equal(await run("submit", s), "ok");
        assert.equal(s.calls, 5);
    });

    it("retries nothing after a request the service rejected itself (4xx): nothing was started, and retrying cannot fix it", async () => {
        const s = script(() => apiError(404, "EMR.Flow.NotFound"));
        await assert.rejects(run("submit", s), (e: unknown) => EmrApiError.isInstance(e) && e.code === "EMR.Flow.NotFound");
        assert.equal(s.calls, 1);
    });

    for (const [name, failure] of [
        ["503 ServiceUnavailable", unavailable],
        ["500 InternalError", () => apiError(500, "InternalError")],
        ["502 with a new code", () => apiError(502, "SomeNewBackendError")],
        ["ServiceUnavailable with HTTP 400", () => apiError(400, "ServiceUnavailable")],
    ] as const) {
        it(`does not retry after ${name}: the backend may have created the run before failing`, async () => {
            const s = script(failure);
            await assert.rejects(run("submit", s), (e: unknown) => {
                assert.ok(SubmissionOutcomeUnknownError.isInstance(e), String(e));
                assert.match(e.message, /does not prove that nothing was started/);
                assert.ok(EmrApiError.isInstance(e.cause));
                return true;
            });
            assert.equal(s.calls, 1);
        });
    }

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
        assert.equal(await run("mutation", script(throttle, refused)), "ok");
        const s = script(reset);
        await assert.rejects(run("mutation", s), (e: unknown) => EmrNetworkError.isInstance(e) && e.code === "SocketHangUp" && e.requestMayHaveBeenSent);
        assert.equal(s.calls, 1);
        // A 503 may come after the service acted (a RerunFlow that reran): not retried either.
        const after = script(unavailable);
        await assert.rejects(run("mutation", after), (e: unknown) => EmrApiError.isInstance(e) && e.code === "ServiceUnavailable");
        assert.equal(after.calls, 1);
    });

    it("shouldRetry sums up the rule", () => {
        const net = (sent: boolean) => new EmrNetworkError("X", "x", { retryable: true, phase: "connect", requestMayHaveBeenSent: sent });
        assert.equal(shouldRetry(net(true), "read"), true);
        assert.equal(shouldRetry(net(true), "submit"), false);
        assert.equal(shouldRetry(net(true), "mutation"), false);
        assert.equal(shouldRetry(net(false), "submit"), true);
    });
});

describe("retryPolicy: the limits it accepts", () => {
    it("names the setting and the bound it breaks", () => {
        assert.throws(() => retryPolicy({ maxAttempts: 0 }), { name: "RangeError", message: "retry.maxAttempts must be a number >= 1, got 0" });
        assert.throws(() => retryPolicy({ maxDelayMs: -5 }), { name: "RangeError", message: "retry.maxDelayMs must be a number >= 0, got -5" });
        assert.throws(() => retryPolicy({ maxTotalMs: Number.NaN }), /^RangeError: retry\.maxTotalMs must be a number >= 0, got NaN$/);
        assert.throws(() => retryPolicy({ baseDelayMs: Number.POSITIVE_INFINITY }), /retry\.baseDelayMs/);
    });

    it("takes the bounds themselves: one attempt, zero delays", () => {
        assert.deepEqual(retryPolicy({ maxAttempts: 1, baseDelayMs: 0, maxDelayMs: 0, maxTotalMs: 0 }), { maxAttempts: 1, baseDelayMs: 0, maxDelayMs: 0, maxTotalMs: 0 });
    });

    it("rounds a fractional attempt count down, and keeps fractional delays", () => {
        assert.deepEqual(retryPolicy({ maxAttempts: 2.9, baseDelayMs: 1.5 }), { maxAttempts: 2, baseDelayMs: 1.5, maxDelayMs: DEFAULT_MAX_DELAY_MS, maxTotalMs: DEFAULT_MAX_TOTAL_MS });
    });
});

describe("backoffDelay: out-of-range inputs", () => {
    it("clamps a random value outside [0, 1) to the ends of the jitter", () => {
        const policy = retryPolicy({ baseDelayMs: 100, maxDelayMs: 1_000 });
        assert.equal(backoffDelay(1, policy, () => -3), 50);
        assert.equal(backoffDelay(1, policy, () => 7), 100);
    });

    it("treats retry 0 (or less) as the first retry", () => {
        const policy = retryPolicy({ baseDelayMs: 100, maxDelayMs: 1_000 });
        assert.equal(backoffDelay(0, policy, () => 0.999999), 100);
        assert.equal(backoffDelay(-2, policy, () => 0), 50);
    });
});

describe("systemRetryDeps", () => {
    it("reads the real clock and a random number in [0, 1)", () => {
        const before = Date.now();
        const now = systemRetryDeps.now();
        assert.ok(now >= before && now <= Date.now(), String(now));
        const draws = Array.from({ length: 20 }, () => systemRetryDeps.random());
        for (const r of draws) assert.ok(r >= 0 && r < 1, String(r));
        assert.ok(new Set(draws).size > 1, "not a constant");
    });

    it("sleeps on a timer: a timer set before it for a shorter time fires first", async () => {
        const order: string[] = [];
        setTimeout(() => order.push("timer"), 0);
        const slept = systemRetryDeps.sleep(5).then(() => order.push("slept"));
        assert.ok(slept instanceof Promise);
        await slept;
        assert.deepEqual(order, ["timer", "slept"]);
    });
});

describe("withRetry: limits, hooks and what the errors say", () => {
    it("does not start a retry at or after the caller's deadline", async () => {
        // The first delay (random 0) is 250 ms: a deadline 250 ms away leaves no room, 251 ms does.
        const atDeadline = new FakeTime([0]);
        const s1 = script(throttle, throttle);
        await assert.rejects(
            withRetry(s1.op, { kind: "read", policy: retryPolicy(), deps: atDeadline, context: submitCtx, deadline: atDeadline.time + 250 }),
            (e: unknown) => EmrApiError.isInstance(e) && e.attempts === 1,
        );
        assert.equal(s1.calls, 1);
        assert.deepEqual(atDeadline.sleeps, []);

        const justBefore = new FakeTime([0]);
        const s2 = script(throttle);
        assert.equal(await withRetry(s2.op, { kind: "read", policy: retryPolicy(), deps: justBefore, context: submitCtx, deadline: justBefore.time + 251 }), "ok");
        assert.deepEqual(justBefore.sleeps, [250]);
    });

    it("starts a retry that lands exactly at maxTotalMs, not one past it", async () => {
        const policy = retryPolicy({ baseDelayMs: 1_000, maxDelayMs: 1_000, maxTotalMs: 1_000 });
        const exact = new FakeTime([0.999999]);
        const s1 = script(throttle);
        assert.equal(await run("read", s1, exact, policy), "ok");
        assert.deepEqual(exact.sleeps, [1_000]);

        const over = new FakeTime([0.999999]);
        const s2 = script(throttle);
        await assert.rejects(run("read", s2, over, retryPolicy({ ...policy, maxTotalMs: 999 })), (e: unknown) => EmrApiError.isInstance(e) && e.attempts === 1);
        assert.deepEqual(over.sleeps, []);
    });

    it("tells onRetry the attempt, the delay and the error before each sleep", async () => {
        const time = new FakeTime([0]);
        const seen: { attempt: number; delayMs: number; code: string; sleptBefore: number }[] = [];
        const s = script(throttle, refused);
        const result = await withRetry(s.op, {
            kind: "read",
            policy: retryPolicy(),
            deps: time,
            context: submitCtx,
            onRetry: (info) => seen.push({ attempt: info.attempt, delayMs: info.delayMs, code: info.error.code, sleptBefore: time.sleeps.length }),
        });
        assert.equal(result, "ok");
        assert.deepEqual(seen, [
            { attempt: 1, delayMs: 250, code: "Throttling.User", sleptBefore: 0 },
            { attempt: 2, delayMs: 500, code: "ECONNREFUSED", sleptBefore: 1 },
        ]);
    });

    it("leaves attempts unset on an error that was not retried", async () => {
        await assert.rejects(run("read", script(() => apiError(400, "InvalidParameter"))), (e: unknown) => EmrApiError.isInstance(e) && e.attempts === undefined);
    });

    it("reports a settings error before any request as it is, not as an unknown outcome", async () => {
        const s = script(() => new EmrConfigError("InvalidEndpoint", "bad endpoint", "emr-flow:endpoint"));
        await assert.rejects(run("submit", s), (e: unknown) => EmrConfigError.isInstance(e) && !SubmissionOutcomeUnknownError.isInstance(e));
        assert.equal(s.calls, 1);
    });

    it("names the region, or says it is unknown, in an unknown outcome", async () => {
        await assert.rejects(run("submit", script(reset)), (e: unknown) => SubmissionOutcomeUnknownError.isInstance(e) && e.regionId === "cn-hangzhou");
        await assert.rejects(withRetry(script(reset).op, { kind: "submit", policy: retryPolicy(), deps: new FakeTime(), context: { action: "SubmitFlow" } }), (e: unknown) => {
            assert.ok(SubmissionOutcomeUnknownError.isInstance(e));
            assert.deepEqual([e.regionId, e.projectId, e.flowId], ["unknown", "unknown", "unknown"]);
            return true;
        });
    });

    for (const [name, failure, reason] of [
        ["a read timeout", readTimeout, "the request timed out after it may have been sent (ReadTimeout)."],
        ["a connect timeout", () => Object.assign(new Error("ConnectTimeout: Connect http://h/ failed."), { name: "RequestTimeoutError" }), "the request timed out after it may have been sent (ConnectTimeout)."],
        ["a reset connection", reset, "the connection was lost before an answer arrived (SocketHangUp)."],
        ["a 503", unavailable, "the service answered ServiceUnavailable (HTTP 503), which does not prove that nothing was started."],
        ["an unreadable answer", () => new EmrResponseError("UnexpectedResponse", "no Id", { statusCode: 200 }), "the answer could not be read (UnexpectedResponse, HTTP 200)."],
        ["an unreadable answer without a status", () => new SyntaxError("Unexpected token '<'"), "the answer could not be read (NonJsonResponse)."],
        ["an unexpected throw", () => new TypeError("boom"), "the call failed in an unexpected way (UnexpectedError)."],
    ] as const) {
        it(`says why the outcome of a submission is unknown after ${name}`, async () => {
            await assert.rejects(run("submit", script(failure)), (e: unknown) => {
                assert.ok(SubmissionOutcomeUnknownError.isInstance(e), String(e));
                assert.ok(e.message.includes(`may or may not have started a flow instance: ${reason} It was not retried`), e.message);
                return true;
            });
        });
    }

    it("says the service answered without a status when there was none", async () => {
        const noStatus = () => new EmrApiError("InternalError", "boom", { retryable: true });
        await assert.rejects(run("submit", script(noStatus)), (e: unknown) => SubmissionOutcomeUnknownError.isInstance(e) && e.message.includes(": the service answered InternalError, which does not prove"));
    });

    it("counts the attempt in the reason once the submission was retried", async () => {
        await assert.rejects(run("submit", script(throttle, reset), new FakeTime([0])), (e: unknown) => SubmissionOutcomeUnknownError.isInstance(e) && e.message.includes("before an answer arrived (SocketHangUp) (attempt 2). It was not retried"));
    });
});
