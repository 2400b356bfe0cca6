/**
 * Running flows to completion through the real provider host and the emulator's seeded flows:
 * success, failure kept in state with its ID, timeout and resume, rerun of a failed run, and
 * killOnDelete on destroy and on replacement.
 */
import { strict as assert } from "assert";
import { startEmulator, DEMO_IDS, DEMO_SEED, type RunningEmulator, type Seed } from "../../emulator";
import { HostCallError } from "../engine-imitation";
import { DeploymentError, MiniEngine } from "../engine-imitation/miniEngine";
import { startConfiguredHost, TEST_KEY_ID, TEST_KEY_SECRET } from "../support/testEnv";
import type { FlowSubmissionArgs } from "../../sdk";

const PROJECT = "emr-flow-completion";
/** A flow that runs ten minutes by the seed: six seconds at the time scale used here. */
const SLOW_FLOW = "F-5L0W000000000001";
const SEED: Seed = {
    ...DEMO_SEED,
    projects: DEMO_SEED.projects.map((p) =>
        p.id !== DEMO_IDS.projectId
            ? p
            : { ...p, flows: [...p.flows, { id: SLOW_FLOW, name: "slow", nodes: [{ name: "wait", jobType: "SHELL", durationMs: 300_000 }, { name: "finish", jobType: "SHELL", durationMs: 300_000 }] }] },
    ),
};

function programOf(name: string, args: Partial<FlowSubmissionArgs>) {
    return async () => {
        const { FlowSubmission } = require("pulumi-emr-flow") as typeof import("../../sdk");
        const run = new FlowSubmission(name, { projectId: DEMO_IDS.projectId, flowId: DEMO_IDS.succeedingFlowId, ...args });
        return { instanceId: run.instanceId, status: run.status };
    };
}

async function failureOf(promise: Promise<unknown>): Promise<DeploymentError> {
    const err = await promise.then(
        () => undefined,
        (e: unknown) => e,
    );
    assert.ok(err instanceof DeploymentError, `expected the deployment to fail, got ${String(err)}`);
    return err;
}

