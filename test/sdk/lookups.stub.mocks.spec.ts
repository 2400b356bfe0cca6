/**
 * getFlowProject and getFlow in a user's unit tests: the test stubs both lookups in `mocks.call`
 * (by token), the program submits a FlowSubmission named by project and flow name, and nothing
 * is called: no EMR endpoint, no credential chain, no socket. A control shows the real lookups do
 * reach out with the same settings, so the "nothing called" checks can fail.
 */
import { strict as assert } from "assert";
import * as http from "http";
import * as net from "net";
import type { AddressInfo } from "net";
import { reveal, runProgram } from "../engine-imitation";

const CREDENTIAL_VARS = [
    "ALIBABA_CLOUD_ACCESS_KEY_ID",
    "ALIBABA_CLOUD_ACCESS_KEY_SECRET",
    "ALIBABA_CLOUD_SECURITY_TOKEN",
    "ALICLOUD_ACCESS_KEY",
    "ALICLOUD_SECRET_KEY",
    "ALICLOUD_SECURITY_TOKEN",
    "ALIBABA_CLOUD_ROLE_ARN",
    "ALIBABA_CLOUD_OIDC_PROVIDER_ARN",
    "ALIBABA_CLOUD_OIDC_TOKEN_FILE",
    "ALIBABA_CLOUD_CREDENTIALS_FILE",
    "ALIBABA_CLOUD_ECS_METADATA",
];

/** What a user's test file writes: stub each lookup by its token, answer other invokes with their inputs. */
function userMocks(calls: { token: string; inputs: Record<string, unknown> }[]) {
    return (args: { token: string; inputs: Record<string, unknown> }) => {
        calls.push({ token: args.token, inputs: args.inputs });
        switch (args.token) {
            case "pulumi-emr-flow:index:getFlowProject":
                return { projectId: "FP-AAAA000000000001", name: args.inputs.name, regionId: "cn-hangzhou" };
            case "pulumi-emr-flow:index:getFlow":
                return { flowId: "F-BBBB000000000001", name: args.inputs.name, projectId: args.inputs.projectId, regionId: "cn-hangzhou" };
            default:
                return args.inputs;
        }
    };
}

