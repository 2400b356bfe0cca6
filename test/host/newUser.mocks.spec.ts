/**
 * What a new user writes in a program, deployed through the real dynamic provider host against
 * the emulator: values in `triggers` that Pulumi's serialization would flatten (Dates, Outputs and
 * Promises of Dates, nested Dates) start a new run when they change; values it cannot carry are
 * refused before anything is deployed, naming the element and why. `conf` takes what its type
 * allows; FlowSubmission and FlowBackfill read times by one rule.
 */
import { strict as assert } from "assert";
import * as pulumi from "@pulumi/pulumi";
import { startEmulator, DEMO_IDS, type RunningEmulator } from "../../emulator";
import { runProgram } from "../engine-imitation";
import { DeploymentError, MiniEngine } from "../engine-imitation/miniEngine";
import { startConfiguredHost, TEST_KEY_ID, TEST_KEY_SECRET } from "../support/testEnv";
import type { FlowSubmissionArgs } from "../../sdk";

const PROJECT = "emr-flow-new-user-program";

function submission(args: Partial<FlowSubmissionArgs>, name = "run") {
    return () => {
        const { FlowSubmission } = require("pulumi-emr-flow") as typeof import("../../sdk");
        const run = new FlowSubmission(name, { projectId: DEMO_IDS.projectId, flowId: DEMO_IDS.succeedingFlowId, waitFor: "submission", ...args });
        return { instanceId: run.instanceId };
    };
}

async function failureOf(program: () => unknown): Promise<string> {
    const err = await runProgram(program as () => Record<string, unknown>, { project: PROJECT, stack: "dev" }).then(
        () => undefined,
        (e: unknown) => e,
    );
    assert.ok(err instanceof Error, "the program is refused");
    return err.message;
}

