/**
 * examples/byName through the engine protocol: the program finds its project and flow by name
 * (the lookups run in the program's process, as in `pulumi up`, against the emulator), and the
 * real dynamic provider host submits the run. Also: a project ID without `FP-` through the real
 * host's check and create, and a name that matches two flows failing the program with both listed.
 */
import { strict as assert } from "assert";
import * as path from "path";
import { startEmulator, DEMO_IDS, type RunningEmulator } from "../../emulator";
import { requireFresh, reveal, urnFor } from "../engine-imitation";
import { MiniEngine } from "../engine-imitation/miniEngine";
import { LOOKUP_IDS, LOOKUP_SEED } from "../support/lookupSeed";
import { startConfiguredHost, TEST_KEY_ID, TEST_KEY_SECRET } from "../support/testEnv";

const ROOT = path.resolve(__dirname, "..", "..");
const BY_NAME = path.join(ROOT, "examples", "byName");
/** The example's own project name, so its `new pulumi.Config()` reads the config given here. */
const PROJECT = "emr-flow-by-name";
const TYPE = "pulumi-nodejs:dynamic/emr-flow:FlowSubmission";

describe("lookups by name through the real provider host (emulator)", function () {
    this.timeout(120_000);
    let emu: RunningEmulator;
    let engine: MiniEngine;
    /** The lookups run in the program's process: they read the same stack config the provider host does. */
    let stackConfig: Record<string, string>;

    before(async () => {
        const seed = { ...LOOKUP_SEED, projects: [...LOOKUP_SEED.projects, ...(await import("../../emulator")).DEMO_SEED.projects] };
        emu = await startEmulator({ accessKeyId: TEST_KEY_ID, accessKeySecret: TEST_KEY_SECRET, timeScale: 0.01, seed });
        stackConfig = { "alicloud:accessKey": TEST_KEY_ID, "alicloud:secretKey": TEST_KEY_SECRET, "alicloud:region": "cn-hangzhou", "emr-flow:endpoint": emu.url };
    });
    beforeEach(async () => {
        emu.reset();
        emu.configure({ nameFilter: "contains" });
        engine = new MiniEngine(await startConfiguredHost(emu.url, PROJECT, { cwd: BY_NAME }), PROJECT);
    });
    afterEach(async () => {
        await engine.host.stop();
    });
    after(async () => {
        await emu?.close();
    });

    const up = (config: Record<string, string> = {}) =>
        engine.up(() => requireFresh(path.join(BY_NAME, "index.ts")), { config: { ...stackConfig, ...config }, secretKeys: ["alicloud:secretKey"] });

    for (const nameFilter of ["contains", "exact"] as const) {
        it(`examples/byName: submits the flow named in the project named, by their IDs (Name filter: ${nameFilter})`, async () => {
            emu.configure({ nameFilter });
            const { steps, result } = await up({ project: "data-platform", flow: "nightly-etl", waitFor: "completion" });
            assert.deepEqual(steps.map((s) => s.kind), ["create"]);
            assert.equal(result.outputs.projectId, LOOKUP_IDS.dataPlatform, "not data-platform-dev, whose name contains it");
            assert.equal(result.outputs.flowId, LOOKUP_IDS.nightly, "not nightly-etl-v2");
            const [instance] = emu.instances();
            assert.equal(emu.instances().length, 1);
            assert.equal(instance.projectId, LOOKUP_IDS.dataPlatform);
            assert.equal(instance.flowId, LOOKUP_IDS.nightly);
            assert.equal(result.outputs.instanceId, instance.id);
            assert.equal(result.outputs.status, "SUCCEEDED");
            assert.ok((emu.stats().calls.ListFlowProject ?? 0) >= 1 && (emu.stats().calls.ListFlow ?? 0) >= 1, JSON.stringify(emu.stats().calls));
        });
    }

    it("examples/byName with its defaults: the emulator's demo project and flow", async () => {
        const { result } = await up({ waitFor: "submission" });
        assert.equal(result.outputs.projectId, DEMO_IDS.projectId);
        assert.equal(result.outputs.flowId, DEMO_IDS.succeedingFlowId);
        assert.equal(emu.instances()[0]?.flowId, DEMO_IDS.succeedingFlowId);
    });

    // Programs with one lookup each: a failed lookup feeding a FlowSubmission fails twice (the
    // output and the registration), and the engine imitation reports only the first of the two.
    it("a flow name two flows share fails the program with both listed, and nothing is submitted", async () => {
        const program = () => {
            const { getFlowOutput } = require("pulumi-emr-flow") as typeof import("../../sdk");
            return { flowId: getFlowOutput({ projectId: LOOKUP_IDS.dataPlatform, name: "report" }).flowId };
        };
        await assert.rejects(
            engine.up(program, { config: stackConfig, secretKeys: ["alicloud:secretKey"] }),
            /getFlow: 2 flows are named "report" in project FP-5EED000000000001: F-5EED000000000003 \("report"\), F-5EED000000000004 \("report"\)\. Pass the ID of the one you mean/,
        );
        assert.equal(emu.stats().calls.SubmitFlow ?? 0, 0);
    });

    it("a project name nothing has fails the program with the near names", async () => {
        const program = () => {
            const { getFlowProjectOutput } = require("pulumi-emr-flow") as typeof import("../../sdk");
            return { projectId: getFlowProjectOutput({ name: "data" }).projectId };
        };
        await assert.rejects(
            engine.up(program, { config: stackConfig, secretKeys: ["alicloud:secretKey"] }),
            /getFlowProject: no project is named "data" in region cn-hangzhou; names that come close: FP-5EED000000000001 \("data-platform"\), FP-5EED000000000002 \("data-platform-dev"\)/,
        );
    });

    it("a project ID without FP- passes the host's check and is sent with it", async () => {
        const program = () => {
            const { FlowSubmission } = require("pulumi-emr-flow") as typeof import("../../sdk");
            const run = new FlowSubmission("bare", { projectId: DEMO_IDS.projectId.slice(3), flowId: DEMO_IDS.succeedingFlowId, waitFor: "submission" });
            return { projectId: run.projectId, instanceId: run.instanceId };
        };
        const { steps, result } = await engine.up(program);
        assert.deepEqual(steps.map((s) => s.kind), ["create"]);
        assert.equal(result.outputs.projectId, DEMO_IDS.projectId);
        assert.equal(emu.instances()[0]?.projectId, DEMO_IDS.projectId);
        // Written with the prefix the next time: the same input, so no new run.
        const prefixed = () => {
            const { FlowSubmission } = require("pulumi-emr-flow") as typeof import("../../sdk");
            const run = new FlowSubmission("bare", { projectId: DEMO_IDS.projectId, flowId: DEMO_IDS.succeedingFlowId, waitFor: "submission" });
            return { projectId: run.projectId };
        };
        assert.deepEqual((await engine.up(prefixed)).steps.map((s) => s.kind), ["same"]);
        assert.equal(emu.instances().length, 1);
        const urn = urnFor("bare", PROJECT, "dev", TYPE);
        assert.equal(reveal(engine.state.get(urn)?.outputs.projectId), DEMO_IDS.projectId);
    });

    it("a flow ID given as the project ID fails the host's check with the lookup named, before any call", async () => {
        const program = () => {
            const { FlowSubmission } = require("pulumi-emr-flow") as typeof import("../../sdk");
            const run = new FlowSubmission("wrong", { projectId: DEMO_IDS.succeedingFlowId, flowId: DEMO_IDS.succeedingFlowId });
            return { instanceId: run.instanceId };
        };
        await assert.rejects(engine.up(program), /projectId: "F-D3M0000000000001" is a flow ID, not a project ID \(FP-0123456789ABCDEF\); to find one by name, use getFlowProject\(\{ name \}\)/);
        assert.deepEqual(emu.stats().calls, {});
    });
});
