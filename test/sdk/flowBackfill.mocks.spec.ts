/**
 * FlowBackfill as a Pulumi program sees it, under mocks: the component and its children, their
 * names, parents and inputs, the lanes (observed as the order registrations reach the engine),
 * the outputs, and what a preview of a bad schedule does.
 */
import { strict as assert } from "assert";
import type * as pulumi from "@pulumi/pulumi";
import { Secret, UNKNOWN, reveal, runProgram, type PropertyMap } from "../engine-imitation";
import type { FlowBackfillArgs } from "../../sdk";

const COMPONENT = "emr-flow:index:FlowBackfill";
const CHILD = "pulumi-nodejs:dynamic/emr-flow:FlowSubmission";
const IDS = { projectId: "FP-D3M0000000000001", flowId: "F-D3M0000000000001", regionId: "cn-hangzhou" };

function backfillProgram(name: string, args: Partial<FlowBackfillArgs>) {
    return () => {
        const { FlowBackfill } = require("../../sdk") as typeof import("../../sdk");
        const backfill = new FlowBackfill(name, { ...IDS, ...args } as FlowBackfillArgs);
        return { instanceIds: backfill.instanceIds, statusCounts: backfill.statusCounts, keys: Object.keys(backfill.runs) };
    };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("FlowBackfill under mocks", () => {
    it("registers the component and one FlowSubmission per date, parented to it and named by date", async () => {
        const { resources } = await runProgram(backfillProgram("nov", { from: "2026-11-01", to: "2026-11-27", conf: { bizdate: "{yyyyMMdd}", env: "prod" }, maxConcurrent: 3 }));
        const component = resources.find((r) => r.type === COMPONENT);
        assert.ok(component, "the component is registered");
        assert.equal(component.custom, false);
        const children = resources.filter((r) => r.type === CHILD);
        assert.equal(children.length, 27);
        assert.deepEqual(
            children.map((c) => c.name).sort(),
            Array.from({ length: 27 }, (_, i) => `nov-2026-11-${String(i + 1).padStart(2, "0")}`),
        );
        for (const child of children) {
            assert.equal(child.parent, component.urn, `${child.name} is a child of the backfill`);
            const day = Number(child.name.slice(-2));
            const conf = child.plainInputs.conf as Record<string, string>;
            assert.deepEqual(conf, { bizdate: `202611${String(day).padStart(2, "0")}`, env: "prod", cyctime: String(Date.UTC(2026, 10, day)) });
            assert.equal(child.plainInputs.projectId, IDS.projectId);
            assert.equal(child.plainInputs.flowId, IDS.flowId);
            assert.equal(child.plainInputs.regionId, IDS.regionId);
            assert.ok(child.providerString, "each child ships the FlowSubmission provider");
        }
    });

    it("passes waitFor, timeoutSeconds, killOnDelete and triggers to every run, and keeps a secret conf value secret", async () => {
        const program = () => {
            const pulumiSdk = require("@pulumi/pulumi") as typeof pulumi;
            const { FlowBackfill } = require("../../sdk") as typeof import("../../sdk");
            new FlowBackfill("opts", { ...IDS, from: "2026-11-01", to: "2026-11-02", waitFor: "start", timeoutSeconds: 60, killOnDelete: true, triggers: ["v2"], conf: { token: pulumiSdk.secret("s3cr3t") } });
        };
        const { resources } = await runProgram(program);
        const children = resources.filter((r) => r.type === CHILD);
        assert.equal(children.length, 2);
        for (const child of children) {
            assert.equal(child.plainInputs.waitFor, "start");
            assert.equal(child.plainInputs.timeoutSeconds, 60);
            assert.equal(child.plainInputs.killOnDelete, true);
            assert.deepEqual(child.plainInputs.triggers, ["v2"]);
            const conf = child.inputs.conf as PropertyMap;
            assert.ok(conf.token instanceof Secret, "the secret value stays secret");
            assert.equal(typeof conf.cyctime, "string");
        }
    });

    it("holds each run until the one maxConcurrent places before it is done: at most two in flight", async () => {
        const events: string[] = [];
        let inFlight = 0;
        let maxInFlight = 0;
        await runProgram(backfillProgram("lanes", { from: "2026-11-01", to: "2026-11-05", maxConcurrent: 2 }), {
            newResource: async (args) => {
                if (args.type !== CHILD) return { id: undefined, state: args.inputs };
                inFlight++;
                maxInFlight = Math.max(maxInFlight, inFlight);
                events.push(`start ${args.name.slice(-2)}`);
                // As long as a run: the engine answers a registration only when the create is done.
                await sleep(40);
                events.push(`end ${args.name.slice(-2)}`);
                inFlight--;
                return { id: `FI-${args.name.slice(-2).padStart(16, "0")}`, state: { ...args.inputs, status: "SUCCEEDED" } };
            },
        });
        assert.equal(maxInFlight, 2);
        // Day 3 starts only after day 1 ended, day 4 after day 2, day 5 after day 3.
        for (const [later, earlier] of [["03", "01"], ["04", "02"], ["05", "03"]]) {
            assert.ok(events.indexOf(`start ${later}`) > events.indexOf(`end ${earlier}`), `${later} waits for ${earlier}: ${events.join(", ")}`);
        }
        assert.ok(events.indexOf("start 02") < events.indexOf("end 01"), "days 1 and 2 run side by side");
    });

    it("outputs a map from date to instance ID and the counts by status", async () => {
        const statuses = ["SUCCEEDED", "FAILED", "SUCCEEDED"];
        const { outputs } = await runProgram(backfillProgram("out", { from: "2026-11-01", to: "2026-11-03", maxConcurrent: 3 }), {
            newResource: (args) => {
                if (args.type !== CHILD) return { id: undefined, state: args.inputs };
                const day = Number(args.name.slice(-2));
                const id = `FI-D3M000000000000${day}`;
                return { id, state: { ...args.inputs, instanceId: id, status: statuses[day - 1] } };
            },
        });
        assert.deepEqual(reveal(outputs.instanceIds), { "2026-11-01": "FI-D3M0000000000001", "2026-11-02": "FI-D3M0000000000002", "2026-11-03": "FI-D3M0000000000003" });
        assert.deepEqual(reveal(outputs.statusCounts), { SUCCEEDED: 2, FAILED: 1 });
        assert.deepEqual(outputs.keys, ["2026-11-01", "2026-11-02", "2026-11-03"]);
    });

    it("previews with the schedule known and the instance IDs unknown", async () => {
        const { resources, outputs } = await runProgram(backfillProgram("pre", { from: "2026-11-01", to: "2026-11-03" }), { isDryRun: true });
        assert.equal(resources.filter((r) => r.type === CHILD).length, 3);
        assert.deepEqual(outputs.keys, ["2026-11-01", "2026-11-02", "2026-11-03"]);
        assert.equal(outputs.instanceIds, UNKNOWN);
    });

    it("fails the preview of a bad schedule with one clear error, before registering anything", async () => {
        let registered = 0;
        await assert.rejects(
            runProgram(backfillProgram("bad", { from: "2026-11-27", to: "2026-11-01", conf: { bizdate: "{yyyymmdd}" } }), {
                isDryRun: true,
                newResource: (args) => {
                    registered++;
                    return { id: undefined, state: args.inputs };
                },
            }),
            (err: Error) => {
                assert.match(err.message, /FlowBackfill "bad" is not valid/);
                assert.match(err.message, /from: 2026-11-27 is after to \(2026-11-01\)/);
                assert.match(err.message, /conf\.bizdate: unknown placeholder \{yyyymmdd\}/);
                return true;
            },
        );
        assert.equal(registered, 0);
    });

    it("keeps the names and inputs of the runs already there when the range widens", async () => {
        const before = await runProgram(backfillProgram("wide", { from: "2026-11-03", to: "2026-11-04", conf: { bizdate: "{yyyyMMdd}" } }));
        const after = await runProgram(backfillProgram("wide", { from: "2026-11-01", to: "2026-11-06", conf: { bizdate: "{yyyyMMdd}" } }));
        const children = (r: typeof before) => new Map(r.resources.filter((c) => c.type === CHILD).map((c) => [c.urn, c]));
        const old = children(before);
        const now = children(after);
        for (const [urn, child] of old) {
            assert.ok(now.has(urn), `${child.name} keeps its URN`);
            assert.deepEqual(now.get(urn)!.plainInputs, child.plainInputs, `${child.name} keeps its inputs, so it is not replaced`);
        }
        assert.equal(now.size - old.size, 4);
    });
});