describe("FlowSubmission runs to completion (real host, emulator)", function () {
    this.timeout(120_000);
    let emu: RunningEmulator;
    let engine: MiniEngine;

    before(async () => {
        // 1/100 of the seed's durations: the demo flows end within a second, the slow one in six.
        // KillFlow present: most kill tests here are of KillFlow itself; the ones without it say so.
        emu = await startEmulator({ accessKeyId: TEST_KEY_ID, accessKeySecret: TEST_KEY_SECRET, timeScale: 0.01, seed: SEED, killFlow: "present" });
    });
    beforeEach(async () => {
        engine = new MiniEngine(await startConfiguredHost(emu.url, PROJECT), PROJECT);
    });
    afterEach(async () => {
        await engine.host.stop();
    });
    after(async () => {
        await emu?.close();
    });

    it("succeeds with status, times, duration and nodes in the outputs", async () => {
        const { steps } = await engine.up(programOf("ok", {}));
        const outs = engine.state.get(steps[0].urn)!.outputs;
        assert.equal(outs.status, "SUCCEEDED");
        assert.match(String(outs.startTime), /Z$/);
        assert.match(String(outs.endTime), /Z$/);
        assert.ok(Number(outs.durationMs) > 0);
        const nodes = outs.nodes as { name: string; jobType: string; status: string }[];
        assert.deepEqual(nodes.map((n) => n.status), ["SUCCESS", "SUCCESS", "SUCCESS"]);
        assert.ok(nodes.every((n) => n.name && n.jobType));
    });

    it("keeps a failed run in state with its ID (ErrorResourceInitFailed), then reruns it on the next up", async () => {
        const program = programOf("fails-once", { flowId: DEMO_IDS.failOnceFlowId });
        const failed = await failureOf(engine.up(program));
        const hostError = failed.errors[0].error as HostCallError;
        assert.ok(hostError instanceof HostCallError);
        assert.ok(hostError.initFailed, "the host sent ErrorResourceInitFailed in the gRPC status details");
        const id = hostError.initFailed.id;
        assert.match(id, /^FI-/);
        assert.equal(hostError.initFailed.properties.status, "FAILED");
        assert.match(hostError.details, new RegExp(`${id} ended FAILED`));
        assert.match(hostError.details, /Failed nodes: \w+ \(/);
        const created = emu.instances().length;

        // Same inputs, next up: RerunFlow of the failed nodes, same instance, waited for.
        const { steps } = await engine.up(program);
        assert.deepEqual(steps.map((s) => [s.kind, s.id]), [["update", id]]);
        assert.equal(engine.state.get(steps[0].urn)!.outputs.status, "SUCCEEDED");
        assert.equal(emu.instances().length, created, "no new submission");
        // Output travels apart from the answer: wait for the line rather than read at once.
        await engine.host.waitForOutput(`${id} failed in an earlier deployment; rerunning its failed nodes`);
        assert.ok(engine.host.output().some((l) => l.includes(`${id} failed in an earlier deployment; rerunning its failed nodes`)));
        assert.equal(emu.stats().calls.RerunFlow, 1);
    });

    it("times out with the run kept, and the next up waits for the same instance", async () => {
        const program = (timeoutSeconds: number) => programOf("long", { flowId: SLOW_FLOW, timeoutSeconds });
        const failed = await failureOf(engine.up(program(1)));
        const init = (failed.errors[0].error as HostCallError).initFailed!;
        assert.match((failed.errors[0].error as HostCallError).details, /did not reach "completion" within timeoutSeconds=1/);
        const created = emu.instances().length;
        // Changing timeoutSeconds never submits a new run: the same instance is waited for.
        const { steps } = await engine.up(program(600));
        assert.deepEqual(steps.map((s) => [s.kind, s.id]), [["update", init.id]]);
        assert.equal(engine.state.get(steps[0].urn)!.outputs.status, "SUCCEEDED");
        assert.equal(emu.instances().length, created);
        await engine.host.waitForOutput(`${init.id} had not reached "completion"`);
        assert.ok(engine.host.output().some((l) => l.includes(`${init.id} had not reached "completion"`)));
    });

    it("replaces a run killed before completion even with unchanged inputs", async () => {
        const program = programOf("killed-same", { flowId: SLOW_FLOW, timeoutSeconds: 1 });
        const init = ((await failureOf(engine.up(program))).errors[0].error as HostCallError).initFailed!;
        await killOutside(emu, init.id);
        await engine.refresh();
        const created = emu.instances().length;
        // The replacement is a new run of the same slow flow: it times out too and is kept in state.
        const failed = await failureOf(engine.up(program));
        assert.match((failed.errors[0].error as HostCallError).details, /did not reach "completion" within timeoutSeconds=1/);
        const step = engine.steps.find((s) => s.kind === "replace" || s.kind === "failed");
        assert.ok(step, "a new run was started");
        assert.notEqual(step.id, init.id);
        assert.equal(emu.instances().length, created + 1);
    });

    it("killOnDelete stops an unfinished run on destroy and waits for KILLED", async () => {
        const program = programOf("kill-on-destroy", { flowId: SLOW_FLOW, waitFor: "start", killOnDelete: true });
        const { steps } = await engine.up(program);
        const id = steps[0].id!;
        assert.equal(emu.instances().find((i) => i.id === id)!.status, "RUNNING");
        await engine.destroy();
        assert.equal(emu.instances().find((i) => i.id === id)!.status, "KILLED");
        await engine.host.waitForOutput(`killing ${id}`);
        assert.ok(engine.host.output().some((l) => l.includes(`killing ${id}`)));
    });

    it("killOnDelete where the service has no KillFlow: suspends the run and kills its running job, says exactly that, never KILLED", async () => {
        emu.configure({ killFlow: "absent" });
        try {
            const { steps } = await engine.up(programOf("halt-on-destroy", { flowId: SLOW_FLOW, waitFor: "start", killOnDelete: true }));
            const id = steps[0].id!;
            await engine.destroy();
            assert.equal(engine.state.size, 0);
            const run = emu.instances().find((i) => i.id === id)!;
            assert.equal(run.status, "SUSPENDED");
            assert.deepEqual(run.nodes.map((n) => [n.nodeName, n.status]), [["wait", "KILL_SUCCESS"]], "the second node never started");
            // Every line, including any that came after destroy's answer: the host has exited.
            await engine.host.stop();
            const out = engine.host.output().join("\n");
            assert.match(out, new RegExp(`EMR does not offer KillFlow \\(InvalidAction\\.NotFound\\), so ${id} was stopped with SuspendFlow and KillFlowJob instead\\. Suspended it: no further node starts\\.`));
            assert.match(out, /Asked EMR to kill the running job: wait \(FNI-[0-9A-F]{16}, now KILL_SUCCESS\)\./);
            assert.match(out, /The run is SUSPENDED \(not KILLED\)\./);
            assert.doesNotMatch(out, new RegExp(`${id} is KILLED`));
        } finally {
            emu.configure({ killFlow: "present" });
        }
    });

    it("killOnDelete without KillFlow: a job that cannot be killed fails the destroy, which names it, and the run stays in the stack", async () => {
        emu.configure({ killFlow: "absent" });
        try {
            const { steps } = await engine.up(programOf("halt-refused", { flowId: SLOW_FLOW, waitFor: "start", killOnDelete: true }));
            const id = steps[0].id!;
            emu.faults.add({ action: "KillFlowJob", kind: "drop-before" });
            const err = (await engine.destroy().then(() => undefined, (e: unknown) => e)) as Error | undefined;
            assert.ok(err, "the destroy failed");
            assert.match(err.message, /Could NOT kill: wait \(FNI-[0-9A-F]{16}/);
            assert.match(err.message, /It stays in the stack/);
            assert.equal(engine.state.size, 1);
            assert.equal([...engine.state.values()][0]!.id, id);
            assert.equal(emu.instances().find((i) => i.id === id)!.status, "SUSPENDED");
        } finally {
            emu.faults.clear();
            emu.configure({ killFlow: "present" });
        }
    });

    it("killOnDelete stops the old run when a change replaces it", async () => {
        const program = (bizdate: string) => programOf("kill-on-replace", { flowId: SLOW_FLOW, waitFor: "submission", killOnDelete: true, conf: { bizdate } });
        const first = (await engine.up(program("20261127"))).steps[0].id!;
        const second = (await engine.up(program("20261128"))).steps[0];
        assert.equal(second.kind, "replace");
        assert.equal(emu.instances().find((i) => i.id === first)!.status, "KILLED");
        assert.notEqual(emu.instances().find((i) => i.id === second.id)!.status, "KILLED");
        await engine.destroy();
    });

    it("refresh shows the final status and nodes of a run that finished after the deployment", async () => {
        const { steps } = await engine.up(programOf("later", { waitFor: "submission" }));
        const urn = steps[0].urn;
        assert.equal(engine.state.get(urn)!.outputs.status, "PREP");
        await waitUntil(() => emu.instances().find((i) => i.id === steps[0].id)!.status === "SUCCEEDED");
        await engine.refresh();
        const outs = engine.state.get(urn)!.outputs;
        assert.equal(outs.status, "SUCCEEDED");
        assert.equal((outs.nodes as unknown[]).length, 3);
    });

    it("waits through a suspension, saying the run is suspended", async () => {
        const running = engine.up(programOf("suspended", { flowId: SLOW_FLOW }));
        const id = await waitUntil(() => emu.instances().find((i) => i.flowId === SLOW_FLOW && i.status === "RUNNING")?.id);
        const client = await outsideClient(emu);
        await client.suspendFlow({ projectId: DEMO_IDS.projectId, instanceId: id });
        await engine.host.waitForOutput(`${id} SUSPENDED (suspended`, 30_000);
        await client.resumeFlow({ projectId: DEMO_IDS.projectId, instanceId: id });
        const { steps } = await running;
        assert.equal(engine.state.get(steps[0].urn)!.outputs.status, "SUCCEEDED");
    });

    it("refresh removes a run that no longer exists, saying so", async () => {
        const { steps } = await engine.up(programOf("vanished", { waitFor: "submission" }));
        const entry = engine.state.get(steps[0].urn)!;
        // As if the instance had been purged: state names an ID the service does not know.
        const ghost = "FI-0000000000000BAD";
        engine.state.set(entry.urn, { ...entry, id: ghost, outputs: { ...entry.outputs, instanceId: ghost } });
        const refreshed = await engine.refresh();
        assert.deepEqual(refreshed.map((s) => [s.kind, s.detail]), [["delete", "gone"]]);
        assert.equal(engine.state.size, 0);
        await engine.host.waitForOutput(`${ghost} no longer exists`);
        assert.ok(engine.host.output().some((l) => l.includes(`${ghost} no longer exists`)));
    });

    it("killOnDelete tolerates a run that already finished", async () => {
        const { steps } = await engine.up(programOf("finished", { killOnDelete: true }));
        await engine.destroy();
        assert.equal(emu.instances().find((i) => i.id === steps[0].id)!.status, "SUCCEEDED");
        await engine.host.waitForOutput("already ended (SUCCEEDED); nothing to kill");
        assert.ok(engine.host.output().some((l) => l.includes("already ended (SUCCEEDED); nothing to kill")));
    });
});

/** A client outside the stack, as an operator's console or script would be. */
async function outsideClient(emu: RunningEmulator) {
    const { EmrFlowClient } = await import("../../provider/client/emrFlowClient");
    const { resolveSettings } = await import("../../provider/client/settings");
    return new EmrFlowClient(resolveSettings({ explicit: { accessKeyId: TEST_KEY_ID, accessKeySecret: TEST_KEY_SECRET, regionId: "cn-hangzhou", endpoint: emu.url } }));
}

/** Polls a condition on the emulator (real time: the emulator's runs take seconds here). */
async function waitUntil<T>(probe: () => T | undefined | false, timeoutMs = 30_000): Promise<T> {
    const until = Date.now() + timeoutMs;
    for (;;) {
        const value = probe();
        if (value) return value;
        if (Date.now() > until) throw new Error("condition not reached in time");
        await new Promise((r) => setTimeout(r, 50));
    }
}

/** A kill made outside the stack: another client calls KillFlow. */
async function killOutside(emu: RunningEmulator, id: string): Promise<void> {
    await (await outsideClient(emu)).killFlow({ projectId: DEMO_IDS.projectId, instanceId: id });
    assert.equal(emu.instances().find((i) => i.id === id)!.status, "KILLED");
}
