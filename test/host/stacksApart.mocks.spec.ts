/**
 * Two stacks of one project on one machine, with identical inputs, through the engine imitation
 * (which, like the engine, gives the provider process no stack name). One stack's create is
 * interrupted mid-wait; the other stack's `up` must start its own run, not continue that one, and
 * the interrupted stack's next `up` must continue its own run, not submit again.
 *
 * The provider tells the stacks apart by the hidden `__stack` input the SDK adds; without it both
 * stacks would share one submission record key.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { startEmulator, DEMO_IDS, type RunningEmulator } from "../../emulator";
import { ProviderHost, secret } from "../engine-imitation";
import { MiniEngine } from "../engine-imitation/miniEngine";
import { PROJECT_ID, RELIABILITY_SEED, SLOW_FLOW, TIME_SCALE } from "./reliabilityRun";
import { TEST_KEY_ID, TEST_KEY_SECRET, hostEnv } from "../support/testEnv";

const ROOT = path.resolve(__dirname, "..", "..");
const PROJECT = "emr-flow-two-stacks";

describe("two stacks of one project on one machine (engine imitation)", function () {
    this.timeout(90_000);
    let emu: RunningEmulator;
    let home: string;
    const hosts: ProviderHost[] = [];

    before(async () => {
        emu = await startEmulator({ accessKeyId: TEST_KEY_ID, accessKeySecret: TEST_KEY_SECRET, timeScale: TIME_SCALE, seed: RELIABILITY_SEED });
        // One home for both stacks: one user, one machine, one submission record.
        home = fs.mkdtempSync(path.join(os.tmpdir(), "emr-flow-stacks-"));
    });
    after(async () => {
        for (const h of hosts) await h.stop().catch(() => undefined);
        await emu?.close();
        fs.rmSync(home, { recursive: true, force: true });
    });

    async function engineFor(stack: string): Promise<MiniEngine> {
        const host = await ProviderHost.start({ cwd: ROOT, project: PROJECT, stack, env: hostEnv(home) });
        hosts.push(host);
        await host.configure({ "alicloud:accessKey": TEST_KEY_ID, "alicloud:secretKey": secret(TEST_KEY_SECRET), "alicloud:region": DEMO_IDS.regionId, "emr-flow:endpoint": emu.url });
        return new MiniEngine(host, PROJECT, stack);
    }

    const program = () => {
        const { FlowSubmission } = require("pulumi-emr-flow") as typeof import("../../sdk");
        const run = new FlowSubmission("same", { projectId: PROJECT_ID, flowId: SLOW_FLOW, conf: { bizdate: "20261127" } });
        return { instanceId: run.instanceId, status: run.status };
    };
    const runsOfFlow = () => emu.instances().filter((i) => i.flowId === SLOW_FLOW && i.conf.bizdate === "20261127");

    it("the provider process gets no stack name, and the SDK names the stack in __stack", async () => {
        const a = await engineFor("probe");
        const { result } = await a.up(() => {
            const pulumi = require("@pulumi/pulumi") as typeof import("@pulumi/pulumi");
            const { FlowSubmission } = require("pulumi-emr-flow") as typeof import("../../sdk");
            const run = new FlowSubmission("probe", { projectId: PROJECT_ID, flowId: SLOW_FLOW, conf: { probe: "1" }, waitFor: "submission" });
            return { id: run.instanceId, stack: pulumi.getStack() };
        });
        const [res] = result.resources.filter((r) => r.name === "probe");
        // `<organization>/<project>/<stack>`; the mocks have no organization (the CLI's file backend says "organization").
        assert.equal(res.plainInputs.__stack, `/${PROJECT}/probe`);
        // What checked inputs the engine keeps in state: __stack is an input, never an output.
        const entry = [...a.state.values()].find((e) => e.name === "probe")!;
        assert.equal(entry.inputs.__stack, res.plainInputs.__stack);
        assert.equal(entry.outputs.__stack, undefined);
    });

    it("an interrupted create in one stack is not taken over by the other stack's up", async () => {
        const a = await engineFor("alpha");
        const interrupted = a.up(program).catch((err: unknown) => err);
        // Alpha's run is submitted and alpha's host is waiting for it: the CLI is killed.
        const submitted = await a.host.waitForOutput(/submitted flow .* as FI-/, 30_000);
        const alphaRun = /as (FI-\w+)/.exec(submitted)![1];
        assert.deepEqual(runsOfFlow().map((i) => i.id), [alphaRun]);
        a.host.kill("SIGKILL");
        await a.host.exited;
        await interrupted;

        const b = await engineFor("beta");
        const { result: beta } = await b.up(program);
        // Everything beta's host printed, not what reached us by now: it has exited.
        await b.host.stop();
        assert.notEqual(beta.outputs.instanceId, alphaRun, "beta continued alpha's interrupted run");
        assert.equal(runsOfFlow().length, 2, "beta submitted its own run");
        assert.ok(!b.host.output().some((l) => l.includes("continuing with")), b.host.output().join("\n"));

        // Alpha's next up (a new provider process, as every CLI command is) continues its own run.
        const again = await engineFor("alpha");
        const { result: alpha } = await again.up(program);
        // Output travels apart from the answer: wait for the line rather than sleep.
        await again.host.waitForOutput(`continuing with ${alphaRun}`);
        assert.equal(alpha.outputs.instanceId, alphaRun);
        assert.equal(alpha.outputs.status, "SUCCEEDED");
        assert.equal(runsOfFlow().length, 2, "alpha submitted nothing again");
        assert.ok(again.host.output().some((l) => l.includes(`continuing with ${alphaRun}`)), again.host.output().join("\n"));
    });
});
