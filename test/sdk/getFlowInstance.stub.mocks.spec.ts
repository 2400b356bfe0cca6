/**
 * getFlowInstance in a user's unit tests: under `pulumi.runtime.setMocks` the lookup is an invoke
 * that the test's `mocks.call` answers, and nothing is called: no EMR endpoint, no credential
 * chain. The control case shows the same setup does reach out when the real lookup runs, so the
 * "nothing called" assertions can fail.
 */
import { strict as assert } from "assert";
import * as http from "http";
import * as net from "net";
import type { AddressInfo } from "net";
import { reveal, runProgram } from "../engine-imitation";
import type { FlowInstanceDetails } from "../../sdk";

const DETAILS: FlowInstanceDetails = {
    instanceId: "FI-0123456789ABCDEF",
    projectId: "FP-0123456789ABCDEF",
    regionId: "cn-hangzhou",
    flowId: "F-0123456789ABCDEF",
    status: "FAILED",
    finished: true,
    hasNodeFailed: true,
    nodes: [
        { name: "extract", status: "SUCCESS" },
        { name: "load", status: "FAILED" },
    ],
};

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

describe("getFlowInstance under a user's mocks", function () {
    this.timeout(60_000);
    let sentinel: http.Server;
    let sentinelUrl: string;
    let hits: string[];
    let savedEnv: NodeJS.ProcessEnv;
    let connects: string[];
    let originalConnect: typeof net.Socket.prototype.connect;

    before(async () => {
        // Stands where the credential chain's URI provider and the EMR endpoint would be reached.
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
        // Never the real metadata address or a real profile, whatever this test does.
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

    it("is answered by mocks.call with the token and the arguments as given", async () => {
        const calls: { token: string; inputs: Record<string, unknown> }[] = [];
        const { outputs } = await runProgram(
            async () => {
                const pulumi = require("@pulumi/pulumi") as typeof import("@pulumi/pulumi");
                const { getFlowInstance, getFlowInstanceOutput } = require("../../sdk") as typeof import("../../sdk");
                const plain = await getFlowInstance({ instanceId: "FI-0123456789ABCDEF", projectId: "FP-0123456789ABCDEF" });
                const viaOutput = getFlowInstanceOutput({ instanceId: pulumi.output("FI-0123456789ABCDEF"), projectId: "FP-0123456789ABCDEF", regionId: "cn-shanghai" });
                return {
                    status: plain.status,
                    failed: viaOutput.nodes.apply((nodes) => nodes.filter((n) => n.status === "FAILED").map((n) => n.name)),
                };
            },
            {
                config: stackConfig(),
                call: (args) => {
                    calls.push({ token: args.token, inputs: args.inputs });
                    return args.token === "pulumi-emr-flow:index:getFlowInstance" ? { ...DETAILS, ...args.inputs } : args.inputs;
                },
            },
        );
        assert.equal(reveal(outputs.status), "FAILED");
        assert.deepEqual(reveal(outputs.failed), ["load"]);
        assert.deepEqual(calls, [
            { token: "pulumi-emr-flow:index:getFlowInstance", inputs: { instanceId: "FI-0123456789ABCDEF", projectId: "FP-0123456789ABCDEF" } },
            { token: "pulumi-emr-flow:index:getFlowInstance", inputs: { instanceId: "FI-0123456789ABCDEF", projectId: "FP-0123456789ABCDEF", regionId: "cn-shanghai" } },
        ]);
        const { GET_FLOW_INSTANCE_TOKEN } = require("../../sdk") as typeof import("../../sdk");
        assert.equal(GET_FLOW_INSTANCE_TOKEN, "pulumi-emr-flow:index:getFlowInstance");
    });

    it("calls out to nothing, with no credentials set, whatever the mock answers", async () => {
        const { outputs } = await runProgram(
            async () => {
                const { getFlowInstance } = require("../../sdk") as typeof import("../../sdk");
                const run = await getFlowInstance({ instanceId: "FI-0123456789ABCDEF", projectId: "FP-0123456789ABCDEF" });
                return { run };
            },
            // The mock many test files have: every invoke returns its inputs.
            { config: stackConfig(), call: (args) => args.inputs },
        );
        assert.deepEqual(reveal(outputs.run), { instanceId: "FI-0123456789ABCDEF", projectId: "FP-0123456789ABCDEF" });
        assert.deepEqual(hits, [], "neither the credential chain nor the EMR endpoint was reached");
        assert.deepEqual(connects, [], "no connection was opened");
    });

    it("still rejects malformed IDs under mocks, before the mock is asked", async () => {
        let asked = 0;
        await assert.rejects(
            runProgram(
                async () => {
                    const { getFlowInstance } = require("../../sdk") as typeof import("../../sdk");
                    return { run: await getFlowInstance({ instanceId: "i-123", projectId: "FP-0123456789ABCDEF" }) };
                },
                { config: stackConfig(), call: (args) => (asked++, args.inputs) },
            ),
            /instanceId "i-123" is not a flow instance ID/,
        );
        assert.equal(asked, 0);
    });

    it("control: the real lookup, run with the same settings, does reach out (so the checks above can fail)", async () => {
        const { lookupFlowInstance } = require("../../sdk/getFlowInstance") as typeof import("../../sdk/getFlowInstance");
        const pulumi = require("@pulumi/pulumi") as typeof import("@pulumi/pulumi");
        pulumi.runtime.setAllConfig(stackConfig(), []);
        await assert.rejects(lookupFlowInstance({ instanceId: "FI-0123456789ABCDEF", projectId: "FP-0123456789ABCDEF" }));
        assert.ok(hits.includes("GET /credentials"), `the credential chain reached the URI: ${JSON.stringify(hits)}`);
        assert.ok(connects.length > 0, "a connection was opened");
    });
});
