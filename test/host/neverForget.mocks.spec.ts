/**
 * Never forget a run the service still has: `pulumi refresh` and `pulumi destroy` (with
 * killOnDelete) through the real provider host drop a run, or report nothing to kill, only on an
 * answer that this instance does not exist in a project the caller can see. The wrong account,
 * the wrong region, the wrong endpoint, a project not found, a refusal: each fails with advice,
 * the run stays in the stack, and it is still running afterwards.
 */
import { strict as assert } from "assert";
import * as http from "http";
import type { AddressInfo } from "net";
import { startEmulator, DEMO_IDS, DEMO_SEED, type RunningEmulator, type Seed } from "../../emulator";
import { HostCallError } from "../engine-imitation";
import { MiniEngine, type StateEntry } from "../engine-imitation/miniEngine";
import { startConfiguredHost, TEST_KEY_ID, TEST_KEY_SECRET } from "../support/testEnv";
import type { FlowSubmissionArgs } from "../../sdk";

const PROJECT = "emr-flow-never-forget";
/** Runs for twenty minutes at the time scale used here: still RUNNING throughout the test. */
const LONG_FLOW = "F-L0NG000000000001";
const SEED: Seed = {
    ...DEMO_SEED,
    projects: DEMO_SEED.projects.map((p) =>
        p.id !== DEMO_IDS.projectId ? p : { ...p, flows: [...p.flows, { id: LONG_FLOW, name: "long", nodes: [{ name: "wait", jobType: "SHELL", durationMs: 120_000_000 }] }] },
    ),
};
/** Another account's view: its own AccessKey, and projects that are not this stack's. */
const OTHER_KEY = { id: "LTAI-other-account-key", secret: "other-account-secret-never-print" };
const OTHER_SEED: Seed = { projects: [{ id: "FP-0THER00000000001", regionId: DEMO_IDS.regionId, flows: [{ id: "F-0THER00000000001", name: "theirs", nodes: [{ name: "n", jobType: "SHELL", durationMs: 1000 }] }] }] };

function program() {
    return async () => {
        const { FlowSubmission } = require("pulumi-emr-flow") as typeof import("../../sdk");
        const args: FlowSubmissionArgs = { projectId: DEMO_IDS.projectId, flowId: LONG_FLOW, waitFor: "start", killOnDelete: true };
        return { id: new FlowSubmission("kept", args).instanceId };
    };
}

async function failure(promise: Promise<unknown>): Promise<HostCallError> {
    const err = await promise.then(
        () => undefined,
        (e: unknown) => e,
    );
    assert.ok(err instanceof HostCallError, `expected the step to fail, got ${String(err)}`);
    return err;
}

