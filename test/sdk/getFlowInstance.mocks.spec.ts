/**
 * getFlowInstance against the emulator, from inside a Pulumi program (under mocks, with stack
 * config holding the credentials and endpoint as a user's stack would): a run the stack did not
 * start, an Output-driven lookup, a preview, an unknown ID and malformed arguments.
 */
import { strict as assert } from "assert";
import { EmrFlowClient } from "../../provider/client/emrFlowClient";
import { resolveSettings } from "../../provider/client/settings";
import { startEmulator, DEMO_IDS, type RunningEmulator } from "../../emulator";
import { UNKNOWN, reveal, runProgram } from "../engine-imitation";
import { TEST_KEY_ID, TEST_KEY_SECRET } from "../support/testEnv";
import type { FlowInstanceDetails } from "../../sdk";

describe("getFlowInstance (emulator)", function () {
    this.timeout(60_000);
    let emu: RunningEmulator;
    let config: Record<string, string>;
    let outside: EmrFlowClient;

    before(async () => {
        emu = await startEmulator({ accessKeyId: TEST_KEY_ID, accessKeySecret: TEST_KEY_SECRET, timeScale: 0.01 });
        config = { "alicloud:accessKey": TEST_KEY_ID, "alicloud:secretKey": TEST_KEY_SECRET, "alicloud:region": "cn-hangzhou", "emr-flow:endpoint": emu.url };
        // Another client starts the runs: the stack under test never did.
        outside = new EmrFlowClient(resolveSettings({ explicit: { accessKeyId: TEST_KEY_ID, accessKeySecret: TEST_KEY_SECRET, regionId: "cn-hangzhou", endpoint: emu.url } }));
    });
    after(async () => {
        await emu?.close();
    });

    async function finishedRun(flowId: string): Promise<string> {
        const { instanceId } = await outside.submitFlow({ projectId: DEMO_IDS.projectId, flowId, conf: { cyctime: String(Date.UTC(2026, 10, 27)) } });
        for (let i = 0; i < 100; i++) {
            const live = await outside.describeFlowInstance({ projectId: DEMO_IDS.projectId, instanceId });
            if (["SUCCEEDED", "FAILED", "KILLED"].includes(live.status)) return instanceId;
            await new Promise((resolve) => setTimeout(resolve, 50));
        }
        throw new Error(`${instanceId} did not finish`);
    }

    it("returns the live status, times and nodes of a run this stack did not start", async () => {
        const instanceId = await finishedRun(DEMO_IDS.succeedingFlowId);
        const { outputs } = await runProgram(
            async () => {
                const { getFlowInstance } = require("../../sdk") as typeof import("../../sdk");
                const run = await getFlowInstance({ instanceId, projectId: DEMO_IDS.projectId });
                return { run };
            },
            { config, secretKeys: ["alicloud:secretKey"] },
        );
        const run = reveal(outputs.run) as unknown as FlowInstanceDetails;
        assert.equal(run.instanceId, instanceId);
        assert.equal(run.status, "SUCCEEDED");
        assert.equal(run.finished, true);
        assert.equal(run.projectId, DEMO_IDS.projectId);
        assert.equal(run.regionId, "cn-hangzhou", "the region from stack config");
        assert.equal(run.flowId, DEMO_IDS.succeedingFlowId);
        assert.equal(run.scheduleTime, "2026-11-27T00:00:00.000Z");
        assert.match(run.startTime!, /Z$/);
        assert.match(run.endTime!, /Z$/);
        assert.deepEqual(run.nodes.map((n) => [n.name, n.jobType, n.status]), [
            ["extract", "SHELL", "SUCCESS"],
            ["transform", "SPARK", "SUCCESS"],
            ["load", "HIVE_SQL", "SUCCESS"],
        ]);
        assert.ok(!JSON.stringify(outputs).includes(TEST_KEY_SECRET), "no credential in the result");
    });

    it("getFlowInstanceOutput takes Outputs, returns an Output, and reports a failed run's nodes", async () => {
        const instanceId = await finishedRun(DEMO_IDS.alwaysFailingFlowId);
        const { outputs } = await runProgram(
            () => {
                const pulumi = require("@pulumi/pulumi") as typeof import("@pulumi/pulumi");
                const { getFlowInstanceOutput } = require("../../sdk") as typeof import("../../sdk");
                const run = getFlowInstanceOutput({ instanceId: pulumi.output(instanceId), projectId: pulumi.output(DEMO_IDS.projectId), regionId: "cn-hangzhou" });
                return { status: run.status, failed: run.nodes.apply((nodes) => nodes.filter((n) => n.status === "FAILED").map((n) => n.name)) };
            },
            { config, secretKeys: ["alicloud:secretKey"] },
        );
        assert.equal(outputs.status, "FAILED");
        assert.deepEqual(outputs.failed, ["import"]);
    });

    it("runs in preview too, and is unknown while its ID is", async () => {
        const instanceId = await finishedRun(DEMO_IDS.succeedingFlowId);
        const { outputs } = await runProgram(
            () => {
                const pulumi = require("@pulumi/pulumi") as typeof import("@pulumi/pulumi");
                const { FlowSubmission, getFlowInstanceOutput } = require("../../sdk") as typeof import("../../sdk");
                const known = getFlowInstanceOutput({ instanceId, projectId: DEMO_IDS.projectId });
                // A run this preview would submit has no ID yet.
                const planned = new FlowSubmission("planned", { projectId: DEMO_IDS.projectId, flowId: DEMO_IDS.succeedingFlowId });
                const pending = getFlowInstanceOutput({ instanceId: planned.instanceId, projectId: DEMO_IDS.projectId });
                return { known: known.status, pending: pending.status, dry: pulumi.runtime.isDryRun() };
            },
            { config, secretKeys: ["alicloud:secretKey"], isDryRun: true },
        );
        assert.equal(outputs.dry, true);
        assert.equal(outputs.known, "SUCCEEDED");
        assert.equal(outputs.pending, UNKNOWN);
    });

    it("rejects an unknown instance ID with an error naming the ID and the project", async () => {
        const { getFlowInstance } = require("../../sdk") as typeof import("../../sdk");
        await assert.rejects(
            runProgram(async () => ({ run: await getFlowInstance({ instanceId: "FI-0000000000000000", projectId: DEMO_IDS.projectId }) }), { config, secretKeys: ["alicloud:secretKey"] }),
            /flow instance FI-0000000000000000 was not found in project FP-D3M0000000000001 \(region cn-hangzhou\)\. Check the instance ID/,
        );
    });

    it("rejects malformed IDs before calling EMR, naming each", async () => {
        const { getFlowInstance } = require("../../sdk") as typeof import("../../sdk");
        const calls = emu.stats().calls.DescribeFlowInstance ?? 0;
        await assert.rejects(getFlowInstance({ instanceId: "i-123", projectId: "project" }), (err: Error) => {
            assert.match(err.message, /instanceId "i-123" is not a flow instance ID such as FI-0123456789ABCDEF/);
            assert.match(err.message, /projectId "project" is not a project ID/);
            return true;
        });
        assert.equal(emu.stats().calls.DescribeFlowInstance ?? 0, calls);
    });

    it("says where it looked when no credentials are set", async () => {
        const { getFlowInstance } = require("../../sdk") as typeof import("../../sdk");
        const saved = { ...process.env };
        // The chain must not reach the ECS metadata address or a real profile.
        process.env.ALIBABA_CLOUD_ECS_METADATA_DISABLED = "true";
        process.env.ALIBABA_CLOUD_CLI_PROFILE_DISABLED = "true";
        process.env.HOME = "/nonexistent-home-for-test";
        for (const k of ["ALIBABA_CLOUD_ACCESS_KEY_ID", "ALIBABA_CLOUD_ACCESS_KEY_SECRET", "ALICLOUD_ACCESS_KEY", "ALICLOUD_SECRET_KEY", "ALIBABA_CLOUD_CREDENTIALS_URI", "ALIBABA_CLOUD_ROLE_ARN", "ALIBABA_CLOUD_CREDENTIALS_FILE"]) delete process.env[k];
        try {
            await assert.rejects(
                runProgram(async () => ({ run: await getFlowInstance({ instanceId: "FI-0000000000000000", projectId: DEMO_IDS.projectId }) }), {
                    config: { "alicloud:region": "cn-hangzhou", "emr-flow:endpoint": emu.url },
                }),
                /No Alibaba Cloud credentials found[\s\S]*stack config alicloud:accessKey/,
            );
        } finally {
            for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
            Object.assign(process.env, saved);
        }
    });
});
