/**
 * The fault matrix: stacks of FlowSubmissions deployed through the real provider host against the
 * emulator while it injects faults, a user re-running `pulumi up` after a failure. Every row counts
 * the runs the emulator created, where each is recorded (state, an error, the provider's output),
 * duplicates and lost runs; every row must end with zero duplicates and zero lost runs. The table
 * is printed at the end.
 *
 * Short client read timeouts (`emr-flow:readTimeoutMs`) make "slow answers past the timeout" fast.
 */
import { strict as assert } from "assert";
import { startEmulator, DEMO_IDS, type FaultRule, type RunningEmulator } from "../../emulator";
import {
    PROJECT_ID,
    QUICK_FLOWS,
    RELIABILITY_SEED,
    SLOW_FLOW,
    Stack,
    TIME_SCALE,
    findSecrets,
    formatTable,
    programOf,
    randomFaultRules,
    runsFor,
    tally,
    type RowResult,
    type RunSpec,
} from "./reliabilityRun";
import { TEST_KEY_ID, TEST_KEY_SECRET } from "../support/testEnv";
import { EmrFlowClient } from "../../provider/client";
import { resolveSettings } from "../../provider/client/settings";

/** Short enough that a delayed answer times out quickly; long enough for a loaded loopback. */
const READ_TIMEOUT_MS = 1000;
const DELAY_PAST_TIMEOUT_MS = 2500;

