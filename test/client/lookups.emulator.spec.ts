/**
 * ListFlowProject, ListFlow and DescribeFlow through the real @alicloud/openapi-client against the
 * emulator, and the lookups built on them (`provider/runs/lookup.ts`), under both plays of the
 * undocumented `Name` filter: the answer is the same whether the service matches a whole name or
 * a part of one.
 */
import { strict as assert } from "assert";
import { startEmulator, type RunningEmulator } from "../../emulator";
import { EmrFlowClient } from "../../provider/client/emrFlowClient";
import { resolveSettings } from "../../provider/client/settings";
import { LookupError, findFlow, findProject, listFlows, listProjects } from "../../provider/runs/lookup";
import { LOOKUP_IDS, LOOKUP_SEED } from "../support/lookupSeed";
import { TEST_KEY_ID, TEST_KEY_SECRET } from "../support/testEnv";

describe("projects and flows (emulator)", function () {
    this.timeout(30_000);
    let emu: RunningEmulator;
    let client: EmrFlowClient;

    before(async () => {
        emu = await startEmulator({ accessKeyId: TEST_KEY_ID, accessKeySecret: TEST_KEY_SECRET, seed: LOOKUP_SEED });
        client = new EmrFlowClient(resolveSettings({ explicit: { accessKeyId: TEST_KEY_ID, accessKeySecret: TEST_KEY_SECRET, regionId: "cn-hangzhou", endpoint: emu.url } }), { limiter: null });
    });
    after(async () => {
        await emu?.close();
    });
    beforeEach(() => emu.configure({ nameFilter: "contains" }));

    describe("the client", () => {
        it("ListFlowProject: Projects.Project[] with Id, Name, Description, GmtCreate, GmtModified, UserId, paged", async () => {
            const page = await client.listFlowProjects({ name: "data-platform", pageNumber: 1, pageSize: 10 });
            assert.equal(page.total, 2, "contains: data-platform and data-platform-dev");
            assert.deepEqual(page.items.map((p) => p.id), [LOOKUP_IDS.dataPlatform, LOOKUP_IDS.dataPlatformDev]);
            const [p] = page.items;
            assert.equal(p.name, "data-platform");
            assert.equal(p.description, "nightly pipelines");
            assert.equal(p.userId, "1230404");
            assert.equal(typeof p.gmtCreate, "number");
            assert.equal(typeof p.gmtModified, "number");
            const third = await client.listFlowProjects({ pageNumber: 3, pageSize: 100 });
            assert.equal(third.total, 250);
            assert.equal(third.items.length, 50);
            assert.equal(third.items.at(-1)?.id, LOOKUP_IDS.lastFiller);
            assert.deepEqual((await client.listFlowProjects({ projectId: LOOKUP_IDS.sharedB })).items.map((i) => i.id), [LOOKUP_IDS.sharedB]);
        });

        it("ListFlow: Flow.Flow[] of a project, filtered by Name, Id and Periodic", async () => {
            const all = await client.listFlows({ projectId: LOOKUP_IDS.dataPlatform });
            assert.deepEqual(all.items.map((f) => f.id), [LOOKUP_IDS.nightly, LOOKUP_IDS.nightlyV2, LOOKUP_IDS.reportA, LOOKUP_IDS.reportB]);
            const nightly = all.items[0];
            assert.equal(nightly.name, "nightly-etl");
            assert.equal(nightly.projectId, LOOKUP_IDS.dataPlatform);
            assert.equal(nightly.status, "UNDER_SCHEDULE");
            assert.equal(nightly.periodic, true);
            assert.equal(nightly.cronExpr, "0 0 2 * * ?");
            assert.equal(nightly.type, "EMR");
            assert.deepEqual((await client.listFlows({ projectId: LOOKUP_IDS.dataPlatform, name: "nightly" })).items.map((f) => f.id), [LOOKUP_IDS.nightly, LOOKUP_IDS.nightlyV2]);
            assert.deepEqual((await client.listFlows({ projectId: LOOKUP_IDS.dataPlatform, flowId: LOOKUP_IDS.reportB })).items.map((f) => f.id), [LOOKUP_IDS.reportB]);
            assert.deepEqual((await client.listFlows({ projectId: LOOKUP_IDS.dataPlatform, periodic: true })).items.map((f) => f.id), [LOOKUP_IDS.nightly]);
            // ProjectId is optional: without it, the flows of every project in the region.
            assert.equal((await client.listFlows({ name: "nightly-etl" })).total, 3);
        });

        it("DescribeFlow: one flow's definition, and EMR.Flow.NotFound for a flow of another project", async () => {
            const flow = await client.describeFlow({ projectId: LOOKUP_IDS.dataPlatform, flowId: LOOKUP_IDS.nightly });
            assert.equal(flow.name, "nightly-etl");
            assert.equal(flow.projectId, LOOKUP_IDS.dataPlatform);
            assert.deepEqual(flow.parentFlows, []);
            assert.match(flow.graph ?? "", /"extract"/);
            await assert.rejects(client.describeFlow({ projectId: LOOKUP_IDS.dataPlatformDev, flowId: LOOKUP_IDS.nightly }), { code: "EMR.Flow.NotFound" });
        });

        it("the three are reads: retried after a 503 and even after a connection dropped once the request was sent", async () => {
            const c = new EmrFlowClient(resolveSettings({ explicit: { accessKeyId: TEST_KEY_ID, accessKeySecret: TEST_KEY_SECRET, regionId: "cn-hangzhou", endpoint: emu.url } }), {
                limiter: null,
                sleep: async () => undefined,
            });
            const calls = (action: string) => emu.stats().calls[action] ?? 0;
            const cases: [string, () => Promise<unknown>][] = [
                ["ListFlowProject", () => c.listFlowProjects({ name: "data-platform" })],
                ["ListFlow", () => c.listFlows({ projectId: LOOKUP_IDS.dataPlatform })],
                ["DescribeFlow", () => c.describeFlow({ projectId: LOOKUP_IDS.dataPlatform, flowId: LOOKUP_IDS.nightly })],
            ];
            for (const [action, call] of cases) {
                for (const kind of ["http503", "drop-after"] as const) {
                    const before = calls(action);
                    emu.faults.add({ action, kind, count: 1 });
                    await call();
                    assert.equal(calls(action) - before, 2, `${action} after ${kind}: one failed attempt, one retry`);
                }
            }
        });

        it("the emulator plays both Name filters (so the lookups below are tested under each)", async () => {
            emu.configure({ nameFilter: "exact" });
            assert.deepEqual((await client.listFlowProjects({ name: "data-platform" })).items.map((p) => p.id), [LOOKUP_IDS.dataPlatform]);
            assert.equal((await client.listFlowProjects({ name: "data" })).total, 0);
            emu.configure({ nameFilter: "contains" });
            assert.equal((await client.listFlowProjects({ name: "data" })).total, 2);
        });
    });

    for (const nameFilter of ["contains", "exact"] as const) {
        describe(`the lookups, with a Name filter that matches ${nameFilter === "exact" ? "whole names" : "parts of names"}`, () => {
            beforeEach(() => emu.configure({ nameFilter }));

            it("finds the one project of a name, not the one whose name contains it, nor the one in another region", async () => {
                const project = await findProject(client, { regionId: "cn-hangzhou", name: "data-platform" });
                assert.equal(project.id, LOOKUP_IDS.dataPlatform);
                const shanghai = await findProject(client, { regionId: "cn-shanghai", name: "data-platform" });
                assert.equal(shanghai.id, LOOKUP_IDS.dataPlatformShanghai);
            });

            it("finds a project by ID, and reads every page of a listing (250 projects, pages of 100)", async () => {
                assert.equal((await findProject(client, { projectId: LOOKUP_IDS.lastFiller })).name, "filler-245");
                assert.equal((await listProjects(client, {})).length, 250, "every page read");
                assert.deepEqual((await listProjects(client, { name: "filler-245" })).map((p) => p.id), [LOOKUP_IDS.lastFiller]);
            });

            it("lists the matches when more than one project has the name", async () => {
                const err = await findProject(client, { regionId: "cn-hangzhou", name: "shared" }).then(() => assert.fail("found one"), (e: unknown) => e);
                assert.ok(LookupError.isInstance(err));
                assert.equal(err.code, "ManyMatches");
                assert.deepEqual(err.matches.map((m) => m.id), [LOOKUP_IDS.sharedA, LOOKUP_IDS.sharedB]);
                assert.match(err.message, /2 projects are named "shared" in region cn-hangzhou: FP-5EED000000000003 \("shared"\), FP-5EED000000000004 \("shared"\)\. Pass the ID/);
            });

            it("says so when no project has the name, with the near names the filter let through", async () => {
                const err = await findProject(client, { regionId: "cn-hangzhou", name: "data" }).then(() => assert.fail("found one"), (e: unknown) => e);
                assert.ok(LookupError.isInstance(err));
                assert.equal(err.code, "NoMatch");
                assert.match(err.message, /no project is named "data" in region cn-hangzhou/);
                assert.match(err.message, /Names match exactly, case included.*emr-flow projects/);
                if (nameFilter === "contains") assert.deepEqual(err.matches.map((m) => m.name), ["data-platform", "data-platform-dev"]);
                else assert.deepEqual(err.matches, []);
                await assert.rejects(findProject(client, { regionId: "cn-hangzhou", name: "Data-Platform" }), { code: "NoMatch" });
                await assert.rejects(findProject(client, { projectId: "FP-0000000000000000" }), { code: "NoMatch", message: /no project FP-0000000000000000/ });
            });

            it("finds the one flow of a name in its project, and lists the matches when several share it", async () => {
                assert.equal((await findFlow(client, { projectId: LOOKUP_IDS.dataPlatform, name: "nightly-etl" })).id, LOOKUP_IDS.nightly);
                assert.equal((await findFlow(client, { projectId: LOOKUP_IDS.dataPlatformDev, name: "nightly-etl" })).id, "F-5EED000000000005");
                assert.equal((await findFlow(client, { projectId: LOOKUP_IDS.dataPlatform, flowId: LOOKUP_IDS.reportB })).name, "report");
                await assert.rejects(findFlow(client, { projectId: LOOKUP_IDS.dataPlatform, name: "report" }), (err: unknown) => {
                    assert.ok(LookupError.isInstance(err));
                    assert.equal(err.code, "ManyMatches");
                    assert.deepEqual(err.matches.map((m) => m.id), [LOOKUP_IDS.reportA, LOOKUP_IDS.reportB]);
                    return true;
                });
                await assert.rejects(findFlow(client, { projectId: LOOKUP_IDS.dataPlatform, name: "nightly" }), { code: "NoMatch", message: /no flow is named "nightly" in project FP-5EED000000000001/ });
                await assert.rejects(findFlow(client, { projectId: LOOKUP_IDS.dataPlatformDev, flowId: LOOKUP_IDS.nightly }), {
                    code: "NoMatch",
                    message: /no flow F-5EED000000000001 in project FP-5EED000000000002 \(EMR\.Flow\.NotFound\)/,
                });
                assert.deepEqual((await listFlows(client, { projectId: LOOKUP_IDS.dataPlatform, name: "nightly-etl" })).map((f) => f.id), [LOOKUP_IDS.nightly]);
            });
        });
    }
});
