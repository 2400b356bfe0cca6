/**
 * runProgram against a real Pulumi program (`test/engine-imitation/fixtures/program.ts`) under mocks: what it
 * registers, including the serialized provider and secret inputs, and its stack outputs; then the
 * captured `__provider` and inputs fed to the real dynamic provider host.
 */
import * as assert from "assert";
import * as path from "path";

import {
    ProviderHost,
    Secret,
    UNKNOWN,
    isSecret,
    requireFresh,
    reveal,
    runProgram,
    urnFor,
    SIG_KEY,
    SECRET_SIG,
} from "../engine-imitation";

const PROGRAM = path.join(__dirname, "..", "engine-imitation", "fixtures", "program.ts");

describe("engine imitation: runProgram under mocks", function () {
    this.timeout(60000);

    it("captures a dynamic resource's __provider, inputs and secret inputs", async () => {
        const { resources, outputs } = await runProgram(() => requireFresh(PROGRAM), { project: "harness", stack: "dev" });
        assert.deepStrictEqual(
            resources.map((r) => r.name),
            ["first", "second"],
        );
        const first = resources[0];
        assert.strictEqual(first.type, "pulumi-nodejs:dynamic:Resource");
        assert.strictEqual(first.urn, urnFor("first", "harness", "dev"));
        assert.strictEqual(first.urn, "urn:pulumi:dev::harness::pulumi-nodejs:dynamic:Resource::first");
        assert.ok(first.providerString && first.providerString.includes("exports.handler"), "no __provider");
        assert.strictEqual(first.providerIsSecret, false);
        assert.strictEqual(first.inputs.name, "alpha");
        // Secrets: marked where they are, nested ones included.
        assert.deepStrictEqual(first.secretPaths.sort(), ["nested.hidden", "token"]);
        assert.ok(first.inputs.token instanceof Secret);
        assert.strictEqual(reveal(first.inputs.token), "s3cr3t");
        assert.deepStrictEqual(first.plainInputs.nested, { plain: 1, hidden: "h1dden" });
        // The wire form is what the engine got: signature objects.
        assert.deepStrictEqual(first.wire.token, { [SIG_KEY]: SECRET_SIG, value: "s3cr3t" });
        // An undefined output placeholder (`phase`) is not sent at all.
        assert.ok(!("phase" in first.wire));

        // Mocks return inputs as outputs, secrets stay secret.
        assert.strictEqual(outputs.firstName, "alpha");
        assert.ok(isSecret(outputs.firstToken));
        assert.strictEqual(reveal(outputs.firstToken), "s3cr3t");
        assert.strictEqual(outputs.secondName, "after-first-id");
        assert.strictEqual(outputs.secondId, "second-id");
    });

    it("runs the same program again with other config (fresh require)", async () => {
        const { resources, outputs } = await runProgram(() => requireFresh(PROGRAM), {
            project: "harness",
            config: { name: "beta", token: "from-config" },
            secretKeys: ["token"],
        });
        assert.strictEqual(resources.length, 2);
        assert.strictEqual(resources[0].inputs.name, "beta");
        assert.ok(isSecret(resources[0].inputs.token));
        assert.strictEqual(reveal(resources[0].inputs.token), "from-config");
        assert.strictEqual(outputs.firstName, "beta");
    });

    it("simulates a preview: values from other resources' outputs are unknown", async () => {
        const { resources, outputs } = await runProgram(() => requireFresh(PROGRAM), { isDryRun: true });
        const second = resources.find((r) => r.name === "second");
        assert.ok(second);
        assert.strictEqual(second.inputs.name, UNKNOWN);
        assert.strictEqual(outputs.secondName, UNKNOWN);
    });

    it("takes a function program and a custom mock result", async () => {
        const pulumi = await import("@pulumi/pulumi");
        const { Echo } = await import("../engine-imitation/fixtures/echoProvider");
        const { resources, outputs } = await runProgram(
            () => {
                const e = new Echo("inline", { name: "i" });
                return { phase: e.phase, id: e.id, stack: pulumi.getStack() };
            },
            { newResource: (args) => ({ id: "fixed", state: { ...args.inputs, phase: "MOCKED" } }) },
        );
        assert.strictEqual(resources.length, 1);
        assert.deepStrictEqual(outputs, { phase: "MOCKED", id: "fixed", stack: "stack" });
    });

    it("rejects when a provider cannot be serialized, instead of hanging", async () => {
        const pulumi = await import("@pulumi/pulumi");
        class Broken extends pulumi.dynamic.Resource {}
        const trap = {
            get value(): string {
                throw new Error("not serializable");
            },
        };
        await assert.rejects(
            runProgram(() => {
                const res = new Broken({ create: async () => ({ id: trap.value }) }, "broken", {});
                return { id: res.id };
            }),
            /error serializing property "__provider": not serializable/,
        );
        // The next run starts clean.
        const { resources } = await runProgram(() => requireFresh(PROGRAM));
        assert.deepStrictEqual(resources.map((r) => r.name), ["first", "second"]);
    });

    it("hands the captured provider and inputs to the real host", async () => {
        const { resources } = await runProgram(() => requireFresh(PROGRAM), { project: "harness" });
        const first = resources[0];
        const host = await ProviderHost.start({ project: "harness" });
        try {
            await host.configure({ "harness:greeting": "from-program" });
            const checked = await host.check(first.urn, {}, first.inputs);
            assert.deepStrictEqual(checked.failures, []);
            const created = await host.create(first.urn, checked.inputs);
            assert.strictEqual(created.id, "echo-alpha");
            assert.strictEqual(created.properties.greeting, "from-program");
            assert.ok(isSecret(created.properties.token));
            // The nested secret came back inside `nested`, still marked.
            const nested = created.properties.nested as Record<string, unknown>;
            assert.ok(isSecret(nested.hidden));
            assert.strictEqual(nested.plain, 1);
            await host.waitForOutput("create alpha");
        } finally {
            await host.stop();
        }
    });
});
