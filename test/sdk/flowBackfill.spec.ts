/**
 * FlowBackfill's schedule, worked out without any Pulumi runtime: which runs, their names, keys,
 * cyctimes and filled conf, the lanes, and every validation message.
 */
import { strict as assert } from "assert";
import * as pulumi from "@pulumi/pulumi";
import { BACKFILL_PLACEHOLDERS, MAX_BACKFILL_RUNS, backfillKey, countStatuses, fillPlaceholders, planBackfill, type FlowBackfillArgs } from "../../sdk/flowBackfill";

const IDS = { projectId: "FP-D3M0000000000001", flowId: "F-D3M0000000000001" };
const DAY = 24 * 3600_000;

function plan(args: Partial<FlowBackfillArgs>) {
    return planBackfill("nov", { ...IDS, ...args } as FlowBackfillArgs);
}

function problemsOf(args: Partial<FlowBackfillArgs>): string {
    try {
        plan(args);
    } catch (err) {
        return (err as Error).message;
    }
    assert.fail("expected the schedule to be rejected");
}

describe("FlowBackfill schedule", () => {
    it("plans one run per day, inclusive of both ends, named by date", () => {
        const runs = plan({ from: "2026-11-01", to: "2026-11-27" });
        assert.equal(runs.length, 27);
        assert.equal(runs[0].name, "nov-2026-11-01");
        assert.equal(runs[26].name, "nov-2026-11-27");
        assert.equal(runs[0].key, "2026-11-01");
        assert.equal(runs[0].cyctime, Date.UTC(2026, 10, 1));
        assert.equal(runs[0].conf.cyctime, String(Date.UTC(2026, 10, 1)));
        assert.deepEqual(
            runs.map((r) => r.cyctime - runs[0].cyctime),
            runs.map((_, i) => i * DAY),
        );
    });

    it("fills every placeholder per run and leaves {{ }} as literal braces", () => {
        const [run] = plan({
            from: "2026-11-05T06:30",
            to: "2026-11-05T06:30",
            conf: { a: "{yyyyMMdd}", b: "{yyyy-MM-dd}", c: "{yyyy}/{MM}/{dd} {HH}:{mm}", d: "{cyctime}", e: "{{literal}} x", f: "plain" },
        });
        const ms = Date.UTC(2026, 10, 5, 6, 30);
        assert.deepEqual(run.conf, { a: "20261105", b: "2026-11-05", c: "2026/11/05 06:30", d: String(ms), e: "{literal} x", f: "plain", cyctime: String(ms) });
        assert.equal(run.key, "2026-11-05T06:30");
        assert.equal(run.name, "nov-2026-11-05T0630");
        assert.deepEqual([...BACKFILL_PLACEHOLDERS].sort(), ["HH", "MM", "cyctime", "dd", "mm", "yyyy", "yyyy-MM-dd", "yyyyMMdd"]);
    });

    it("reads dates and fills placeholders at utcOffset", () => {
        const [run] = plan({ from: "2026-11-01", to: "2026-11-01", utcOffset: "+08:00", conf: { bizdate: "{yyyyMMdd}", hour: "{HH}" } });
        // Midnight in Beijing is 16:00 UTC the day before.
        assert.equal(run.cyctime, Date.UTC(2026, 9, 31, 16));
        assert.equal(run.conf.bizdate, "20261101");
        assert.equal(run.conf.hour, "00");
        assert.equal(run.key, "2026-11-01");
    });

    it("names sub-daily runs with their time, and midnight runs by date alone", () => {
        const runs = plan({ from: "2026-11-01", to: "2026-11-02", every: "6h" });
        assert.deepEqual(
            runs.map((r) => r.name),
            ["nov-2026-11-01", "nov-2026-11-01T0600", "nov-2026-11-01T1200", "nov-2026-11-01T1800", "nov-2026-11-02"],
        );
        assert.equal(plan({ from: "2026-11-01T00:00", to: "2026-11-01T01:00", every: "30m" }).length, 3);
    });

    it("keeps each run's name and inputs when the range widens or narrows", () => {
        const narrow = plan({ from: "2026-11-03", to: "2026-11-05", conf: { bizdate: "{yyyyMMdd}" } });
        const wide = plan({ from: "2026-11-01", to: "2026-11-07", conf: { bizdate: "{yyyyMMdd}" } });
        for (const run of narrow) {
            const same = wide.find((w) => w.name === run.name);
            assert.ok(same, `${run.name} is still planned`);
            assert.deepEqual(same.conf, run.conf);
        }
        assert.deepEqual(
            wide.filter((w) => !narrow.some((n) => n.name === w.name)).map((w) => w.key),
            ["2026-11-01", "2026-11-02", "2026-11-06", "2026-11-07"],
        );
    });

    it("puts runs in maxConcurrent lanes: each waits for the run maxConcurrent places before it", () => {
        const runs = plan({ from: "2026-11-01", to: "2026-11-05", maxConcurrent: 2 });
        assert.deepEqual(
            runs.map((r) => r.after),
            [undefined, undefined, 0, 1, 2],
        );
        assert.deepEqual(
            plan({ from: "2026-11-01", to: "2026-11-03" }).map((r) => r.after),
            [undefined, 0, 1],
            "one at a time by default",
        );
    });

    it("takes explicit cyctimes in any order and runs them in time order", () => {
        const runs = plan({ cyctimes: ["2026-11-03", new Date(Date.UTC(2026, 10, 1)), Date.UTC(2026, 10, 2, 12), "2026-11-04T00:00:00+08:00"] });
        assert.deepEqual(
            runs.map((r) => r.key),
            ["2026-11-01", "2026-11-02T12:00", "2026-11-03", "2026-11-03T16:00"],
        );
    });

    it("rejects from after to, naming both and what to do", () => {
        assert.match(problemsOf({ from: "2026-11-27", to: "2026-11-01" }), /from: 2026-11-27 is after to \(2026-11-01\): the range is empty; swap them/);
    });

    it(`rejects a range of more than ${MAX_BACKFILL_RUNS} runs, with the count and the limit`, () => {
        assert.equal(plan({ from: "2026-01-01", to: "2027-01-01" }).length, 366);
        assert.match(problemsOf({ from: "2026-01-01", to: "2027-01-02" }), /is 367 runs; one FlowBackfill runs at most 366: split it/);
        assert.match(problemsOf({ from: "2026-11-01", to: "2026-11-30", every: "1h" }), /is 697 runs/);
        assert.match(problemsOf({ cyctimes: Array.from({ length: 367 }, (_, i) => Date.UTC(2026, 0, 1) + i * DAY) }), /has 367 times/);
    });

    it("rejects an empty list of cyctimes and duplicates", () => {
        assert.match(problemsOf({ cyctimes: [] }), /cyctimes: is empty/);
        assert.match(problemsOf({ cyctimes: ["2026-11-01", "2026-11-01T00:00:00Z"] }), /cyctimes\[1\]: 2026-11-01 is also cyctimes\[0\]/);
    });

    for (const every of ["0d", "1x", "1.5d", "-1d", "", "d", "1 d", "1w"]) {
        it(`rejects the interval ${JSON.stringify(every)}`, () => {
            assert.match(problemsOf({ from: "2026-11-01", to: "2026-11-02", every }), /every: .* is not an interval: use a whole number and m, h or d/);
        });
    }

    it("rejects unknown placeholders, naming them and the known ones", () => {
        const message = problemsOf({ from: "2026-11-01", to: "2026-11-02", conf: { bizdate: "{yyyymmdd}-{date}" } });
        assert.match(message, /conf\.bizdate: unknown placeholders \{yyyymmdd\}, \{date\}: known are \{yyyyMMdd\}, \{yyyy-MM-dd\}/);
        assert.match(message, /write \{\{ and \}\} for literal braces/);
        assert.match(problemsOf({ from: "2026-11-01", to: "2026-11-02", conf: { x: "a}b" } }), /unmatched brace/);
    });

    it("rejects cyctime in conf, since every run sets its own", () => {
        assert.match(problemsOf({ from: "2026-11-01", to: "2026-11-02", conf: { cyctime: "1" } }), /conf\.cyctime: is set on every run/);
    });

    it("rejects dates that do not exist, bad offsets, and times off the minute", () => {
        assert.match(problemsOf({ from: "2026-02-30", to: "2026-03-02" }), /from: "2026-02-30" is not a date that exists/);
        assert.match(problemsOf({ from: "Nov 1", to: "2026-11-02" }), /from: "Nov 1" is not a time/);
        assert.match(problemsOf({ from: "2026-11-01", to: "2026-11-02", utcOffset: "+8" }), /utcOffset: "\+8" is not an offset/);
        assert.match(problemsOf({ cyctimes: ["2026-11-01T00:00:30Z"] }), /not on a whole minute/);
        assert.match(problemsOf({ cyctimes: [1_762_000_000] }), /outside 2000-01-01\.\.2100-01-01/);
    });

    it("rejects an Output for from, saying the runs must be known before deployment", () => {
        const message = problemsOf({ from: pulumi.output("2026-11-01") as unknown as string, to: "2026-11-02" });
        assert.match(message, /from: must be a plain value known when the program runs, not an Output/);
    });

    it("requires from and to unless cyctimes are given, and not both", () => {
        const message = problemsOf({});
        assert.match(message, /from: is required/);
        assert.match(message, /to: is required/);
        assert.match(problemsOf({ cyctimes: ["2026-11-01"], from: "2026-11-01" }), /either cyctimes or from\/to\/every, not both/);
    });

    it("rejects a bad maxConcurrent and malformed plain IDs once, not once per run", () => {
        assert.match(problemsOf({ from: "2026-11-01", to: "2026-11-02", maxConcurrent: 0 }), /maxConcurrent: 0 must be a whole number from 1 to 366/);
        assert.match(problemsOf({ from: "2026-11-01", to: "2026-11-02", maxConcurrent: 1.5 }), /maxConcurrent/);
        const message = problemsOf({ from: "2026-11-01", to: "2026-11-30", projectId: "FP-nope" });
        assert.equal(message.match(/FP-nope/g)?.length, 1);
    });

    it("reports every problem in one error", () => {
        const message = problemsOf({ from: "2026-11-05", to: "2026-11-01", maxConcurrent: -1, conf: { x: "{nope}" } });
        assert.match(message, /^FlowBackfill "nov" is not valid:\n {2}- /);
        assert.equal(message.split("\n  - ").length - 1, 3);
    });

    it("keys and fills times consistently with the offset", () => {
        assert.equal(backfillKey(Date.UTC(2026, 10, 1, 16), 8 * 60), "2026-11-02");
        assert.equal(fillPlaceholders("{yyyyMMdd}{HH}", Date.UTC(2026, 10, 1, 16), 8 * 60), "2026110200");
        assert.deepEqual(countStatuses(["SUCCEEDED", "FAILED", "SUCCEEDED", undefined]), { SUCCEEDED: 2, FAILED: 1, UNKNOWN: 1 });
    });
});
