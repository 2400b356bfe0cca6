/**
 * Stopping a run (runs/stop.ts) against the emulator, with KillFlow present and absent. Without
 * KillFlow the run is suspended and its running jobs are killed, and the result says exactly what
 * was and was not stopped; nothing calls the run KILLED unless the service does.
 */
import { strict as assert } from "assert";
import { startEmulator, DEMO_IDS, type RunningEmulator, type Seed } from "../../emulator";
import { EmrFlowClient } from "../../provider/client/emrFlowClient";
import { staticCredentials } from "../../provider/client/credentials";
import { haltReport, isRunningJob, stopRun, type HaltResult } from "../../provider/runs/stop";
import { fakeInstance } from "../support/fakeInstance";

const KEY_ID = "stop-spec-key";
const SECRET = "stop-spec-secret-0p9o8i";
const T0 = Date.UTC(2026, 2, 1);
const PROJECT = DEMO_IDS.projectId;
const LONG = "F-STOP000000000001";
const SEED: Seed = {
    prepMs: 1000,
    projects: [
        {
            id: PROJECT,
            regionId: DEMO_IDS.regionId,
            flows: [{ id: LONG, name: "long", nodes: [{ name: "first", jobType: "SPARK", durationMs: 60_000 }, { name: "second", jobType: "HIVE", durationMs: 60_000 }] }],
        },
    ],
};