describe("reliability: the fault matrix (real host, emulator faults)", function () {
    this.timeout(110_000);
    let emu: RunningEmulator;
    const rows: RowResult[] = [];
    const stacks: Stack[] = [];

    let auditClient: EmrFlowClient;

    before(async () => {
        emu = await startEmulator({ accessKeyId: TEST_KEY_ID, accessKeySecret: TEST_KEY_SECRET, timeScale: TIME_SCALE, seed: RELIABILITY_SEED });
        auditClient = new EmrFlowClient(
            resolveSettings({ explicit: { accessKeyId: TEST_KEY_ID, accessKeySecret: TEST_KEY_SECRET, regionId: DEMO_IDS.regionId, endpoint: emu.url, maxRequestsPerSecond: 200 } }),
        );
    });
    afterEach(() => {
        emu.faults.clear();
        emu.configure({ rateLimitPerSecond: undefined });
    });
    after(async () => {
        if (rows.length > 0) console.log(`\n${formatTable(rows)}\n`);
        for (const s of stacks) s.dispose();
        await emu?.close();
    });

    async function stackFor(row: string, config: Record<string, string> = {}): Promise<Stack> {
        const stack = await Stack.start(emu, { project: `emr-flow-rel-${row}`, config: { "emr-flow:readTimeoutMs": String(READ_TIMEOUT_MS), ...config } });
        stacks.push(stack);
        return stack;
    }

    /**
     * Deploys `runs` under `faults` until done, counts the row, and checks the invariants. `ups`:
     * the number of `pulumi up` runs the row must take (1 where a fault is retried within one).
     * Returns the calls the emulator saw during the row, per action.
     */
    async function row(
        name: string,
        runs: RunSpec[],
        faults: FaultRule[],
        opts: { config?: Record<string, string>; expectDone?: boolean; maxUps?: number; ups?: number } = {},
    ): Promise<{ row: RowResult; stack: Stack; calls: Record<string, number>; rejected: Record<string, number> }> {
        const stack = await stackFor(name, opts.config);
        const before = emu.stats();
        for (const f of faults) emu.faults.add(f);
        let result: { ups: number; ok: boolean };
        try {
            result = await stack.upUntilDone(programOf(runs), opts.maxUps ?? 4);
        } finally {
            emu.faults.clear();
        }
        const calls = callsSince(before.calls);
        const rejected = deltaSince(before.rejected, emu.stats().rejected);
        // Stopped first: a line naming a run can arrive after the answer, and is only surely in once the host has exited.
        await stack.stop();
        const counted = tally(name, emu, stack, runs, result.ups);
        rows.push(counted);
        await audit(name, stack);
        if (opts.ups !== undefined) assert.equal(result.ups, opts.ups, `${name} took ${result.ups} ups:\n${stack.errors.join("\n")}`);
        assert.equal(counted.duplicates, 0, `duplicates in ${name}: ${JSON.stringify(counted)}\n${stack.errors.join("\n")}`);
        assert.equal(counted.lost, 0, `lost runs in ${name}: ${JSON.stringify(counted)}`);
        if (opts.expectDone !== false) {
            assert.ok(result.ok, `${name} did not complete in ${result.ups} ups:\n${stack.errors.join("\n")}`);
            assert.equal(counted.inState, runs.length, `every resource holds its run: ${JSON.stringify(counted)}`);
            assert.equal(counted.created, runs.length);
        }
        return { row: counted, stack, calls, rejected };
    }

    function callsSince(before: Record<string, number>): Record<string, number> {
        return deltaSince(before, emu.stats().calls);
    }

    function deltaSince(before: Record<string, number>, now: Record<string, number>): Record<string, number> {
        return Object.fromEntries(Object.entries(now).map(([key, n]) => [key, n - (before[key] ?? 0)]));
    }

    /**
     * What every row must leave behind, checked on that row alone: each run the emulator created
     * for it is listed and described by the API (nothing accepted was lost), every ID the
     * provider printed is a run the emulator has, and nothing the stack produced holds the
     * AccessKey secret.
     */
    async function audit(name: string, stack: Stack): Promise<void> {
        const created = emu.instances().filter((i) => i.conf?.row === name);
        assert.ok(created.length > 0, `${name} created runs`);
        const listed = new Set<string>();
        for (const flowId of new Set(created.map((i) => i.flowId))) {
            for (let page = 1; ; page++) {
                const res = await auditClient.listFlowInstances({ projectId: PROJECT_ID, flowId, pageNumber: page, pageSize: 100 });
                for (const i of res.instances) listed.add(i.id);
                if (res.instances.length < 100) break;
            }
        }
        assert.deepEqual(created.filter((i) => !listed.has(i.id)).map((i) => i.id), []);
        for (const i of created) assert.equal((await auditClient.describeFlowInstance({ projectId: PROJECT_ID, instanceId: i.id })).id, i.id);
        // Every ID the provider was told (printed when it had it) is a run the emulator still has.
        const told = new Set(stack.printed.flatMap((l) => l.match(/as (FI-[0-9A-Z]{16})/g) ?? []).map((m) => m.slice(3)));
        const known = new Set(emu.instances().map((i) => i.id));
        assert.deepEqual([...told].filter((id) => !known.has(id)), []);
        const produced = stack.produced();
        assert.ok(produced.some((p) => p.where === "provider output"), `${name}: the scan has the provider's output to search`);
        if (stack.engine.state.size > 0) assert.ok(produced.some((p) => p.where.startsWith("state outputs")), `${name}: the scan has the state to search`);
        assert.deepEqual(findSecrets(produced, [TEST_KEY_SECRET]), []);
    }

    it("throttling bursts: retried within one up, each run submitted once", async () => {
        const { calls } = await row(
            "throttle-burst",
            runsFor("throttle-burst", 6),
            [
                { action: "SubmitFlow", kind: "throttle", count: 8 },
                { action: "*", kind: "throttle", count: 10 },
            ],
            { ups: 1 },
        );
        // Six accepted (one run each), and at least the eight throttled SubmitFlow calls retried.
        assert.ok(calls.SubmitFlow! >= 6 + 8, `SubmitFlow calls: ${calls.SubmitFlow}`);
    });

    it("HTTP 500 on SubmitFlow: an unknown outcome, the run is looked for, none is found, and it is submitted once more within one up", async () => {
        const { stack, calls } = await row("http500", runsFor("http500", 4, { waitFor: "submission" }), [{ action: "SubmitFlow", kind: "http500", count: 4 }], { ups: 1 });
        // Four answered 500 before acting, each looked for (listings), none found, each sent once more.
        assert.equal(calls.SubmitFlow, 8);
        assert.ok(calls.ListFlowInstance! >= 4, `each unknown outcome was looked for: ListFlowInstance calls ${calls.ListFlowInstance}`);
        assert.equal(stack.printed.filter((l) => l.includes("did not take effect; submitting it once more")).length, 4, stack.printed.join("\n"));
        assert.ok(!stack.printed.some((l) => /adopted FI-/.test(l)), "nothing was adopted");
    });

    it("HTTP 503 on a third of every call: a 503 on SubmitFlow is an unknown outcome, looked for and submitted once more; a run that meets it twice stops the first up, and the second up finishes", async () => {
        const { stack, calls, rejected } = await row("http503", runsFor("http503", 6, { waitFor: "completion" }), [{ action: "*", kind: "http503", probability: 0.3, seed: 503 }], { ups: 2 });
        assert.ok((rejected.ServiceUnavailable ?? 0) > 0, "some calls were refused with 503");
        // Six runs and three more submissions after a 503 found no run (the fixed seed decides
        // which calls fail), one of them in the second up.
        assert.equal(calls.SubmitFlow, 9);
        assert.ok(stack.errors.some((e) => e.includes("it is not submitted a third time")), stack.errors.join("\n"));
        assert.ok(!stack.printed.some((l) => /adopted FI-/.test(l)), "nothing was adopted: every 503 came before the run was created");
    });

    it("slow answers past the client timeout: the run is found and adopted, never submitted twice", async () => {
        const { stack, calls } = await row("slow-submit", runsFor("slow-submit", 4, { waitFor: "submission" }), [{ action: "SubmitFlow", kind: "delay", delayMs: DELAY_PAST_TIMEOUT_MS, count: 3 }], { ups: 1 });
        assert.ok(stack.printed.some((l) => /adopted FI-\w+ as the run of flow/.test(l)), stack.printed.join("\n"));
        // (A fourth can be adopted too when a loaded machine's answer is slower than the read timeout.)
        assert.ok(stack.printed.filter((l) => /adopted FI-\w+ as the run of flow/.test(l)).length >= 3, stack.printed.join("\n"));
        assert.equal(calls.SubmitFlow, 4, "the three slow submissions were adopted, not submitted again");
        assert.ok(stack.printed.some((l) => l.includes("no answer within the read timeout")));
    });

    it("a connection dropped before the request took effect: none found, submitted once more and said so", async () => {
        const { stack, calls } = await row("drop-before", runsFor("drop-before", 3, { waitFor: "submission" }), [{ action: "SubmitFlow", kind: "drop-before", count: 2 }], { ups: 1 });
        assert.equal(stack.printed.filter((l) => l.includes("did not take effect; submitting it once more")).length, 2, stack.printed.join("\n"));
        assert.equal(calls.SubmitFlow, 3 + 2, "each dropped submission was sent once more, and only once");
        assert.ok(!stack.printed.some((l) => /adopted FI-/.test(l)), "nothing was adopted");
    });

    it("a connection dropped after the request took effect: the run is adopted", async () => {
        const { stack, calls } = await row("drop-after", runsFor("drop-after", 3, { waitFor: "submission" }), [{ action: "SubmitFlow", kind: "drop-after", count: 2 }], { ups: 1 });
        assert.equal(stack.printed.filter((l) => /adopted FI-\w+/.test(l)).length, 2, stack.printed.join("\n"));
        assert.equal(calls.SubmitFlow, 3, "the two runs whose answers were lost were adopted, not submitted again");
    });

    it("faults while looking for the run: the listing is retried", async () => {
        const { stack, calls, rejected } = await row(
            "drop-after+list-faults",
            runsFor("drop-after+list-faults", 2, { waitFor: "submission" }),
            [
                { action: "SubmitFlow", kind: "drop-after", count: 2 },
                { action: "ListFlowInstance", kind: "http503", count: 2 },
                { action: "ListFlowInstance", kind: "delay", delayMs: DELAY_PAST_TIMEOUT_MS, count: 1 },
            ],
            { ups: 1 },
        );
        assert.equal(calls.SubmitFlow, 2);
        // Both 503s went to listings, and listings went on past them to adopt both runs.
        assert.equal(rejected.ServiceUnavailable, 2);
        assert.ok(calls.ListFlowInstance! > 2, `a listing was retried: ListFlowInstance calls ${calls.ListFlowInstance}`);
        assert.equal(stack.printed.filter((l) => /adopted FI-\w+/.test(l)).length, 2, stack.printed.join("\n"));
    });

    it("two identical runs whose answers are both lost: fails naming both candidates, submits nothing more", async () => {
        const same: RunSpec[] = ["a", "b"].map((s) => ({ name: `identical-${s}`, flowId: QUICK_FLOWS[0]!, conf: { row: "identical", cyctime: String(Date.UTC(2026, 5, 1)) }, waitFor: "submission" as const }));
        const { row: counted, stack, calls } = await row("identical", same, [{ action: "SubmitFlow", kind: "drop-after", count: 2 }], { expectDone: false, maxUps: 1 });
        assert.equal(counted.created, 2);
        assert.equal(calls.SubmitFlow, 2, "nothing more was submitted");
        assert.equal(counted.inState, 0);
        assert.equal(counted.namedElsewhere, 2);
        const message = stack.errors.find((e) => e.includes("could be it"));
        assert.ok(message, stack.errors.join("\n"));
        for (const i of emu.instances().filter((x) => x.conf.row === "identical")) assert.ok(message.includes(i.id), `${i.id} is named`);
        assert.match(message, /kill every one that is not this resource's run/);
    });

    it("the provider host killed in the middle of a wait and started again: a second up continues the same runs", async () => {
        const runs = runsFor("host-killed-wait", 3, { flowId: SLOW_FLOW, waitFor: "completion" });
        const stack = await stackFor("host-killed-wait");
        const before = emu.stats().calls;
        const first = stack.upUntilDone(programOf(runs), 1);
        await waitUntil(() => emu.instances().filter((i) => i.conf.row === "host-killed-wait" && i.status === "RUNNING").length === 3);
        // Crash only once the host's lines naming the runs have reached us, as they reach `pulumi up`.
        await waitUntil(() => stack.host.output().filter((l) => l.includes(`submitted flow ${SLOW_FLOW}`)).length === 3);
        await stack.crashAndRestart();
        const crashed = await first;
        assert.equal(crashed.ok, false);
        const again = await stack.upUntilDone(programOf(runs), 3);
        await stack.stop();
        const counted = tally("host-killed-wait", emu, stack, runs, 1 + again.ups);
        rows.push(counted);
        assert.ok(again.ok, stack.errors.join("\n"));
        assert.equal(counted.created, 3);
        assert.equal(counted.inState, 3);
        assert.equal(counted.duplicates, 0);
        assert.equal(counted.lost, 0);
        assert.equal(stack.printed.filter((l) => /stopped before recording it; continuing with FI-/.test(l)).length, 3, stack.printed.join("\n"));
        assert.equal(again.ups, 1, "one up after the crash finished it");
        assert.equal(callsSince(before).SubmitFlow, 3, "nothing was submitted again");
        await audit("host-killed-wait", stack);
    });

    it("the provider host killed while SubmitFlow had no answer: a second up finds the run instead of submitting", async () => {
        const runs = runsFor("host-killed-submit", 1);
        const stack = await stackFor("host-killed-submit", { "emr-flow:readTimeoutMs": "30000" });
        const before = emu.stats().calls;
        emu.faults.add({ action: "SubmitFlow", kind: "delay", delayMs: 20_000, count: 1 });
        const first = stack.upUntilDone(programOf(runs), 1);
        await waitUntil(() => emu.instances().some((i) => i.conf.row === "host-killed-submit"));
        await stack.crashAndRestart();
        assert.equal((await first).ok, false);
        const again = await stack.upUntilDone(programOf(runs), 3);
        await stack.stop();
        const counted = tally("host-killed-submit", emu, stack, runs, 1 + again.ups);
        rows.push(counted);
        assert.ok(again.ok, stack.errors.join("\n"));
        assert.deepEqual([counted.created, counted.inState, counted.duplicates, counted.lost], [1, 1, 0, 0]);
        assert.ok(stack.printed.some((l) => l.includes("had no answer; looking for the run")), stack.printed.join("\n"));
        assert.ok(stack.printed.some((l) => /adopted FI-\w+/.test(l)));
        assert.equal(again.ups, 1, "one up after the crash finished it");
        assert.equal(callsSince(before).SubmitFlow, 1, "the run was found, not submitted again");
        await audit("host-killed-submit", stack);
    });

    it("100 runs in one stack against an API limited to 20 calls a second, capped at 10: each submitted once, none throttled", async () => {
        emu.configure({ rateLimitPerSecond: 20 });
        const { stack, calls, rejected } = await row("100-at-20rps", runsFor("100-at-20rps", 100, { waitFor: "completion" }), [], {
            config: { "emr-flow:readTimeoutMs": "10000", "emr-flow:maxRequestsPerSecond": "10" },
            ups: 1,
        });
        assert.equal(calls.SubmitFlow, 100);
        assert.equal(stack.errors.length, 0, stack.errors.join("\n"));
        // The process-wide cap keeps every second under the API's 20.
        assert.equal(rejected["Throttling.User"] ?? 0, 0, "no call was throttled");
    });

    it("100 runs in one stack against an API limited to 20 calls a second, default settings: the rate adapts, each submitted once", async () => {
        emu.configure({ rateLimitPerSecond: 20 });
        const { stack, calls, rejected } = await row("100-at-20rps-adaptive", runsFor("100-at-20rps-adaptive", 100, { waitFor: "completion" }), [], {
            config: { "emr-flow:readTimeoutMs": "10000" },
            ups: 1,
        });
        assert.equal(stack.errors.length, 0, stack.errors.join("\n"));
        // SubmitFlow is sent again only after a throttling answer, which proves it was not accepted.
        const throttled = rejected["Throttling.User"] ?? 0;
        assert.ok(calls.SubmitFlow! >= 100 && calls.SubmitFlow! <= 100 + throttled, `SubmitFlow calls ${calls.SubmitFlow}, throttled answers ${throttled}`);
    });

    it("60 runs with 20% random faults on every call (fixed seed)", async () => {
        await row("random-20%", runsFor("random-20%", 60, { waitFor: "start" }), randomFaultRules(0.2, 20, DELAY_PAST_TIMEOUT_MS), {
            config: { "emr-flow:maxRequestsPerSecond": "40" },
        });
    });
});

async function waitUntil(probe: () => boolean, timeoutMs = 30_000): Promise<void> {
    const until = Date.now() + timeoutMs;
    while (!probe()) {
        if (Date.now() > until) throw new Error("condition not reached in time");
        await new Promise((r) => setTimeout(r, 25));
    }
}
