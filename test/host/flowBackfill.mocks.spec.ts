/**
 * FlowBackfill through the engine protocol: the program under mocks, every child deployed by the
 * real dynamic provider host against the emulator, as `pulumi up` would. Shows the bound on runs
 * in flight as the emulator saw it, that widening the range submits only the new dates, and what
 * a failed run does to the rest of the backfill.
 */
import { strict as assert } from "assert";
import * as path from "path";
import { startEmulator, DEMO_IDS, type RunningEmulator } from "../../emulator";
import { requireFresh, reveal } from "../engine-imitation";
import { DeploymentError, MiniEngine } from "../engine-imitation/miniEngine";
import { startConfiguredHost, TEST_KEY_ID, TEST_KEY_SECRET } from "../support/testEnv";
import type { FlowBackfillArgs } from "../../sdk";

const ROOT = path.resolve(__dirname, "..", "..");
/** The example's own project name, so its `new pulumi.Config()` reads the config given here. */
const PROJECT = "emr-flow-backfill";
const EXAMPLE = path.join(ROOT, "examples", "backfill", "index.ts");

function backfill(name: string, args: Partial<FlowBackfillArgs>) {
    return () => {
        const { FlowBackfill } = require("pulumi-emr-flow") as typeof import("../../sdk");
        const b = new FlowBackfill(name, { projectId: DEMO_IDS.projectId, flowId: DEMO_IDS.succeedingFlowId, ...args } as FlowBackfillArgs);
        return { instanceIds: b.instanceIds, statusCounts: b.statusCounts };
    };
}