describe("stopRun", () => {
    let emu: RunningEmulator;
    let now = T0;
    // The wait's sleeps move the emulator's clock: no real time passes.
    const clock = { now: () => now, sleep: async (ms: number) => void (now += ms), random: () => 0 };
    const client = () =>
        new EmrFlowClient(
            { regionId: DEMO_IDS.regionId, endpoint: emu.url, credentials: staticCredentials(KEY_ID, SECRET, undefined, "explicit accessKeyId"), retry: { maxAttempts: 2 } },
            { sleep: async () => undefined, limiter: null },
        );
    const submit = async () => (await client().submitFlow({ projectId: PROJECT, flowId: LONG })).instanceId;
    const ref = (instanceId: string) => ({ projectId: PROJECT, instanceId });
    const emuStatus = (id: string) => emu.instances().find((i) => i.id === id)!;

    before(async () => {
        emu = await startEmulator({ accessKeyId: KEY_ID, accessKeySecret: SECRET, seed: SEED, now: () => now });
    });
    after(() => emu.close());
    beforeEach(() => {
        emu.reset();
        emu.configure({ killFlow: "absent" });
        now = T0;
    });

    it("with KillFlow: kills the run and waits until the service says KILLED", async () => {
        emu.configure({ killFlow: "present" });
        const id = await submit();
        now = T0 + 5000;
        const result = await stopRun(client(), ref(id), { waitMs: 60_000, clock });
        assert.equal(result.outcome, "killed");
        assert.equal(result.outcome === "killed" && result.instance?.status, "KILLED");
        assert.deepEqual(emu.stats().calls.SuspendFlow ?? 0, 0);
    });

    it("without KillFlow: suspends the run and kills its running job; SUSPENDED, nothing running, never KILLED", async () => {
        const id = await submit();
        now = T0 + 5000;
        const result = await stopRun(client(), ref(id), { waitMs: 60_000, clock });
        assert.equal(result.outcome, "halted");
        const halted = result as HaltResult;
        assert.equal(halted.killFlowError.code, "InvalidAction.NotFound");
        assert.equal(halted.suspend.result, "done");
        assert.deepEqual(
            halted.jobs.map((j) => [j.nodeName, j.result, j.statusBefore, j.statusAfter]),
            [["first", "done", "RUNNING", "KILL_SUCCESS"]],
        );
        assert.equal(halted.instance?.status, "SUSPENDED");
        assert.equal(halted.stopped, true);
        assert.deepEqual(emuStatus(id).events.map((e) => e.kind), ["suspend", "killNode"]);
        assert.deepEqual(emuStatus(id).nodes.map((n) => [n.nodeName, n.status]), [["first", "KILL_SUCCESS"]], "the second node never started");
        assert.deepEqual(emu.stats().calls, { SubmitFlow: 1, DescribeFlowInstance: 3, KillFlow: 1, SuspendFlow: 1, KillFlowJob: 1 });

        const report = haltReport(halted, id);
        assert.match(report, /EMR does not offer KillFlow \(InvalidAction\.NotFound\)/);
        assert.match(report, /Suspended it: no further node starts\./);
        assert.match(report, new RegExp(`Asked EMR to kill the running job: first \\(${halted.jobs[0]!.nodeInstanceId}, now KILL_SUCCESS\\)`));
        assert.match(report, /The run is SUSPENDED \(not KILLED\)\./);
        assert.doesNotMatch(report, /Could NOT/);
    });

    it("without KillFlow, in PREP: suspends it and says no job was running", async () => {
        const id = await submit();
        const result = (await stopRun(client(), ref(id), { waitMs: 60_000, clock })) as HaltResult;
        assert.deepEqual([result.outcome, result.suspend.result, result.jobs, result.stopped, result.instance?.status], ["halted", "done", [], true, "SUSPENDED"]);
        assert.match(haltReport(result, id), /No job was running\./);
        now += 10 * 60_000;
        assert.deepEqual(emuStatus(id).nodes, [], "still nothing started ten minutes later");
    });

    it("without KillFlow, already SUSPENDED: does not suspend again, kills the job", async () => {
        const id = await submit();
        now = T0 + 5000;
        await client().suspendFlow(ref(id));
        const result = (await stopRun(client(), ref(id), { waitMs: 60_000, clock })) as HaltResult;
        assert.deepEqual([result.suspend.result, result.suspend.reason], ["skipped", "it was already SUSPENDED"]);
        assert.deepEqual(result.jobs.map((j) => j.result), ["done"]);
        assert.equal(result.stopped, true);
        assert.equal(emu.stats().calls.SuspendFlow, 1, "only the test's own SuspendFlow");
    });

    it("without KillFlow: a job that could not be killed is reported as such, and the run is not called stopped", async () => {
        const id = await submit();
        now = T0 + 5000;
        emu.faults.add({ action: "KillFlowJob", kind: "drop-before" });
        const result = (await stopRun(client(), ref(id), { waitMs: 30_000, clock })) as HaltResult;
        assert.equal(result.suspend.result, "done");
        assert.equal(result.jobs.length, 1);
        assert.equal(result.jobs[0]!.result, "failed");
        assert.equal(result.jobs[0]!.statusAfter, "RUNNING");
        assert.equal(result.stopped, false);
        const report = haltReport(result, id);
        assert.match(report, /Could NOT kill: first \(FNI-[0-9A-F]{16}, now RUNNING\): /);
        assert.match(report, /has not been seen stopped/);
        assert.equal(emuStatus(id).status, "SUSPENDED");
    });

    it("without KillFlow: a refused suspension is reported, and the killed job ends the run FAILED (not KILLED)", async () => {
        const id = await submit();
        now = T0 + 5000;
        emu.faults.add({ action: "SuspendFlow", kind: "drop-before" });
        const result = (await stopRun(client(), ref(id), { waitMs: 30_000, clock })) as HaltResult;
        assert.equal(result.suspend.result, "failed");
        assert.match(result.suspend.error ?? "", /\S/);
        assert.deepEqual(result.jobs.map((j) => [j.result, j.statusAfter]), [["done", "KILL_SUCCESS"]]);
        assert.equal(result.instance?.status, "FAILED");
        assert.equal(result.stopped, true);
        const report = haltReport(result, id);
        assert.match(report, /Could NOT suspend it \(.+\): further nodes may still start\./);
        assert.match(report, /The run is FAILED \(not KILLED\)\./);
    });

    it("without KillFlow and without a wait: reports what it asked, and only what it saw", async () => {
        const id = await submit();
        now = T0 + 5000;
        const result = (await stopRun(client(), ref(id), { clock })) as HaltResult;
        assert.equal(result.outcome, "halted");
        assert.deepEqual(result.jobs.map((j) => [j.result, j.statusAfter]), [["done", "RUNNING"]], "the last look was before the kill");
        assert.equal(result.stopped, false);
    });
});

describe("isRunningJob", () => {
    const node = (fields: Record<string, unknown>) => fakeInstance({ nodes: [{ nodeName: "n", status: "RUNNING", ...fields }] }).nodes[0]!;
    it("goes by the documented ExternalStatus, then the status, and never counts START/END nodes", () => {
        assert.ok(isRunningJob(node({ externalStatus: "SUBMITTED" })));
        assert.ok(isRunningJob(node({ externalStatus: "RUNNING", status: "OK" })));
        for (const external of ["SUCCESS", "FAIL", "FAILED", "KILL_FAIL", "KILL_FAILED", "KILL_SUCCESS"]) assert.ok(!isRunningJob(node({ externalStatus: external })), external);
        assert.ok(!isRunningJob(node({ status: "OK" })), "a finished node in the samples");
        assert.ok(!isRunningJob(node({ type: "START", status: "RUNNING" })));
        assert.ok(isRunningJob(node({ type: "JOB", status: "RUNNING" })));
        assert.ok(!isRunningJob(node({ status: "WAITING", endTime: 5 })));
    });
});
