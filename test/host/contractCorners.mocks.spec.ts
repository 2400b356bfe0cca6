/**
 * The fault matrix across the corners Alibaba's documents leave open: stacks of FlowSubmissions
 * deployed through the real provider host against the emulator, with the emulator playing each
 * reading of `TimeRange`, `ScheduleTime` and `PageSize` (see the emulator README's "Contract
 * corners") and the answers no document rules out (a 5xx or a proxy's HTML page after the run
 * was created, throttling codes under HTTP 400/429/503, a list answer without its list, a page
 * emptied under its Total). A user re-runs `pulumi up` after a failure.
 *
 * Every row asserts its exact number of `pulumi up`s, the SubmitFlow calls the emulator saw, and
 * zero duplicate and zero lost runs (or, where the provider must stop, an error naming every
 * candidate run).
 *
 * Which combinations run, and why (all of them would be 3 × 4 × 3 settings times every fault):
 * - a setting matters only to the search for an ambiguous submission's run, so each setting runs
 *   against the faults that start such a search: one that leaves a run behind (`drop-after`, a
 *   5xx or HTML page after the action), so that finding it is tested, and, for `TimeRange` on
 *   StartTime, one that leaves none (`drop-before`), so that not inventing one is tested;
 * - `ScheduleTime` matters when two ambiguous runs of one flow need telling apart: those rows put
 *   both on one flow, with cyctimes that have seconds and milliseconds so that rounding shows;
 * - the `PageSize` cap matters when the run is beyond the first page: those rows put 25 or 55
 *   runs on one flow and make the first ones ambiguous (the oldest, so the last page);
 * - the 5xx/HTML and throttling rows need no setting (they decide whether a search happens);
 * - two rows combine all three settings, each at its hardest value.
 * PREP lasts ten seconds here (1/100 of the seed's), so every search meets runs still in PREP.
 */
import { strict as assert } from "assert";
import { startEmulator, type ContractCorners, type FaultRule, type RunningEmulator, type Seed } from "../../emulator";
import { QUICK_FLOWS, RELIABILITY_SEED, Stack, TIME_SCALE, programOf, runsFor, tally, type RowResult, type RunSpec } from "./reliabilityRun";
import { TEST_KEY_ID, TEST_KEY_SECRET } from "../support/testEnv";

/** Short enough that a delayed answer times out quickly; long enough for a loaded loopback. */
const READ_TIMEOUT_MS = 1000;
/** Ten seconds of PREP at the time scale used. */
const SEED: Seed = { ...RELIABILITY_SEED, prepMs: 1_000_000 };
/** Longer than the search's slack (see `quietMs`). */
const QUIET_MS = 3_500;
const DEFAULTS: ContractCorners = { timeRangeOn: "GmtCreate", scheduleTime: "cyctime", pageSizeCap: null };

interface Expect {
    /** Exact `pulumi up`s until done (or, with `stops`, the ups made). */
    ups: number;
    /** Exact SubmitFlow calls the emulator saw for the row. */
    submitCalls: number;
    /** Runs adopted after an unknown outcome (the "adopted … as the run of" lines). */
    adopted?: number;
    /** Submissions found not to have taken effect and sent once more. */
    resubmitted?: number;
    /** The deployment must stop naming every candidate (not complete). */
    stops?: RegExp;
    /**
     * Wait this long first. Without a schedule time to compare, runs of the same flow that an
     * earlier row created within the search's slack (3 s) could be this row's: that is the limit
     * of adoption the README documents, not what these rows test.
     */
    quietMs?: number;
}

interface MatrixRow extends RowResult {
    corners: string;
    faults: string;
    submitCalls: number;
}

/** Runs with cyctimes that have seconds and milliseconds (so rounding to the second or minute changes them). */
function oddRuns(row: string, n: number, extra: Partial<RunSpec> = {}): RunSpec[] {
    return runsFor(row, n, { waitFor: "submission", ...extra }).map((r) => ({ ...r, conf: { ...r.conf, cyctime: String(Number(r.conf.cyctime) + 31_640) } }));
}

