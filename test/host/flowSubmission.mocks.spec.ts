/**
 * FlowSubmission end to end without the Pulumi CLI: the example programs run under mocks, the
 * real dynamic provider host serves their serialized provider, and the local emulator answers
 * as EMR would. Each step is what `pulumi preview`, `up`, `refresh` and `destroy` send.
 */
import { strict as assert } from "assert";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { startEmulator, type RunningEmulator } from "../../emulator";
import { Secret, UNKNOWN, annotateSecrets, requireFresh, runProgram, urnFor } from "../engine-imitation";
import { markSecrets, withoutSecrets } from "./reliabilityRun";
import { MiniEngine, DeploymentError } from "../engine-imitation/miniEngine";
import { homeOf, recordedSubmissions, startConfiguredHost, TEST_KEY_ID, TEST_KEY_SECRET, TEST_STS, TEST_STS_TOKEN } from "../support/testEnv";

const ROOT = path.resolve(__dirname, "..", "..");
const QUICKSTART = path.join(ROOT, "examples", "quickstart");
const CHAINED = path.join(ROOT, "examples", "chained");
const TYPE = "pulumi-nodejs:dynamic/emr-flow:FlowSubmission";

/** Every string the suites produce, scanned for secrets at the end. */
const produced: string[] = [];

async function startStack(project: string, cwd: string, emu: RunningEmulator, extraConfig: Record<string, string> = {}) {
    return new MiniEngine(await startConfiguredHost(emu.url, project, { cwd, config: extraConfig }), project);
}

