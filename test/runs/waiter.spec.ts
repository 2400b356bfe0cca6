import { strict as assert } from "assert";
import { POLL_FLOOR_MS, formatElapsed, pollInterval, progressLine, systemClock, waitForInstance, type WaitClock } from "../../provider/runs/waiter";
import type { FlowInstance } from "../../provider/client/responses";
import { FakeClock } from "../support/fakeClock";
import { fakeInstance } from "../support/fakeInstance";

/** A run that is PREP for `prepMs`, RUNNING until `endMs`, then `final`, on the fake clock. */
function scriptedRun(clock: FakeClock, prepMs: number, endMs: number, final = "SUCCEEDED") {
    const start = clock.time;
    let calls = 0;
    return {
        get calls() {
            return calls;
        },
        describe: async (): Promise<FlowInstance> => {
            calls++;
            const t = clock.time - start;
            const status = t < prepMs ? "PREP" : t < endMs ? "RUNNING" : final;
            return fakeInstance({ status, nodes: [{ nodeName: "n1", status: status === "SUCCEEDED" ? "SUCCESS" : "RUNNING" }] });
        },
    };
}

describe("waitForInstance", () => {
    it("keeps the detection delay within max(10 s, 5% of elapsed) on every interval", () => {
        for (let poll = 0; poll < 200; poll++) {
            for (const elapsed of [0, 5_000, 60_000, 199_000, 600_000, 3_600_000]) {
                const interval = pollInterval(poll, elapsed);
                const bound = Math.max(POLL_FLOOR_MS, 0.05 * (elapsed + interval));
                assert.ok(interval <= bound + 1, `poll ${poll} at ${elapsed} ms: ${pollInterval(poll, elapsed)} > ${bound}`);
            }
        }
    });

    it("sees a run that ends in three seconds within the fast ramp", async () => {
        const clock = new FakeClock();
        const run = scriptedRun(clock, 500, 3_000);
        const result = await waitForInstance({ instanceId: "FI-1", until: "completion", startedAt: clock.time, deadline: clock.time + 3_600_000, describe: run.describe, clock });
        assert.equal(result.outcome, "reached");
        assert.equal(result.instance?.status, "SUCCEEDED");
        const waited = clock.sleeps.reduce((a, b) => a + b, 0);
        assert.ok(waited <= 8_000, `waited ${waited} ms: ${clock.sleeps.join(", ")}`);
        assert.ok(run.calls <= 4, `calls: ${run.calls}`);
    });

    it("spends about 40 DescribeFlowInstance calls on a ten-minute run and detects the end in time", async () => {
        const clock = new FakeClock();
        const started = clock.time;
        const run = scriptedRun(clock, 5_000, 600_000);
        const result = await waitForInstance({ instanceId: "FI-1", until: "completion", startedAt: started, deadline: started + 3_600_000, describe: run.describe, clock });
        assert.equal(result.outcome, "reached");
        const delay = clock.time - started - 600_000;
        assert.ok(delay <= Math.max(10_000, 0.05 * 600_000), `detected ${delay} ms late`);
        // No schedule that keeps the detection bound does better than 42 (see the waiter's
        // comment); the fast ramp and jitter add two or three.
        assert.ok(run.calls >= 42 && run.calls <= 45, `calls: ${run.calls}`);
    });

    it("stops at the deadline with the last status seen", async () => {
        const clock = new FakeClock();
        const run = scriptedRun(clock, 1_000, 10_000_000);
        const result = await waitForInstance({ instanceId: "FI-1", until: "completion", startedAt: clock.time, deadline: clock.time + 120_000, describe: run.describe, clock });
        assert.equal(result.outcome, "timeout");
        assert.equal(result.instance?.status, "RUNNING");
        assert.equal(clock.time, Date.UTC(2026, 10, 28) + 120_000, "never sleeps past the deadline");
    });

    it("returns at start once the run leaves PREP", async () => {
        const clock = new FakeClock();
        const run = scriptedRun(clock, 6_000, 60_000);
        const result = await waitForInstance({ instanceId: "FI-1", until: "start", startedAt: clock.time, deadline: clock.time + 3_600_000, describe: run.describe, clock });
        assert.equal(result.instance?.status, "RUNNING");
    });

    it("keeps waiting through an unknown status value", async () => {
        const clock = new FakeClock();
        let calls = 0;
        const result = await waitForInstance({
            instanceId: "FI-1",
            until: "start",
            startedAt: clock.time,
            deadline: clock.time + 3_600_000,
            clock,
            describe: async () => fakeInstance({ status: ++calls < 3 ? "QUEUED_SOMEWHERE_NEW" : "RUNNING" }),
        });
        assert.equal(calls, 3);
        assert.equal(result.instance?.status, "RUNNING");
    });

    it("rides out transient errors and throws the others", async () => {
        const { EmrApiError } = await import("../../provider/client/errors");
        const clock = new FakeClock();
        let calls = 0;
        const throttled = () => new EmrApiError("Throttling.User", "slow down", { statusCode: 400, requestId: "R1", retryable: true });
        const result = await waitForInstance({
            instanceId: "FI-1",
            until: "completion",
            startedAt: clock.time,
            deadline: clock.time + 3_600_000,
            clock,
            describe: async () => {
                calls++;
                if (calls <= 2) throw throttled();
                return fakeInstance({ status: "SUCCEEDED" });
            },
        });
        assert.equal(result.transientErrors, 2);
        assert.equal(result.instance?.status, "SUCCEEDED");

        const denied = new EmrApiError("Forbidden.RAM", "no permission", { statusCode: 403, requestId: "R2", retryable: false });
        await assert.rejects(
            waitForInstance({ instanceId: "FI-1", until: "completion", startedAt: clock.time, deadline: clock.time + 60_000, clock, describe: async () => Promise.reject(denied) }),
            (err: unknown) => err === denied,
        );
    });

    it("prints on each status change and otherwise at most once a minute", async () => {
        const clock = new FakeClock();
        const lines: string[] = [];
        const run = scriptedRun(clock, 30_000, 400_000);
        await waitForInstance({ instanceId: "FI-1", until: "completion", startedAt: clock.time, deadline: clock.time + 3_600_000, describe: run.describe, clock, progress: (l) => lines.push(l) });
        const statuses = lines.map((l) => l.split(" ")[2].replace(",", ""));
        assert.equal(statuses[0], "PREP");
        assert.ok(statuses.includes("RUNNING"));
        assert.equal(statuses[statuses.length - 1], "SUCCEEDED");
        // ~400 s of run: three status changes plus at most one line per minute in between.
        assert.ok(lines.length <= 3 + 7, lines.join("\n"));
    });

    it("says a suspended run is suspended", () => {
        const line = progressLine(fakeInstance({ status: "SUSPENDED", nodes: [{ nodeName: "a", status: "SUCCESS" }, { nodeName: "b", status: "RUNNING" }] }), 95_000);
        assert.match(line, /FI-0000000000000001 SUSPENDED \(suspended/);
        assert.match(line, /1\/2 nodes finished, 1m35s elapsed/);
    });
});

describe("waitForInstance: details of the loop", () => {
    /** A clock that moves `step` ms on every sleep, whatever was asked. */
    const stepping = (step: number, start = Date.UTC(2026, 10, 28)): WaitClock & { time: number } => {
        const c = { time: start, now: () => c.time, random: () => 0, sleep: async () => void (c.time += step) };
        return c;
    };

    it("prints on a status change, and otherwise once a full minute has passed since the last line", async () => {
        const clock = stepping(30_000);
        const started = clock.time;
        const lines: string[] = [];
        await waitForInstance({
            instanceId: "FI-1",
            until: "completion",
            startedAt: started,
            deadline: started + 3_600_000,
            clock,
            describe: async () => fakeInstance({ status: clock.time - started >= 160_000 ? "SUCCEEDED" : "RUNNING" }),
            progress: (l) => lines.push(l),
        });
        assert.deepEqual(
            lines.map((l) => l.replace(/^emr-flow: FI-0000000000000001 /, "")),
            ["RUNNING, 0/0 nodes finished, 30s elapsed", "RUNNING, 0/0 nodes finished, 1m30s elapsed", "RUNNING, 0/0 nodes finished, 2m30s elapsed", "SUCCEEDED, 0/0 nodes finished, 3m00s elapsed"],
        );
    });

    it("passes its deadline to every look at the instance", async () => {
        const clock = new FakeClock();
        const deadline = clock.time + 600_000;
        const asked: unknown[] = [];
        await waitForInstance({ instanceId: "FI-1", until: "completion", startedAt: clock.time, deadline, clock, describe: async (o) => (asked.push(o), fakeInstance({ status: "SUCCEEDED" })) });
        assert.deepEqual(asked, [{ deadline }]);
    });

    it("takes jitter off an interval, never adds it", async () => {
        const clock = new FakeClock(Date.UTC(2026, 10, 28), 1);
        await waitForInstance({ instanceId: "FI-1", until: "completion", startedAt: clock.time, deadline: clock.time + 600_000, clock, describe: async () => fakeInstance({ status: "SUCCEEDED" }) });
        assert.deepEqual(clock.sleeps, [1940]);
    });

    it("takes a suspended run as started, and an empty status as not", async () => {
        const clock = new FakeClock();
        const seen: string[] = [];
        const result = await waitForInstance({
            instanceId: "FI-1",
            until: "start",
            startedAt: clock.time,
            deadline: clock.time + 600_000,
            clock,
            describe: async () => {
                const status = seen.length === 0 ? "" : "SUSPENDED";
                seen.push(status);
                return fakeInstance({ status });
            },
        });
        assert.deepEqual([result.outcome, result.instance?.status, seen.length], ["reached", "SUSPENDED", 2]);
    });

    it("counts every finished node state, and says suspended only of a suspended run", () => {
        const finished = ["SUCCESS", "FAILED", "FAIL", "KILL_SUCCESS", "KILL_FAILED", "KILL_FAIL"];
        for (const status of finished) {
            const nodes = [status, "RUNNING"].map((s, i) => ({ nodeName: `n${i}`, status: s }));
            assert.equal(progressLine(fakeInstance({ status: "RUNNING", nodes }), 5_000), "emr-flow: FI-0000000000000001 RUNNING, 1/2 nodes finished, 5s elapsed", status);
        }
        const unfinished = ["RUNNING", "PREP", "SUSPENDED", ""].map((status, i) => ({ nodeName: `n${i}`, status }));
        assert.equal(progressLine(fakeInstance({ status: "RUNNING", nodes: unfinished }), 5_000), "emr-flow: FI-0000000000000001 RUNNING, 0/4 nodes finished, 5s elapsed");
    });

    it("writes elapsed time as seconds, minutes and seconds, or hours, minutes and seconds", () => {
        assert.deepEqual(
            [0, -5_000, 7_400, 59_500, 65_000, 3_600_000, 3_723_000, 36_005_000].map(formatElapsed),
            ["0s", "0s", "7s", "1m00s", "1m05s", "1h00m00s", "1h02m03s", "10h00m05s"],
        );
    });
});

describe("systemClock", () => {
    it("reads the real clock and a random number in [0, 1)", () => {
        const before = Date.now();
        const now = systemClock.now();
        assert.ok(now >= before && now <= Date.now());
        const draws = Array.from({ length: 20 }, () => systemClock.random());
        for (const r of draws) assert.ok(r >= 0 && r < 1, String(r));
        assert.ok(new Set(draws).size > 1);
    });

    it("sleeps on a timer: a timer set before it for a shorter time fires first", async () => {
        const order: string[] = [];
        setTimeout(() => order.push("timer"), 0);
        await systemClock.sleep(5).then(() => order.push("slept"));
        assert.deepEqual(order, ["timer", "slept"]);
    });
});