describe("reliability: the fault matrix across the contract corners (real host, emulator)", function () {
    this.timeout(120_000);
    let emu: RunningEmulator;
    const rows: MatrixRow[] = [];
    const stacks: Stack[] = [];

    before(async () => {
        emu = await startEmulator({ accessKeyId: TEST_KEY_ID, accessKeySecret: TEST_KEY_SECRET, timeScale: TIME_SCALE, seed: SEED });
    });
    afterEach(() => {
        emu.faults.clear();
        emu.corners(DEFAULTS);
    });
    after(async () => {
        if (rows.length > 0) console.log(`\n${table(rows)}\n`);
        for (const s of stacks) s.dispose();
        await emu?.close();
    });

    /** Deploys `runs` under `corners` and `faults` until done, counts the row, and checks it against `expect`. */
    async function row(name: string, corners: Partial<ContractCorners>, runs: RunSpec[], faults: FaultRule[], expect: Expect): Promise<{ counted: MatrixRow; stack: Stack }> {
        if (expect.quietMs) await new Promise((resolve) => setTimeout(resolve, expect.quietMs));
        emu.corners({ ...DEFAULTS, ...corners });
        const stack = await Stack.start(emu, { project: `emr-flow-corners-${name}`, config: { "emr-flow:readTimeoutMs": String(READ_TIMEOUT_MS) } });
        stacks.push(stack);
        const before = emu.stats().calls.SubmitFlow ?? 0;
        for (const f of faults) emu.faults.add(f);
        let result: { ups: number; ok: boolean };
        try {
            result = await stack.upUntilDone(programOf(runs), expect.stops ? 1 : 4);
        } finally {
            emu.faults.clear();
        }
        const submitCalls = (emu.stats().calls.SubmitFlow ?? 0) - before;
        // Stopped first: a line naming a run can arrive after the answer, and is only surely in once the host has exited.
        await stack.stop();
        const counted: MatrixRow = { ...tally(name, emu, stack, runs, result.ups), corners: describeCorners(corners), faults: faults.map(describeFault).join(" + ") || "none", submitCalls };
        rows.push(counted);
        const why = `${name}: ${JSON.stringify(counted)}\n${stack.errors.join("\n")}\n${stack.printed.join("\n")}`;
        assert.equal(counted.duplicates, 0, `duplicates in ${why}`);
        assert.equal(counted.lost, 0, `lost runs in ${why}`);
        assert.equal(result.ups, expect.ups, `ups in ${why}`);
        assert.equal(submitCalls, expect.submitCalls, `SubmitFlow calls in ${why}`);
        if (expect.stops) {
            assert.equal(result.ok, false, why);
            const message = stack.errors.find((e) => expect.stops!.test(e));
            assert.ok(message, `an error matching ${expect.stops} in ${why}`);
            const held = new Set([...stack.engine.state.values()].map((e) => e.id));
            for (const i of emu.instances().filter((x) => x.conf.row === name && !held.has(x.id))) {
                assert.ok(stack.errors.some((e) => e.includes(i.id)), `${i.id} is named in an error: ${why}`);
            }
        } else {
            assert.ok(result.ok, `${name} did not complete: ${why}`);
            assert.equal(counted.inState, runs.length, `every resource holds its run: ${why}`);
            assert.equal(counted.created, runs.length, why);
        }
        const lines = stack.printed;
        if (expect.adopted !== undefined) assert.equal(lines.filter((l) => /adopted FI-\w+ as the run of flow/.test(l)).length, expect.adopted, `adoptions in ${why}`);
        if (expect.resubmitted !== undefined) assert.equal(lines.filter((l) => l.includes("did not take effect; submitting it once more")).length, expect.resubmitted, `resubmissions in ${why}`);
        return { counted, stack };
    }

    describe("a 5xx or a proxy's HTML page on SubmitFlow is an unknown outcome: looked for, never blindly retried", () => {
        it("a 500 and a 503 after the run was created: adopted (ups 1, 2 SubmitFlow calls for 2 runs)", async () => {
            const faults: FaultRule[] = [
                { action: "SubmitFlow", kind: "http500", after: true, count: 1 },
                { action: "SubmitFlow", kind: "http503", after: true, count: 1 },
            ];
            await row("after-5xx", {}, oddRuns("after-5xx", 2), faults, { ups: 1, submitCalls: 2, adopted: 2, resubmitted: 0 });
        });
        it("a proxy's HTML 502 and 504 after the run was created: adopted (ups 1, 2 SubmitFlow calls for 2 runs)", async () => {
            const faults: FaultRule[] = [502, 504].map((status) => ({ action: "SubmitFlow", kind: "html", status, after: true, count: 1 }));
            await row("after-html", {}, oddRuns("after-html", 2), faults, { ups: 1, submitCalls: 2, adopted: 2, resubmitted: 0 });
        });
        it("a 500 and an HTML 502 before the run was created: none found, each submitted once more and said so (ups 1, 4 SubmitFlow calls for 2 runs)", async () => {
            const faults: FaultRule[] = [
                { action: "SubmitFlow", kind: "http500", count: 1 },
                { action: "SubmitFlow", kind: "html", status: 502, count: 1 },
            ];
            await row("before-5xx-html", {}, oddRuns("before-5xx-html", 2), faults, { ups: 1, submitCalls: 4, adopted: 0, resubmitted: 2 });
        });
    });

    describe("throttling codes under HTTP 400, 429 and 503: retried, never looked for", () => {
        it("Throttling, Throttling.User, Throttling.Api, ThrottlingException at 400 (ups 1, 8 SubmitFlow calls for 4 runs)", async () => {
            const codes = ["Throttling", "Throttling.User", "Throttling.Api", "ThrottlingException"];
            await row("throttle-400", {}, oddRuns("throttle-400", 4), codes.map((code) => ({ action: "SubmitFlow", kind: "throttle" as const, code, status: 400, count: 1 })), { ups: 1, submitCalls: 8, adopted: 0, resubmitted: 0 });
        });
        it("Throttling.User, Throttling.Api, ServiceUnavailable at 429 (ups 1, 6 SubmitFlow calls for 3 runs)", async () => {
            const codes = ["Throttling.User", "Throttling.Api", "ServiceUnavailable"];
            await row("throttle-429", {}, oddRuns("throttle-429", 3), codes.map((code) => ({ action: "SubmitFlow", kind: "throttle" as const, code, status: 429, count: 1 })), { ups: 1, submitCalls: 6, adopted: 0, resubmitted: 0 });
        });
        it("Throttling, Throttling.Api at 503 (ups 1, 4 SubmitFlow calls for 2 runs)", async () => {
            const codes = ["Throttling", "Throttling.Api"];
            await row("throttle-503", {}, oddRuns("throttle-503", 2), codes.map((code) => ({ action: "SubmitFlow", kind: "throttle" as const, code, status: 503, count: 1 })), { ups: 1, submitCalls: 4, adopted: 0, resubmitted: 0 });
        });
        it("ServiceUnavailable at 503 and at 400 is not throttling: looked for, none found, submitted once more (ups 1, 4 SubmitFlow calls for 2 runs)", async () => {
            const faults: FaultRule[] = [400, 503].map((status) => ({ action: "SubmitFlow", kind: "throttle", code: "ServiceUnavailable", status, count: 1 }));
            await row("unavailable-400-503", {}, oddRuns("unavailable-400-503", 2), faults, { ups: 1, submitCalls: 4, adopted: 0, resubmitted: 2 });
        });
    });

    describe("TimeRange on GmtCreate, on StartTime (PREP runs not listed) or ignored", () => {
        for (const timeRangeOn of ["GmtCreate", "StartTime", "ignored"] as const) {
            it(`${timeRangeOn}: runs left by dropped answers, still in PREP, are adopted (ups 1, 3 SubmitFlow calls for 3 runs)`, async () => {
                const name = `tr-${timeRangeOn}`;
                await row(name, { timeRangeOn }, oddRuns(name, 3), [{ action: "SubmitFlow", kind: "drop-after", count: 2 }], { ups: 1, submitCalls: 3, adopted: 2, resubmitted: 0 });
            });
        }
        for (const timeRangeOn of ["StartTime", "ignored"] as const) {
            it(`${timeRangeOn}: answers dropped before the run was created find none and submit once more (ups 1, 5 SubmitFlow calls for 3 runs)`, async () => {
                const name = `tr-${timeRangeOn}-none`;
                await row(name, { timeRangeOn }, oddRuns(name, 3), [{ action: "SubmitFlow", kind: "drop-before", count: 2 }], { ups: 1, submitCalls: 5, adopted: 0, resubmitted: 2 });
            });
        }
    });

    describe("ScheduleTime equal to the cyctime, rounded to the second or minute, or absent", () => {
        for (const scheduleTime of ["cyctime", "second", "minute"] as const) {
            it(`${scheduleTime}: two ambiguous runs of one flow each adopt their own (ups 1, 3 SubmitFlow calls for 3 runs)`, async () => {
                const name = `st-${scheduleTime}`;
                await row(name, { scheduleTime }, oddRuns(name, 3, { flowId: QUICK_FLOWS[0] }), [{ action: "SubmitFlow", kind: "drop-after", count: 2 }], { ups: 1, submitCalls: 3, adopted: 2 });
            });
        }
        it("absent: an ambiguous run alone on its flow is adopted (ups 1, 3 SubmitFlow calls for 3 runs)", async () => {
            await row("st-absent", { scheduleTime: "absent" }, oddRuns("st-absent", 3), [{ action: "SubmitFlow", kind: "drop-after", count: 2 }], { ups: 1, submitCalls: 3, adopted: 2, quietMs: QUIET_MS });
        });
        it("absent: two ambiguous runs of one flow cannot be told apart: stops naming both, submits nothing more (ups 1, 2 SubmitFlow calls)", async () => {
            const runs = oddRuns("st-absent-two", 2, { flowId: QUICK_FLOWS[1] });
            await row("st-absent-two", { scheduleTime: "absent" }, runs, [{ action: "SubmitFlow", kind: "drop-after", count: 2 }], { ups: 1, submitCalls: 2, stops: /2 runs of that flow created .* could be it/, quietMs: QUIET_MS });
        });
    });

    describe("PageSize silently capped with a truthful Total", () => {
        it("cap 20: 25 runs of one flow, the two oldest ambiguous (on the last page), each adopted (ups 1, 25 SubmitFlow calls)", async () => {
            await row("cap20", { pageSizeCap: 20 }, oddRuns("cap20", 25, { flowId: QUICK_FLOWS[2] }), [{ action: "SubmitFlow", kind: "drop-after", count: 2 }], { ups: 1, submitCalls: 25, adopted: 2 });
        });
        it("cap 50: 55 runs of one flow, the two oldest ambiguous, each adopted (ups 1, 55 SubmitFlow calls)", async () => {
            await row("cap50", { pageSizeCap: 50 }, oddRuns("cap50", 55, { flowId: QUICK_FLOWS[3] }), [{ action: "SubmitFlow", kind: "drop-after", count: 2 }], { ups: 1, submitCalls: 55, adopted: 2 });
        });
    });

    describe("all three at their hardest", () => {
        it("StartTime + minute + cap 20: 25 runs of one flow, a 500 and an HTML 504 after creation, each adopted (ups 1, 25 SubmitFlow calls)", async () => {
            const faults: FaultRule[] = [
                { action: "SubmitFlow", kind: "http500", after: true, count: 1 },
                { action: "SubmitFlow", kind: "html", status: 504, after: true, count: 1 },
            ];
            await row("hardest-minute", { timeRangeOn: "StartTime", scheduleTime: "minute", pageSizeCap: 20 }, oddRuns("hardest-minute", 25, { flowId: QUICK_FLOWS[0] }), faults, { ups: 1, submitCalls: 25, adopted: 2 });
        });
        it("ignored + absent + cap 20: 25 runs of one flow, one dropped answer, adopted (ups 1, 25 SubmitFlow calls)", async () => {
            await row("hardest-absent", { timeRangeOn: "ignored", scheduleTime: "absent", pageSizeCap: 20 }, oddRuns("hardest-absent", 25, { flowId: QUICK_FLOWS[1] }), [{ action: "SubmitFlow", kind: "drop-after", count: 1 }], {
                ups: 1,
                submitCalls: 25,
                adopted: 1,
                quietMs: QUIET_MS,
            });
        });
    });

    describe("a listing that cannot be read stops the deployment; the next up adopts", () => {
        it("a list answer without its list: the first up stops, nothing is submitted again, the second adopts (ups 2, 2 SubmitFlow calls for 2 runs)", async () => {
            const faults: FaultRule[] = [
                { action: "SubmitFlow", kind: "drop-after", count: 2 },
                { action: "ListFlowInstance", kind: "list-without-list", count: 2 },
            ];
            const { stack } = await row("list-without-list", {}, oddRuns("list-without-list", 2), faults, { ups: 2, submitCalls: 2, adopted: 2, resubmitted: 0 });
            assert.equal(stepErrors(stack).filter((e) => /answered without its list .* No run that could be this resource's was read before it failed\. Nothing was submitted again/.test(e)).length, 2, stack.errors.join("\n"));
        });
        it("an empty page under a Total that says more: the first up stops, the second adopts (ups 2, 2 SubmitFlow calls for 2 runs)", async () => {
            const faults: FaultRule[] = [
                { action: "SubmitFlow", kind: "drop-after", count: 2 },
                { action: "ListFlowInstance", kind: "list-empty-page", count: 2 },
            ];
            const { stack } = await row("list-empty-page", {}, oddRuns("list-empty-page", 2), faults, { ups: 2, submitCalls: 2, adopted: 2, resubmitted: 0 });
            assert.equal(stepErrors(stack).filter((e) => /cannot be read to its end: Total is \d+, 0 runs were read/.test(e)).length, 2, stack.errors.join("\n"));
        });
    });
});

/** The failed steps' messages (without the deployment's summary, which repeats them). */
function stepErrors(stack: Stack): string[] {
    return stack.errors.filter((e) => !e.startsWith("deployment failed:"));
}

function describeCorners(c: Partial<ContractCorners>): string {
    const parts = [c.timeRangeOn && `TimeRange ${c.timeRangeOn}`, c.scheduleTime && `ScheduleTime ${c.scheduleTime}`, c.pageSizeCap && `cap ${c.pageSizeCap}`].filter(Boolean);
    return parts.length > 0 ? parts.join(", ") : "defaults";
}

function describeFault(f: FaultRule): string {
    const what = f.kind === "throttle" || f.kind === "error" ? `${f.code ?? "Throttling.User"}/${f.status ?? 400}` : f.kind === "html" ? `html ${f.status ?? 502}` : f.kind;
    return `${f.action} ${what}${f.after ? " after" : ""}${f.count ? ` x${f.count}` : ""}`;
}

function table(rows: MatrixRow[]): string {
    const head = ["row", "corners", "faults", "resources", "ups", "SubmitFlow calls", "created", "in state", "named elsewhere", "duplicates", "lost"];
    const body = rows.map((r) => [r.row, r.corners, r.faults, r.resources, r.ups, r.submitCalls, r.created, r.inState, r.namedElsewhere, r.duplicates, r.lost].map(String));
    const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
    const line = (cells: string[]) => `| ${cells.map((c, i) => (i < 3 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(" | ")} |`;
    return [line(head), `|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`, ...body.map(line)].join("\n");
}