describe("never forget a run the service still has (real host, emulator)", function () {
    this.timeout(120_000);
    let emu: RunningEmulator;
    let other: RunningEmulator;
    let web: http.Server;
    let webUrl: string;
    let home: MiniEngine;
    let entry: StateEntry;
    let id: string;

    before(async () => {
        emu = await startEmulator({ accessKeyId: TEST_KEY_ID, accessKeySecret: TEST_KEY_SECRET, timeScale: 0.01, seed: SEED });
        other = await startEmulator({ accessKeyId: OTHER_KEY.id, accessKeySecret: OTHER_KEY.secret, seed: OTHER_SEED });
        // Something at the configured address that is not the EMR API: a web server's 404 page.
        web = http.createServer((_req, res) => {
            res.writeHead(404, { "content-type": "text/html" });
            res.end("<html><body><h1>404 Not Found</h1></body></html>");
        });
        await new Promise<void>((resolve) => web.listen(0, "127.0.0.1", resolve));
        webUrl = `http://127.0.0.1:${(web.address() as AddressInfo).port}`;
        home = new MiniEngine(await startConfiguredHost(emu.url, PROJECT), PROJECT);
        const { steps } = await home.up(program());
        id = steps[0]!.id!;
        entry = home.state.get(steps[0]!.urn)!;
        assert.equal(emu.instances().find((i) => i.id === id)!.status, "RUNNING");
    });
    after(async () => {
        await home?.host.stop();
        await emu?.close();
        await other?.close();
        await new Promise<void>((resolve) => (web ? web.close(() => resolve()) : resolve()));
    });

    /** An engine whose host is configured with `config`, holding the stack's state (edited by `edit`). */
    async function engineWith(config: Record<string, string>, endpoint = emu.url, edit: (outputs: Record<string, unknown>) => Record<string, unknown> = (o) => o): Promise<MiniEngine> {
        const engine = new MiniEngine(await startConfiguredHost(endpoint, PROJECT, { config }), PROJECT);
        const outputs = edit({ ...entry.outputs }) as StateEntry["outputs"];
        engine.state.set(entry.urn, { ...entry, outputs, inputs: { ...entry.inputs, ...(outputs.regionId !== undefined && { regionId: outputs.regionId }), ...(outputs.projectId !== undefined && { projectId: outputs.projectId }) } });
        return engine;
    }

    /** Refresh and destroy both fail with advice; the run stays in the stack and keeps running. */
    async function keptThroughRefreshAndDestroy(engine: MiniEngine, answer: RegExp): Promise<void> {
        try {
            const refreshed = await failure(engine.refresh());
            assert.match(refreshed.details, answer);
            assert.match(refreshed.details, new RegExp(`${id} stays in the stack`));
            assert.match(refreshed.details, /Check that the account .* the region .* and the endpoint/);
            assert.equal(engine.state.size, 1, "refresh kept the run");
            const destroyed = await failure(engine.destroy());
            assert.match(destroyed.details, answer);
            assert.match(destroyed.details, new RegExp(`${id} stays in the stack`));
            assert.equal(engine.state.size, 1, "destroy kept the run");
            // A line can arrive after the answer: only once the host has exited is all it printed in.
            await engine.host.stop();
            assert.equal(engine.host.output().some((l) => /no longer exists|nothing to kill|removed from the stack/.test(l)), false, engine.host.output().join("\n"));
            assert.equal(emu.instances().find((i) => i.id === id)!.status, "RUNNING", "the run was not killed");
        } finally {
            await engine.host.stop();
        }
    }

    it("wrong account, unknown AccessKey (InvalidAccessKeyId.NotFound, 404): fails, the run stays", async () => {
        const engine = await engineWith({ "alicloud:accessKey": "LTAI-nobody-knows-this", "alicloud:secretKey": "some-secret" });
        await keptThroughRefreshAndDestroy(engine, /InvalidAccessKeyId\.NotFound \(HTTP 404\)/);
    });

    it("wrong account, another account's valid keys (its projects are not this one: EMR.Project.NotFound): fails, the run stays", async () => {
        const engine = await engineWith({ "alicloud:accessKey": OTHER_KEY.id, "alicloud:secretKey": OTHER_KEY.secret }, other.url);
        await keptThroughRefreshAndDestroy(engine, /EMR\.Project\.NotFound \(HTTP 404\): project not exist/);
        assert.ok((other.stats().calls.DescribeFlowInstance ?? 0) >= 2, "the other account's service was asked");
    });

    it("wrong region (the project lives in another region than the one asked: EMR.Project.NotFound): fails, the run stays", async () => {
        const engine = await engineWith({}, emu.url, (o) => ({ ...o, regionId: "cn-shanghai" }));
        await keptThroughRefreshAndDestroy(engine, /EMR\.Project\.NotFound .*region cn-shanghai|region cn-shanghai.*EMR\.Project\.NotFound/);
    });

    it("wrong endpoint (a web server's HTML 404, not the EMR API): fails, the run stays", async () => {
        const engine = await engineWith({}, webUrl);
        await keptThroughRefreshAndDestroy(engine, /not JSON with HTTP 404/);
    });

    it("project not found (EMR.Project.NotFound for the project in state): fails, the run stays", async () => {
        const engine = await engineWith({}, emu.url, (o) => ({ ...o, projectId: "FP-G0NE000000000001" }));
        await keptThroughRefreshAndDestroy(engine, /EMR\.Project\.NotFound \(HTTP 404\): project not exist/);
    });

    it("forbidden (403 Forbidden.RAM): fails, the run stays", async () => {
        emu.faults.add({ action: "DescribeFlowInstance", kind: "error", status: 403, code: "Forbidden.RAM" });
        try {
            const engine = await engineWith({});
            await keptThroughRefreshAndDestroy(engine, /Forbidden\.RAM \(HTTP 403\)/);
        } finally {
            emu.faults.clear();
        }
    });

    it("an instance the service says does not exist (EMR.FlowInstance.NotFound) is dropped by refresh, and destroy finds nothing to kill", async () => {
        const ghost = "FI-0000000000000BAD";
        const forRefresh = await engineWith({}, emu.url, (o) => ({ ...o, instanceId: ghost }));
        try {
            forRefresh.state.set(entry.urn, { ...forRefresh.state.get(entry.urn)!, id: ghost });
            const steps = await forRefresh.refresh();
            assert.deepEqual(steps.map((s) => [s.kind, s.id, s.detail]), [["delete", ghost, "gone"]]);
            // Output travels apart from the answer: wait for the line rather than read at once.
            await forRefresh.host.waitForOutput(`${ghost} no longer exists in project ${DEMO_IDS.projectId}; refreshing drops it from the stack`);
            assert.ok(forRefresh.host.output().some((l) => l.includes(`${ghost} no longer exists in project ${DEMO_IDS.projectId}; refreshing drops it from the stack`)));
            forRefresh.state.set(entry.urn, { ...entry, id: ghost, outputs: { ...entry.outputs, instanceId: ghost } });
            await forRefresh.destroy();
            assert.equal(forRefresh.state.size, 0);
            await forRefresh.host.waitForOutput(`${ghost} no longer exists; nothing to kill`);
            assert.ok(forRefresh.host.output().some((l) => l.includes(`${ghost} no longer exists; nothing to kill`)));
        } finally {
            await forRefresh.host.stop();
        }
    });

    it("with the right settings the run is still there: refresh sees it RUNNING, destroy stops it (suspended and its job killed, as EMR offers no KillFlow)", async () => {
        await home.refresh();
        assert.equal(home.state.get(entry.urn)!.outputs.status, "RUNNING");
        await home.destroy();
        // The emulator plays the current SDKs by default: KillFlow is an unknown action, so the
        // provider suspends the run and kills its running job; the run is then SUSPENDED, not KILLED.
        assert.equal(emu.instances().find((i) => i.id === id)!.status, "SUSPENDED");
        assert.equal(emu.stats().calls.SuspendFlow, 1);
        assert.equal(emu.instances().length, 1, "one run in all: nothing was submitted again");
    });
});