describe("a new user's program, through the real provider host", function () {
    this.timeout(60_000);
    let emu: RunningEmulator;
    let engine: MiniEngine;

    before(async () => {
        emu = await startEmulator({ accessKeyId: TEST_KEY_ID, accessKeySecret: TEST_KEY_SECRET, timeScale: 0.01 });
        engine = new MiniEngine(await startConfiguredHost(emu.url, PROJECT), PROJECT);
    });
    after(async () => {
        await engine?.host.stop();
        await emu?.close();
    });

    describe("triggers", () => {
        const day = (d: number) => new Date(Date.UTC(2026, 10, d));
        const cases: [string, (d: number) => unknown[]][] = [
            ["a Date", (d) => [day(d)]],
            ["a Date in a nested object", (d) => [{ schema: "v1", at: day(d) }]],
            ["an Output of a Date (from apply)", (d) => [pulumi.output("x").apply(() => day(d))]],
            ["a Promise of a Date", (d) => [Promise.resolve(day(d))]],
            ["an Output of a list of Dates", (d) => [pulumi.output(d).apply((n) => [day(n), day(n + 1)])]],
        ];
        for (const [what, triggers] of cases) {
            it(`${what}: a change submits a new run, no change does not`, async () => {
                const name = `t-${what.replace(/\W+/g, "-")}`;
                const first = await engine.up(submission({ triggers: triggers(27) }, name));
                assert.deepEqual(first.steps.map((s) => s.kind), ["create"]);
                const same = await engine.up(submission({ triggers: triggers(27) }, name));
                assert.deepEqual(same.steps.map((s) => s.kind), ["same"]);
                const changed = await engine.up(submission({ triggers: triggers(28) }, name));
                assert.deepEqual(changed.steps.map((s) => [s.kind, s.detail]), [["replace", "triggers"]]);
                await engine.destroy();
            });
        }

        class Version {
            constructor(readonly n: number) {}
        }
        const refused: [string, unknown[], RegExp][] = [
            ["a function", [() => "v1"], /triggers\[0\]: a function/],
            ["a BigInt", ["ok", BigInt(7)], /triggers\[1\]: a bigint/],
            ["NaN", [Number.NaN], /triggers\[0\]: NaN/],
            ["a Map", [new Map([["a", 1]])], /triggers\[0\]: a Map/],
            ["a Set", [new Set([1])], /triggers\[0\]: a Set/],
            ["undefined", [undefined], /triggers\[0\]: undefined/],
            ["a class instance", [new Version(2)], /triggers\[0\]: a Version/],
            ["an invalid Date", [new Date("not a date")], /triggers\[0\]: an invalid Date/],
            ["a function deep inside", [{ a: [1, { f: () => 1 }] }], /triggers\[0\]\.a\[1\]\.f: a function/],
        ];
        for (const [what, triggers, expected] of refused) {
            it(`refuses ${what} before anything is deployed, naming the element and why`, async () => {
                const message = await failureOf(submission({ triggers }));
                assert.match(message, expected);
            });
        }

        it("refuses an Output that resolves to something it cannot carry, naming it", async () => {
            const message = await failureOf(submission({ triggers: [pulumi.output("x").apply(() => new Map())] }));
            assert.match(message, /triggers\[0\]: a Map/);
        });

        it("refuses at preview what pulumi.output() already flattened (a Date becomes {}), saying why", async () => {
            const before = emu.instances().length;
            const err = await engine.up(submission({ triggers: [pulumi.output(day(27))] }, "flattened")).then(
                () => undefined,
                (e: unknown) => e,
            );
            assert.ok(err instanceof DeploymentError, String(err));
            assert.match(err.message, /triggers\[0\]: an empty object/);
            assert.match(err.message, /Date/);
            assert.equal(emu.instances().length, before);
        });
    });

    describe("conf", () => {
        it("takes numbers and Dates where its type allows them, sent as strings", async () => {
            const { steps } = await engine.up(submission({ conf: { retries: 3, bizdate: new Date("2026-11-27T00:00:00Z"), cyctime: new Date("2026-11-28T00:00:00Z") } }, "typed-conf"));
            const instance = emu.instances().find((i) => i.id === steps[0].id)!;
            assert.deepEqual(instance.conf, { retries: "3", bizdate: "2026-11-27T00:00:00.000Z", cyctime: String(Date.UTC(2026, 10, 28)) });
            await engine.destroy();
        });

        it("refuses a NaN or invalid Date cyctime, and timeoutSeconds Infinity, saying what was given and what is accepted", async () => {
            assert.match(await failureOf(submission({ conf: { cyctime: Number.NaN } })), /conf\.cyctime: NaN .*epoch milliseconds/);
            assert.match(await failureOf(submission({ conf: { cyctime: new Date("tomorrow") } })), /conf\.cyctime: an invalid Date.*ISO-8601/);
            assert.match(await failureOf(submission({ timeoutSeconds: Number.POSITIVE_INFINITY })), /timeoutSeconds: got Infinity.*at least 1 and at most 604800/);
        });
    });

    describe("times: one rule for FlowSubmission and FlowBackfill", () => {
        const backfill = (cyctimes: string[]) => () => {
            const { FlowBackfill } = require("pulumi-emr-flow") as typeof import("../../sdk");
            const b = new FlowBackfill("bf", { projectId: DEMO_IDS.projectId, flowId: DEMO_IDS.succeedingFlowId, cyctimes, waitFor: "submission" });
            return { ids: b.instanceIds };
        };

        it("FlowBackfill takes 6 fractional digits as FlowSubmission does", async () => {
            const { steps } = await engine.up(backfill(["2026-11-01T00:00:00.000000Z"]));
            assert.deepEqual(steps.map((s) => s.kind), ["create"]);
            await engine.destroy();
            const { steps: one } = await engine.up(submission({ conf: { cyctime: "2026-11-01T00:00:00.000000Z" } }, "six-digits"));
            assert.deepEqual(one.map((s) => s.kind), ["create"]);
            await engine.destroy();
        });

        it("both refuse a time finer than a millisecond and a date that does not exist, with the same reason", async () => {
            const fine = await failureOf(backfill(["2026-11-01T00:00:00.0000001Z"]));
            assert.match(fine, /cyctimes\[0\]: "2026-11-01T00:00:00.0000001Z" is finer than a millisecond/);
            const missing = await failureOf(backfill(["2026-04-31T12:00+08:00"]));
            assert.match(missing, /cyctimes\[0\]: "2026-04-31T12:00\+08:00" is not a date that exists/);
        });
    });
});