describe("FlowSubmission through the real provider host", function () {
    this.timeout(60_000);
    let emu: RunningEmulator;

    before(async () => {
        emu = await startEmulator({ accessKeyId: TEST_KEY_ID, accessKeySecret: TEST_KEY_SECRET, stsCredentials: [TEST_STS], timeScale: 0.01 });
    });
    after(async () => {
        await emu?.close();
    });

    describe("examples/quickstart", () => {
        let engine: MiniEngine;
        const program = () => requireFresh(path.join(QUICKSTART, "index.ts"));
        const urn = urnFor("nightly-etl", "emr-flow-quickstart", "dev", TYPE);

        before(async () => {
            engine = await startStack("emr-flow-quickstart", QUICKSTART, emu);
        });
        after(async () => {
            await engine.host.stop();
            produced.push(...engine.host.output(), ...engine.host.errors());
        });

        it("keeps __provider under 8 KiB and free of credentials", async () => {
            const { resources } = await runProgram(program, { project: "emr-flow-quickstart", stack: "dev" });
            const res = resources.find((r) => r.type === TYPE);
            assert.ok(res?.providerString, "a FlowSubmission was registered");
            assert.ok(Buffer.byteLength(res.providerString) <= 8192, `__provider is ${Buffer.byteLength(res.providerString)} bytes`);
            assert.equal(res.providerIsSecret, false);
            assert.match(res.providerString, /require\("pulumi-emr-flow\/provider"\)/);
            produced.push(res.providerString);
        });

        it("preview: check passes and no call reaches EMR", async () => {
            const before = emu.stats().calls.SubmitFlow ?? 0;
            const { resources } = await runProgram(program, { project: "emr-flow-quickstart", stack: "dev", isDryRun: true });
            const res = resources.find((r) => r.type === TYPE)!;
            const preview = await engine.preview(res.inputs, urn);
            assert.deepEqual(preview.failures, []);
            assert.equal(emu.stats().calls.SubmitFlow ?? 0, before);
        });

        it("up: submits one run whose instance ID is the resource ID and the stack output", async () => {
            const created = emu.instances().length;
            const { steps, result } = await engine.up(program, { config: { waitFor: "completion" } });
            assert.deepEqual(steps.map((s) => s.kind), ["create"]);
            const id = steps[0].id!;
            assert.match(id, /^FI-[0-9A-Z]{16}$/);
            assert.equal(result.outputs.instanceId, id);
            assert.equal(emu.instances().length, created + 1);
            const instance = emu.instances().find((i) => i.id === id)!;
            assert.equal(instance.flowId, "F-D3M0000000000001");
            assert.deepEqual(instance.conf, { cyctime: String(Date.UTC(2026, 10, 28)), bizdate: "20261127" });
            const outputs = engine.state.get(urn)!.outputs;
            assert.equal(outputs.status, "SUCCEEDED");
            assert.equal(outputs.instanceId, id);
            assert.match(String(outputs.requestId), /^[0-9A-F-]{36}$/);
            // Output travels apart from the answer: wait for the line rather than read at once.
            await engine.host.waitForOutput(`as ${id}`);
            assert.ok(engine.host.output().some((l) => l.includes(`as ${id}`)), "prints the instance ID");
        });

        it("up again with nothing changed: no new run", async () => {
            const created = emu.instances().length;
            const { steps } = await engine.up(program, { config: { waitFor: "completion" } });
            assert.deepEqual(steps.map((s) => s.kind), ["same"]);
            assert.equal(emu.instances().length, created);
        });

        it("refresh: reads the live status", async () => {
            const steps = await engine.refresh();
            assert.deepEqual(steps.map((s) => s.kind), ["refresh"]);
            assert.equal(engine.state.get(urn)!.outputs.status, "SUCCEEDED");
        });

        it("changing waitFor updates in place without a new run", async () => {
            const created = emu.instances().length;
            const { steps } = await engine.up(program, { config: { waitFor: "submission" } });
            assert.deepEqual(steps.map((s) => s.kind), ["update"]);
            assert.equal(emu.instances().length, created);
        });

        it("a conf change submits a new run and replaces the old one", async () => {
            const oldId = engine.state.get(urn)!.id;
            const created = emu.instances().length;
            const changed = async () => {
                const { FlowSubmission } = require("pulumi-emr-flow") as typeof import("../../sdk");
                const run = new FlowSubmission("nightly-etl", {
                    projectId: "FP-D3M0000000000001",
                    flowId: "F-D3M0000000000001",
                    conf: { cyctime: new Date("2026-11-29T00:00:00Z"), bizdate: "20261128" },
                });
                return { instanceId: run.instanceId };
            };
            const { steps } = await engine.up(changed);
            assert.deepEqual(steps.map((s) => [s.kind, s.detail]), [["replace", "conf"]]);
            assert.notEqual(steps[0].id, oldId);
            assert.equal(emu.instances().length, created + 1);
        });

        it("a triggers change submits a new run", async () => {
            const created = emu.instances().length;
            const withTriggers = (v: string) => async () => {
                const { FlowSubmission } = require("pulumi-emr-flow") as typeof import("../../sdk");
                const run = new FlowSubmission("nightly-etl", {
                    projectId: "FP-D3M0000000000001",
                    flowId: "F-D3M0000000000001",
                    conf: { cyctime: new Date("2026-11-29T00:00:00Z"), bizdate: "20261128" },
                    triggers: [v],
                });
                return { instanceId: run.instanceId };
            };
            assert.deepEqual((await engine.up(withTriggers("v1"))).steps.map((s) => [s.kind, s.detail]), [["replace", "triggers"]]);
            assert.deepEqual((await engine.up(withTriggers("v1"))).steps.map((s) => s.kind), ["same"]);
            assert.deepEqual((await engine.up(withTriggers("v2"))).steps.map((s) => [s.kind, s.detail]), [["replace", "triggers"]]);
            assert.equal(emu.instances().length, created + 2);
        });

        it("destroy: removes the run from the stack and leaves it alone", async () => {
            const id = engine.state.get(urn)!.id;
            const steps = await engine.destroy();
            assert.deepEqual(steps.map((s) => s.kind), ["delete"]);
            assert.equal(engine.state.size, 0);
            assert.ok(emu.instances().some((i) => i.id === id), "the run still exists");
            await engine.host.waitForOutput(`${id} removed from the stack`);
            assert.ok(engine.host.output().some((l) => l.includes(`${id} removed from the stack`)));
        });
    });

    describe("examples/chained", () => {
        let engine: MiniEngine;
        const program = () => requireFresh(path.join(CHAINED, "index.ts"));

        before(async () => {
            engine = await startStack("emr-flow-chained", CHAINED, emu);
        });
        after(async () => {
            await engine.host.stop();
            produced.push(...engine.host.output(), ...engine.host.errors());
        });

        it("preview: the second flow's conf holds an unknown and still passes check", async () => {
            const { resources } = await runProgram(program, { project: "emr-flow-chained", stack: "dev", isDryRun: true });
            const report = resources.find((r) => r.name === "report")!;
            assert.equal((report.inputs.conf as Record<string, unknown>).upstreamInstanceId, UNKNOWN);
            const preview = await engine.preview(report.inputs, report.urn);
            assert.deepEqual(preview.failures, []);
        });

        it("up: the second run is submitted after the first succeeded and receives its instance ID", async () => {
            const { steps, result } = await engine.up(program);
            assert.deepEqual(steps.map((s) => s.kind), ["create", "create"]);
            const load = emu.instances().find((i) => i.id === result.outputs.loadInstanceId)!;
            const report = emu.instances().find((i) => i.id === result.outputs.reportInstanceId)!;
            assert.equal(report.conf?.upstreamInstanceId, load.id);
            assert.ok(report.createdAt >= (load.endTime ?? Infinity), "the report was submitted after the load run ended");
            assert.equal(result.outputs.reportStatus, "SUCCEEDED");
        });

        it("refresh, then a conf change of the first flow resubmits both, then destroy", async () => {
            await engine.refresh();
            const before = emu.instances().length;
            const { steps } = await engine.up(program, { config: { loadFlowId: "F-D3M0000000000003", waitFor: "submission" } });
            assert.deepEqual(steps.map((s) => [s.kind, s.detail]), [["replace", "flowId"], ["replace", "conf"]]);
            assert.equal(emu.instances().length, before + 2);
            const destroyed = await engine.destroy();
            assert.deepEqual(destroyed.map((s) => s.kind), ["delete", "delete"]);
        });
    });

    describe("secrets", () => {
        it("never leave a credential or a secret conf value in __provider, outputs, printed lines or errors", async () => {
            const SECRET_CONF = "conf-secret-value-7f3a";
            const engine = await startStack("emr-flow-secrets", QUICKSTART, emu, {
                "alicloud:accessKey": TEST_STS.accessKeyId,
                "alicloud:secretKey": TEST_STS.accessKeySecret,
                "alicloud:securityToken": TEST_STS_TOKEN,
            });
            try {
                const program = async () => {
                    const { FlowSubmission } = require("pulumi-emr-flow") as typeof import("../../sdk");
                    const run = new FlowSubmission("with-secret", {
                        projectId: "FP-D3M0000000000001",
                        flowId: "F-D3M0000000000002",
                        conf: { password: pulumi.secret(SECRET_CONF), bizdate: "20261127" },
                    });
                    return { instanceId: run.instanceId };
                };
                const { resources } = await runProgram(program, { project: "emr-flow-secrets", stack: "dev" });
                const res = resources.find((r) => r.type === TYPE)!;
                assert.deepEqual(res.secretPaths, ["conf.password"]);
                // The engine keeps an output secret when the input at the same path was secret
                // (this provider does not take secrets itself): conf.password must come back there.
                const err = await engine.up(program).then(
                    () => undefined,
                    (e: unknown) => e,
                );
                // F-…0002 fails on its first attempt: the error path is scanned too.
                assert.ok(err instanceof DeploymentError, "the failing flow fails the deployment");
                const entry = engine.state.get(res.urn)!;
                assert.ok(entry, "the failed run is kept in state");
                // The mocks hand the engine plain inputs, so the state here has lost the program's
                // marks: apply them to the inputs, then the engine's rule to what the host returned.
                // Returned at another path (or reshaped) the value would not be re-marked secret.
                const conf = annotateSecrets(entry.outputs, markSecrets(entry.inputs, res.secretPaths)).conf as Record<string, unknown>;
                assert.ok(conf.password instanceof Secret, `conf.password is secret in state: ${JSON.stringify(conf)}`);
                assert.equal(conf.password.value, SECRET_CONF);
                // Lines printed just before the host exits are only all in once it has exited.
                await engine.host.stop();
                const journal = recordedSubmissions(homeOf(engine.host));
                assert.ok(journal.length > 0, "the provider recorded its submission");
                produced.push(res.providerString!, JSON.stringify(entry.outputs), err.message, ...err.errors.map((e) => e.error.message));
                produced.push(...engine.host.output(), ...engine.host.errors(), ...journal.map((j) => j.text));
                for (const text of produced) {
                    for (const needle of [TEST_KEY_SECRET, TEST_STS.accessKeySecret, TEST_STS_TOKEN]) assert.ok(!text.includes(needle), `a credential leaked into: ${text.slice(0, 200)}`);
                }
                for (const text of [res.providerString!, err.message, JSON.stringify(withoutSecrets(annotateSecrets(entry.outputs, markSecrets(entry.inputs, res.secretPaths)))), ...engine.host.output(), ...engine.host.errors(), ...journal.map((j) => j.text)]) {
                    assert.ok(!text.includes(SECRET_CONF), `a secret conf value leaked into: ${text.slice(0, 200)}`);
                }
            } finally {
                await engine.host.stop();
            }
        });
    });
});