describe("getFlowProject and getFlow under a user's mocks", function () {
    this.timeout(60_000);
    let sentinel: http.Server;
    let sentinelUrl: string;
    let hits: string[];
    let savedEnv: NodeJS.ProcessEnv;
    let connects: string[];
    let originalConnect: typeof net.Socket.prototype.connect;

    before(async () => {
        sentinel = http.createServer((req, res) => {
            hits.push(`${req.method} ${req.url}`);
            res.statusCode = 500;
            res.end("{}");
        });
        await new Promise<void>((resolve) => sentinel.listen(0, "127.0.0.1", resolve));
        sentinelUrl = `http://127.0.0.1:${(sentinel.address() as AddressInfo).port}`;
    });
    after(async () => {
        await new Promise((resolve) => sentinel.close(resolve));
    });

    beforeEach(() => {
        hits = [];
        connects = [];
        savedEnv = { ...process.env };
        for (const k of CREDENTIAL_VARS) delete process.env[k];
        process.env.ALIBABA_CLOUD_ECS_METADATA_DISABLED = "true";
        process.env.ALIBABA_CLOUD_CLI_PROFILE_DISABLED = "true";
        process.env.HOME = "/nonexistent-home-for-test";
        // No credentials anywhere but this URI: a credential chain that runs ends up here.
        process.env.ALIBABA_CLOUD_CREDENTIALS_URI = `${sentinelUrl}/credentials`;
        originalConnect = net.Socket.prototype.connect;
        const record = connects;
        net.Socket.prototype.connect = function (this: net.Socket, ...args: unknown[]) {
            const [first] = args;
            record.push(typeof first === "object" && first !== null ? JSON.stringify({ host: (first as net.TcpNetConnectOpts).host, port: (first as net.TcpNetConnectOpts).port }) : String(first));
            return (originalConnect as (...a: unknown[]) => net.Socket).apply(this, args);
        } as typeof net.Socket.prototype.connect;
    });
    afterEach(() => {
        net.Socket.prototype.connect = originalConnect;
        for (const k of Object.keys(process.env)) if (!(k in savedEnv)) delete process.env[k];
        Object.assign(process.env, savedEnv);
    });

    const stackConfig = () => ({ "alicloud:region": "cn-hangzhou", "emr-flow:endpoint": sentinelUrl });

    it("stubs both lookups by token; the FlowSubmission gets the stubbed IDs; nothing is called", async () => {
        const calls: { token: string; inputs: Record<string, unknown> }[] = [];
        const { resources, outputs } = await runProgram(
            async () => {
                const { FlowSubmission, getFlowProject, getFlowOutput, getFlowProjectOutput } = require("../../sdk") as typeof import("../../sdk");
                const project = getFlowProjectOutput({ name: "data-platform" });
                const flow = getFlowOutput({ projectId: project.projectId, name: "nightly-etl", regionId: "cn-hangzhou" });
                const run = new FlowSubmission("nightly", { projectId: flow.projectId, flowId: flow.flowId, waitFor: "submission" });
                const byId = await getFlowProject({ projectId: "AAAA000000000001" });
                return { projectId: project.projectId, flowId: flow.flowId, runProject: run.projectId, byIdName: byId.name ?? null };
            },
            { config: stackConfig(), call: userMocks(calls) },
        );
        assert.equal(reveal(outputs.projectId), "FP-AAAA000000000001");
        assert.equal(reveal(outputs.flowId), "F-BBBB000000000001");
        const submission = resources.find((r) => r.type.endsWith("FlowSubmission"));
        assert.ok(submission, "a FlowSubmission was registered");
        assert.equal(submission.inputs.projectId, "FP-AAAA000000000001");
        assert.equal(submission.inputs.flowId, "F-BBBB000000000001");
        const lookups = calls.filter((c) => c.token.startsWith("pulumi-emr-flow:"));
        assert.deepEqual(
            lookups.map((c) => JSON.stringify([c.token, c.inputs])).sort(),
            [
                ["pulumi-emr-flow:index:getFlow", { name: "nightly-etl", projectId: "FP-AAAA000000000001", regionId: "cn-hangzhou" }],
                ["pulumi-emr-flow:index:getFlowProject", { name: "data-platform" }],
                // The arguments as given: the stub sees the ID as the program wrote it.
                ["pulumi-emr-flow:index:getFlowProject", { projectId: "AAAA000000000001" }],
            ]
                .map((c) => JSON.stringify(c))
                .sort(),
        );
        assert.deepEqual(hits, [], "neither the credential chain nor the EMR endpoint was reached");
        assert.deepEqual(connects, [], "no connection was opened");
        const { GET_FLOW_PROJECT_TOKEN, GET_FLOW_TOKEN } = require("../../sdk") as typeof import("../../sdk");
        assert.equal(GET_FLOW_PROJECT_TOKEN, "pulumi-emr-flow:index:getFlowProject");
        assert.equal(GET_FLOW_TOKEN, "pulumi-emr-flow:index:getFlow");
    });

    it("still rejects bad arguments under mocks, before the mock is asked, naming the lookup to use", async () => {
        let asked = 0;
        const call = (args: { inputs: Record<string, unknown> }) => (asked++, args.inputs);
        const attempts: [() => Promise<unknown>, RegExp][] = [
            [() => (require("../../sdk") as typeof import("../../sdk")).getFlowProject({}), /getFlowProject: pass the project's name \(or its projectId\)/],
            [() => (require("../../sdk") as typeof import("../../sdk")).getFlowProject({ name: "x", projectId: "FP-AAAA000000000001" }), /pass either name or projectId, not both/],
            [() => (require("../../sdk") as typeof import("../../sdk")).getFlowProject({ projectId: "F-AAAA000000000001" }), /projectId "F-AAAA000000000001" is a flow ID, not a project ID/],
            [() => (require("../../sdk") as typeof import("../../sdk")).getFlow({ projectId: "data-platform", name: "nightly" }), /getFlow: projectId "data-platform" is not a project ID.*use getFlowProject\(\{ name \}\)/],
            [() => (require("../../sdk") as typeof import("../../sdk")).getFlow({ projectId: "FP-AAAA000000000001", flowId: "FI-AAAA000000000001" }), /flowId "FI-AAAA000000000001" is a flow instance ID, not a flow ID/],
            [() => (require("../../sdk") as typeof import("../../sdk")).getFlow({ projectId: "FP-AAAA000000000001", name: " " }), /name must be a flow's name/],
        ];
        for (const [attempt, message] of attempts) {
            await assert.rejects(runProgram(async () => ({ r: (await attempt()) as never }), { config: stackConfig(), call }), message);
        }
        assert.equal(asked, 0);
    });

    it("control: the real lookups, with the same settings, do reach out (so the checks above can fail)", async () => {
        const { lookupFlowProject } = require("../../sdk/getFlowProject") as typeof import("../../sdk/getFlowProject");
        const { lookupFlow } = require("../../sdk/getFlow") as typeof import("../../sdk/getFlow");
        const pulumi = require("@pulumi/pulumi") as typeof import("@pulumi/pulumi");
        pulumi.runtime.setAllConfig(stackConfig(), []);
        await assert.rejects(lookupFlowProject({ name: "data-platform" }));
        await assert.rejects(lookupFlow({ projectId: "FP-AAAA000000000001", name: "nightly-etl" }));
        assert.ok(hits.includes("GET /credentials"), `the credential chain reached the URI: ${JSON.stringify(hits)}`);
        assert.ok(connects.length > 0, "a connection was opened");
    });
});