describe("FlowBackfill through the real provider host (emulator)", function () {
    this.timeout(120_000);
    let emu: RunningEmulator;
    let engine: MiniEngine;
    // The emulator's clock, which a test can stop: while it stands, no run leaves PREP, so runs
    // submitted then are in flight together whatever the machine's speed.
    let stoppedAt: number | undefined;
    let lost = 0;
    const clock = (): number => stoppedAt ?? Date.now() - lost;
    const stopClock = (): void => {
        stoppedAt = clock();
    };
    const startClock = (): void => {
        if (stoppedAt !== undefined) lost = Date.now() - stoppedAt;
        stoppedAt = undefined;
    };

    before(async () => {
        emu = await startEmulator({ accessKeyId: TEST_KEY_ID, accessKeySecret: TEST_KEY_SECRET, timeScale: 0.01, now: clock });
    });
    beforeEach(async () => {
        emu.reset();
        engine = new MiniEngine(await startConfiguredHost(emu.url, PROJECT), PROJECT);
    });
    afterEach(async () => {
        startClock();
        await engine.host.stop();
    });
    after(async () => {
        await emu?.close();
    });

    it("runs a 5-day backfill with maxConcurrent 2: never more than two runs in flight in EMR", async () => {
        // Two runs in flight at once is shown with the clock stopped until both lanes have
        // submitted, not left to how fast this machine submits the second before the first ends.
        stopClock();
        const up = engine.up(backfill("nov", { from: "2026-11-01", to: "2026-11-05", maxConcurrent: 2, conf: { bizdate: "{yyyyMMdd}" } }));
        for (let i = 0; i < 2400 && (emu.stats().calls.SubmitFlow ?? 0) < 2; i++) await new Promise((r) => setTimeout(r, 25));
        assert.equal(emu.stats().calls.SubmitFlow, 2, "both lanes submitted while the first runs could not end");
        startClock();
        const { result } = await up;
        const instances = emu.instances();
        assert.equal(instances.length, 5);
        assert.equal(emu.stats().maxConcurrentRunning, 2, "two at once, never three");
        assert.ok(instances.every((i) => i.status === "SUCCEEDED"));
        // Each run carries its own scheduled time and filled placeholder.
        assert.deepEqual(
            instances.map((i) => [i.conf.bizdate, i.conf.cyctime]).sort(),
            [1, 2, 3, 4, 5].map((d) => [`2026110${d}`, String(Date.UTC(2026, 10, d))]),
        );
        const ids = reveal(result.outputs.instanceIds) as Record<string, string>;
        assert.deepEqual(Object.keys(ids), ["2026-11-01", "2026-11-02", "2026-11-03", "2026-11-04", "2026-11-05"]);
        assert.deepEqual(Object.values(ids).sort(), instances.map((i) => i.id).sort());
        assert.deepEqual(reveal(result.outputs.statusCounts), { SUCCEEDED: 5 });
        // Runs in the same lane never overlap: day 3 started after day 1 ended, and so on.
        const byDay = new Map(instances.map((i) => [i.conf.bizdate, i]));
        for (const [later, earlier] of [["20261103", "20261101"], ["20261104", "20261102"], ["20261105", "20261103"]]) {
            assert.ok(byDay.get(later)!.createdAt >= byDay.get(earlier)!.endTime!, `${later} was submitted after ${earlier} ended`);
        }
    });

    it("widening the range submits only the new dates; narrowing removes runs from the stack without re-running any", async () => {
        await engine.up(backfill("w", { from: "2026-11-02", to: "2026-11-03", maxConcurrent: 2 }));
        assert.equal(emu.instances().length, 2);

        const { steps, result } = await engine.up(backfill("w", { from: "2026-11-01", to: "2026-11-04", maxConcurrent: 2 }));
        const kinds = (kind: string) => steps.filter((s) => s.kind === kind && s.urn.includes("FlowSubmission")).map((s) => s.urn.split("::").pop());
        assert.deepEqual(kinds("create").sort(), ["w-2026-11-01", "w-2026-11-04"]);
        assert.deepEqual(kinds("same").sort(), ["w-2026-11-02", "w-2026-11-03"]);
        assert.equal(emu.instances().length, 4, "two new submissions, no re-runs");
        assert.equal(Object.keys(reveal(result.outputs.instanceIds) as object).length, 4);

        const narrowed = await engine.up(backfill("w", { from: "2026-11-02", to: "2026-11-02" }));
        assert.deepEqual(narrowed.steps.filter((s) => s.kind === "delete").map((s) => s.urn.split("::").pop()).sort(), ["w-2026-11-01", "w-2026-11-03", "w-2026-11-04"]);
        assert.equal(emu.instances().length, 4);
        assert.ok(emu.instances().every((i) => i.status === "SUCCEEDED"), "removed runs are left as they are");
    });

    it("failed runs fail the deployment and stay in the stack; the next up reruns them on the same instances", async () => {
        // The demo flow fails its second node on the first attempt of every instance. Three lanes
        // for three days: all three run at once, so all three fail (in one lane, the runs after a
        // failed one would not start at all).
        const program = backfill("f", { flowId: DEMO_IDS.failOnceFlowId, from: "2026-11-01", to: "2026-11-03", maxConcurrent: 3 });
        const err = await engine.up(program).then(
            () => undefined,
            (e: unknown) => e,
        );
        assert.ok(err instanceof DeploymentError, "the deployment fails");
        assert.match(err.message, /ended FAILED/);
        assert.equal(err.errors.length, 3);
        const failed = emu.instances().map((i) => i.id).sort();
        assert.ok(emu.instances().every((i) => i.status === "FAILED"));
        const kept = [...engine.state.values()].filter((e) => e.initErrors).map((e) => e.id).sort();
        assert.deepEqual(kept, failed, "each failed run is kept in the stack with its instance ID");

        const { result } = await engine.up(program);
        assert.deepEqual(emu.instances().map((i) => i.id).sort(), failed, "no new submissions");
        assert.ok(emu.instances().every((i) => i.status === "SUCCEEDED"));
        assert.equal(emu.stats().calls.RerunFlow, 3);
        assert.deepEqual(reveal(result.outputs.statusCounts), { SUCCEEDED: 3 });
    });

    it("examples/backfill: a week in three lanes, then a lookup of a run the stack did not start", async () => {
        const first = await engine.up(() => requireFresh(EXAMPLE), { config: { to: "2026-11-04" } });
        const runs = reveal(first.result.outputs.runs) as Record<string, string>;
        assert.deepEqual(Object.keys(runs), ["2026-11-01", "2026-11-02", "2026-11-03", "2026-11-04"]);
        assert.ok(emu.stats().maxConcurrentRunning <= 3);
        assert.deepEqual(reveal(first.result.outputs.statusCounts), { SUCCEEDED: 4 });
        // Midnight at +08:00, and the placeholders filled in that zone.
        const day1 = emu.instances().find((i) => i.id === runs["2026-11-01"])!;
        assert.deepEqual(day1.conf, { bizdate: "20261101", partition: "dt=2026-11-01", cyctime: String(Date.UTC(2026, 9, 31, 16)) });

        // The lookup runs in the program's process: it reads the same stack config the provider host does.
        const stackConfig = { "alicloud:accessKey": TEST_KEY_ID, "alicloud:secretKey": TEST_KEY_SECRET, "alicloud:region": "cn-hangzhou", "emr-flow:endpoint": emu.url };
        const second = await engine.up(() => requireFresh(EXAMPLE), { config: { ...stackConfig, to: "2026-11-04", upstreamRun: runs["2026-11-02"] }, secretKeys: ["alicloud:secretKey"] });
        assert.equal(second.result.outputs.upstreamStatus, "SUCCEEDED");
        assert.equal(emu.instances().length, 4, "a lookup submits nothing");
    });
});
