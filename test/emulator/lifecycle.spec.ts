import assert from "node:assert/strict";
import { maxConcurrent, replay } from "../../emulator/lifecycle";
import { DEFAULT_ACCESS_KEY_ID, DEFAULT_ACCESS_KEY_SECRET, startEmulator, type RunningEmulator, type Seed } from "../../emulator";
import { EmulatorCaller } from "../support/emulatorSigner";

const T0 = Date.UTC(2026, 0, 1, 0, 0, 0);
const REGION = "cn-shanghai";
const PROJECT = "FP-TEST000000000001";
const OK_FLOW = "F-OK00000000000001";
const FAIL_ONCE = "F-FAILONCE00000001";
const ALWAYS_FAIL = "F-ALWAYSFAIL000001";
const QUEUED = "F-QUEUED0000000001";
const OTHER_PROJECT = "FP-OTHER00000000001";
const CHILD = "F-CHILD00000000001";

const SEED: Seed = {
    prepMs: 500,
    projects: [
        {
            id: PROJECT,
            regionId: REGION,
            flows: [
                { id: OK_FLOW, name: "ok", nodes: [{ name: "a", jobType: "SHELL", durationMs: 1000 }, { name: "b", jobType: "SPARK", durationMs: 2000 }] },
                {
                    id: FAIL_ONCE,
                    name: "fail-once",
                    nodes: [
                        { name: "a", jobType: "SHELL", durationMs: 1000 },
                        { name: "b", jobType: "SPARK", durationMs: 1000, outcome: "FAILED", failAttempts: 1 },
                        { name: "c", jobType: "HIVE", durationMs: 1000 },
                    ],
                },
                { id: ALWAYS_FAIL, name: "always-fail", nodes: [{ name: "a", jobType: "SQOOP", durationMs: 1000, outcome: "FAILED" }, { name: "b", jobType: "SHELL", durationMs: 1000 }] },
                { id: QUEUED, name: "queued", nodes: [{ name: "a", jobType: "SPARK", durationMs: 1000, submitMs: 400 }] },
                { id: CHILD, name: "child", dependsOn: [OK_FLOW], nodes: [{ name: "a", jobType: "SHELL", durationMs: 1000 }] },
            ],
        },
        { id: OTHER_PROJECT, regionId: "cn-beijing", flows: [{ id: "F-OTHER00000000001", name: "x", nodes: [{ name: "a", jobType: "SHELL", durationMs: 1 }] }] },
    ],
};

type Json = Record<string, unknown>;

describe("emulator: flow instance lifecycle (injected clock)", () => {
    let emu: RunningEmulator;
    let now = T0;
    let api: EmulatorCaller;
    before(async () => {
        emu = await startEmulator({ seed: SEED, now: () => now });
        api = new EmulatorCaller(emu.port, { id: DEFAULT_ACCESS_KEY_ID, secret: DEFAULT_ACCESS_KEY_SECRET });
    });
    after(() => emu.close());
    beforeEach(() => {
        emu.reset();
        emu.configure({ timeScale: 1, killFlow: "absent", externalStatusSpelling: "FAILED" });
        now = T0;
    });

    const submit = async (flowId: string, conf?: Json) =>
        String((await api.ok("SubmitFlow", { RegionId: REGION, ProjectId: PROJECT, FlowId: flowId, ...(conf && { Conf: JSON.stringify(conf) }) }))["Id"]);
    const describe_ = (id: string) => api.ok("DescribeFlowInstance", { RegionId: REGION, ProjectId: PROJECT, Id: id });
    const nodes = (d: Json) => (d["NodeInstance"] as { NodeInstance: Json[] }).NodeInstance;
    const control = (action: string, id: string, extra: Record<string, string> = {}) => api.call(action, { RegionId: REGION, ProjectId: PROJECT, FlowInstanceId: id, ...extra });
    const at = async (ms: number, id: string) => {
        now = T0 + ms;
        return describe_(id);
    };

    it("goes PREP, RUNNING node by node, then SUCCEEDED at the exact times, with the documented fields", async () => {
        const id = await submit(OK_FLOW, { cyctime: "1542783967503" });
        let d = await at(0, id);
        assert.equal(d["Status"], "PREP");
        assert.equal(d["GmtCreate"], T0);
        assert.equal(d["StartTime"], undefined, "no StartTime before the run starts");
        assert.deepEqual(nodes(d), []);
        assert.equal((await at(499, id))["Status"], "PREP");

        d = await at(500, id);
        assert.equal(d["Status"], "RUNNING");
        assert.equal(d["StartTime"], T0 + 500);
        assert.deepEqual(nodes(d).map((n) => [n["NodeName"], n["Status"]]), [["a", "RUNNING"]]);

        d = await at(1700, id);
        assert.deepEqual(nodes(d).map((n) => [n["NodeName"], n["Status"], n["StartTime"], n["EndTime"]]), [
            ["a", "SUCCESS", T0 + 500, T0 + 1500],
            ["b", "RUNNING", T0 + 1500, undefined],
        ]);
        assert.equal(nodes(d)[1]!["Duration"], 200);
        assert.equal((await at(3499, id))["Status"], "RUNNING");

        d = await at(3500, id);
        assert.equal(d["Status"], "SUCCEEDED");
        assert.equal(d["EndTime"], T0 + 3500);
        assert.equal(d["Duration"], 3000);
        assert.equal(d["GmtModified"], T0 + 3500);
        assert.equal(d["HasNodeFailed"], false);
        assert.equal(d["ScheduleTime"], 1542783967503);
        for (const field of ["RequestId", "Id", "FlowId", "FlowName", "ProjectId", "Status", "ClusterId", "GmtCreate", "GmtModified", "StartTime", "EndTime", "Duration", "ScheduleTime", "Graph", "CronExpression", "HasNodeFailed", "Namespace", "LogArchiveLocation", "Lifecycle"]) {
            assert.ok(field in d, `DescribeFlowInstance has ${field}`);
        }
        assert.deepEqual(d["DependencyFlowList"], { ParentFlow: [] });
        const node = nodes(d)[0]!;
        assert.match(String(node["Id"]), /^FNI-[0-9A-F]{16}$/);
        assert.match(String(node["JobId"]), /^FJ-[0-9A-F]{16}$/);
        assert.match(String(node["ExternalId"]), /^application_\d+_\d{4}$/);
        // The documented ExternalStatus of a finished job is SUCCESS (not SUCCEEDED).
        assert.equal(node["ExternalStatus"], "SUCCESS");
        assert.equal(node["Retries"], 0);
        assert.equal(node["Pending"], false);
        for (const field of ["JobName", "JobType", "FailAct", "ExternalInfo", "ClusterId", "HostName"]) assert.ok(field in node, `node has ${field}`);

        // Later reads do not move anything: the instance is final.
        assert.equal((await at(100_000, id))["EndTime"], T0 + 3500);
    });

    it("scales every duration with timeScale at submission", async () => {
        emu.configure({ timeScale: 0.01 });
        const id = await submit(OK_FLOW);
        assert.equal((await at(4, id))["Status"], "PREP");
        assert.equal((await at(5, id))["Status"], "RUNNING");
        assert.equal((await at(35, id))["Status"], "SUCCEEDED");
    });

    it("fails at the first failing node and never runs the nodes after it", async () => {
        const id = await submit(ALWAYS_FAIL);
        const d = await at(10_000, id);
        assert.equal(d["Status"], "FAILED");
        assert.equal(d["EndTime"], T0 + 1500);
        assert.equal(d["HasNodeFailed"], true);
        assert.deepEqual(nodes(d).map((n) => [n["NodeName"], n["Status"], n["ExternalStatus"]]), [["a", "FAILED", "FAILED"]]);
    });

    it("shows a node as SUBMITTED and Pending while it waits in the queue", async () => {
        const id = await submit(QUEUED);
        let n = nodes(await at(700, id))[0]!;
        assert.deepEqual([n["Status"], n["Pending"]], ["SUBMITTED", true]);
        n = nodes(await at(900, id))[0]!;
        assert.deepEqual([n["Status"], n["Pending"]], ["RUNNING", false]);
    });

    it("kills a running instance: KILLED, running node KILL_SUCCESS; killing it again is an error", async () => {
        emu.configure({ killFlow: "present" });
        const id = await submit(OK_FLOW);
        now = T0 + 2000;
        const kill = await control("KillFlow", id);
        assert.equal(kill.status, 200, kill.text);
        assert.equal(kill.json["Data"], true);
        const d = await at(60_000, id);
        assert.equal(d["Status"], "KILLED");
        assert.equal(d["EndTime"], T0 + 2000);
        assert.deepEqual(nodes(d).map((n) => [n["NodeName"], n["Status"]]), [["a", "SUCCESS"], ["b", "KILL_SUCCESS"]]);
        const again = await control("KillFlow", id);
        assert.deepEqual([again.status, again.json["Code"]], [400, "EMR.FlowInstance.InvalidStatus"]);
    });

    it("suspends (time stops for the running node) and resumes back to RUNNING", async () => {
        const id = await submit(OK_FLOW);
        now = T0 + 1000; // node a has run 500 of its 1000 ms
        assert.equal((await control("SuspendFlow", id)).status, 200);
        let d = await at(50_000, id);
        assert.equal(d["Status"], "SUSPENDED");
        assert.equal(nodes(d)[0]!["Status"], "RUNNING");
        assert.equal((await control("SuspendFlow", id)).json["Code"], "EMR.FlowInstance.InvalidStatus");
        assert.equal((await control("ResumeFlow", id)).status, 200);
        d = await at(50_000, id);
        assert.equal(d["Status"], "RUNNING");
        // a still needs 500 ms, then b 2000 ms.
        assert.equal(nodes(await at(50_499, id))[0]!["Status"], "RUNNING");
        assert.equal(nodes(await at(50_500, id))[0]!["EndTime"], T0 + 50_500);
        d = await at(52_500, id);
        assert.equal(d["Status"], "SUCCEEDED");
        assert.equal(d["EndTime"], T0 + 52_500);
        assert.equal((await control("ResumeFlow", id)).json["Code"], "EMR.FlowInstance.InvalidStatus");
    });

    it("reruns only the failed and unrun nodes with ReRunFail=true, keeping the instance ID, and succeeds", async () => {
        const id = await submit(FAIL_ONCE);
        let d = await at(5000, id);
        assert.equal(d["Status"], "FAILED");
        assert.deepEqual(nodes(d).map((n) => [n["NodeName"], n["Status"]]), [["a", "SUCCESS"], ["b", "FAILED"]]);
        const firstB = nodes(d)[1]!;

        const rerun = await control("RerunFlow", id, { ReRunFail: "true" });
        assert.equal(rerun.status, 200, rerun.text);
        d = await at(5000, id);
        assert.equal(d["Id"], id);
        assert.equal(d["Status"], "RUNNING");
        assert.equal(d["EndTime"], undefined);
        assert.deepEqual(nodes(d).map((n) => [n["NodeName"], n["Status"]]), [["a", "SUCCESS"], ["b", "RUNNING"]]);
        assert.equal(nodes(d)[0]!["StartTime"], T0 + 500, "the succeeded node was not rerun");

        d = await at(7000, id);
        assert.equal(d["Status"], "SUCCEEDED");
        assert.equal(d["EndTime"], T0 + 7000);
        assert.equal(d["HasNodeFailed"], false);
        const b = nodes(d)[1]!;
        assert.equal(b["Id"], firstB["Id"]);
        assert.equal(b["Retries"], 1);
        assert.notEqual(b["ExternalId"], firstB["ExternalId"]);
        assert.equal(emu.instances().length, 1);
        assert.deepEqual(emu.instances()[0]!.events.map((e) => e.kind), ["rerun"]);
    });

    it("reruns every node without ReRunFail, and refuses to rerun a running instance", async () => {
        const id = await submit(OK_FLOW);
        now = T0 + 1000;
        assert.equal((await control("RerunFlow", id)).json["Code"], "EMR.FlowInstance.InvalidStatus");
        await at(4000, id);
        assert.equal((await control("RerunFlow", id, { ReRunFail: "false" })).status, 200);
        const d = await at(4000, id);
        assert.deepEqual(nodes(d).map((n) => [n["NodeName"], n["Status"], n["Retries"]]), [["a", "RUNNING", 1]]);
        assert.equal((await at(7000, id))["Status"], "SUCCEEDED");
        assert.equal((await control("RerunFlow", id, { ReRunFail: "true" })).json["Code"], "EMR.FlowInstance.InvalidStatus", "nothing failed");
        assert.equal((await control("RerunFlow", id, { ReRunFail: "maybe" })).json["Code"], "InvalidParameter");
    });

    it("answers errors, never silent successes, for unknown or mismatched IDs and missing parameters", async () => {
        emu.configure({ killFlow: "present" });
        const id = await submit(OK_FLOW);
        const expect = async (action: string, params: Record<string, string>, status: number, code: string) => {
            const res = await api.call(action, params);
            assert.deepEqual([res.status, res.json["Code"]], [status, code], `${action} ${JSON.stringify(params)}: ${res.text}`);
            assert.deepEqual(Object.keys(res.json).sort(), ["Code", "HostId", "Message", "Recommend", "RequestId"]);
        };
        await expect("SubmitFlow", { RegionId: REGION, ProjectId: PROJECT, FlowId: "F-NOPE000000000001" }, 404, "EMR.Flow.NotFound");
        await expect("SubmitFlow", { RegionId: REGION, ProjectId: "FP-NOPE000000000001", FlowId: OK_FLOW }, 404, "EMR.Project.NotFound");
        await expect("SubmitFlow", { RegionId: "cn-beijing", ProjectId: PROJECT, FlowId: OK_FLOW }, 404, "EMR.Project.NotFound");
        await expect("SubmitFlow", { RegionId: "cn-beijing", ProjectId: OTHER_PROJECT, FlowId: OK_FLOW }, 404, "EMR.Flow.NotFound");
        await expect("SubmitFlow", { ProjectId: PROJECT, FlowId: OK_FLOW }, 400, "MissingParameter");
        await expect("SubmitFlow", { RegionId: REGION, FlowId: OK_FLOW }, 400, "MissingParameter");
        await expect("SubmitFlow", { RegionId: REGION, ProjectId: PROJECT }, 400, "MissingParameter");
        await expect("SubmitFlow", { RegionId: REGION, ProjectId: PROJECT, FlowId: OK_FLOW, Conf: "not json" }, 400, "InvalidParameter");
        await expect("SubmitFlow", { RegionId: REGION, ProjectId: PROJECT, FlowId: OK_FLOW, Conf: '{"n":1}' }, 400, "InvalidParameter");
        await expect("SubmitFlow", { RegionId: REGION, ProjectId: PROJECT, FlowId: OK_FLOW, Conf: "[]" }, 400, "InvalidParameter");
        await expect("DescribeFlowInstance", { RegionId: REGION, ProjectId: PROJECT, Id: "FI-0000000000000000" }, 404, "EMR.FlowInstance.NotFound");
        await expect("DescribeFlowInstance", { RegionId: REGION, ProjectId: PROJECT }, 400, "MissingParameter");
        await expect("DescribeFlowInstance", { RegionId: "cn-beijing", ProjectId: OTHER_PROJECT, Id: id }, 404, "EMR.FlowInstance.NotFound");
        await expect("KillFlow", { RegionId: REGION, ProjectId: PROJECT, FlowInstanceId: "FI-0000000000000000" }, 404, "EMR.FlowInstance.NotFound");
        await expect("ResumeFlow", { RegionId: REGION, ProjectId: PROJECT }, 400, "MissingParameter");
        assert.equal(emu.instances().length, 1);
    });

    it("has no KillFlow by default (404 InvalidAction.NotFound, nothing changes), like every current SDK", async () => {
        const id = await submit(OK_FLOW);
        now = T0 + 2000;
        const kill = await control("KillFlow", id);
        assert.deepEqual([kill.status, kill.json["Code"]], [404, "InvalidAction.NotFound"]);
        assert.match(String(kill.json["Message"]), /Specified api is not found/);
        assert.equal((await at(2000, id))["Status"], "RUNNING");
        assert.deepEqual(emu.instances()[0]!.events, []);
        assert.equal((await fetch(`${emu.url}/__emulator/config`).then((r) => r.json()) as Json)["killFlow"], "absent");
    });

    it("gives node instances the documented fields: Type, MaxRetry and RetryInterval as strings, GmtCreate, GmtModified, ProjectId", async () => {
        const id = await submit(OK_FLOW);
        const d = await at(1700, id);
        const [a, b] = nodes(d);
        assert.deepEqual([a!["Type"], a!["MaxRetry"], a!["RetryInterval"], a!["ProjectId"]], ["JOB", "0", "0", PROJECT]);
        assert.deepEqual([a!["GmtCreate"], a!["GmtModified"]], [T0 + 500, T0 + 1500]);
        assert.deepEqual([b!["GmtCreate"], b!["GmtModified"]], [T0 + 1500, T0 + 1500]);
    });

    it("spells node ExternalStatus as documented: SUBMITTED, RUNNING, SUCCESS, KILL_SUCCESS, and FAILED or FAIL by setting", async () => {
        const queued = await submit(QUEUED);
        assert.equal(nodes(await at(700, queued))[0]!["ExternalStatus"], "SUBMITTED");
        assert.equal(nodes(await at(1000, queued))[0]!["ExternalStatus"], "RUNNING");
        const failing = await submit(ALWAYS_FAIL);
        assert.equal(nodes(await at(10_000, failing))[0]!["ExternalStatus"], "FAILED");
        emu.configure({ externalStatusSpelling: "FAIL" });
        assert.equal(nodes(await at(10_000, failing))[0]!["ExternalStatus"], "FAIL");
        assert.equal(nodes(await at(10_000, failing))[0]!["Status"], "FAILED", "only ExternalStatus changes spelling");
        const res = await fetch(`${emu.url}/__emulator/config`, { method: "POST", body: JSON.stringify({ externalStatusSpelling: "FAILURE" }) });
        assert.equal(res.status, 400);
    });

    it("StartFlow starts an instance still in PREP at once, and refuses any other status", async () => {
        const id = await submit(OK_FLOW);
        now = T0 + 100;
        const start = await control("StartFlow", id);
        assert.deepEqual([start.status, start.json["Data"]], [200, true]);
        const d = await at(100, id);
        assert.deepEqual([d["Status"], d["StartTime"]], ["RUNNING", T0 + 100]);
        assert.deepEqual(nodes(d).map((n) => [n["NodeName"], n["Status"]]), [["a", "RUNNING"]]);
        assert.equal((await at(3100, id))["Status"], "SUCCEEDED");
        const again = await control("StartFlow", id);
        assert.deepEqual([again.status, again.json["Code"]], [400, "EMR.FlowInstance.InvalidStatus"]);
        assert.deepEqual([(await api.call("StartFlow", { RegionId: REGION, ProjectId: PROJECT })).json["Code"]], ["MissingParameter"]);
    });

    it("KillFlowJob kills the running node of a suspended instance: KILL_SUCCESS, nothing further starts, FAILED once resumed", async () => {
        const id = await submit(OK_FLOW);
        now = T0 + 1000;
        assert.equal((await control("SuspendFlow", id)).status, 200);
        const running = nodes(await at(1000, id))[0]!;
        const kill = await api.call("KillFlowJob", { RegionId: REGION, ProjectId: PROJECT, JobInstanceId: String(running["Id"]) });
        assert.deepEqual([kill.status, kill.json["Data"]], [200, true], kill.text);
        let d = await at(60_000, id);
        assert.equal(d["Status"], "SUSPENDED");
        assert.deepEqual(nodes(d).map((n) => [n["NodeName"], n["Status"], n["ExternalStatus"], n["EndTime"]]), [["a", "KILL_SUCCESS", "KILL_SUCCESS", T0 + 1000]]);
        const twice = await api.call("KillFlowJob", { RegionId: REGION, ProjectId: PROJECT, JobInstanceId: String(running["Id"]) });
        assert.deepEqual([twice.status, twice.json["Code"]], [400, "EMR.NodeInstance.InvalidStatus"]);
        now = T0 + 61_000;
        assert.equal((await control("ResumeFlow", id)).status, 200);
        d = await at(61_000, id);
        assert.deepEqual([d["Status"], d["EndTime"]], ["FAILED", T0 + 61_000]);
        assert.deepEqual(nodes(d).map((n) => n["NodeName"]), ["a"], "node b never started");
    });

    it("KillFlowJob on a running instance ends it FAILED; unknown or foreign node IDs are 404", async () => {
        const id = await submit(OK_FLOW);
        const b = nodes(await at(2000, id))[1]!;
        const kill = await api.call("KillFlowJob", { RegionId: REGION, ProjectId: PROJECT, JobInstanceId: String(b["Id"]) });
        assert.equal(kill.status, 200, kill.text);
        const d = await at(2000, id);
        assert.deepEqual([d["Status"], nodes(d)[1]!["Status"]], ["FAILED", "KILL_SUCCESS"]);
        const unknown = await api.call("KillFlowJob", { RegionId: REGION, ProjectId: PROJECT, JobInstanceId: "FNI-0000000000000000" });
        assert.deepEqual([unknown.status, unknown.json["Code"]], [404, "EMR.NodeInstance.NotFound"]);
        const foreign = await api.call("KillFlowJob", { RegionId: "cn-beijing", ProjectId: OTHER_PROJECT, JobInstanceId: String(b["Id"]) });
        assert.deepEqual([foreign.status, foreign.json["Code"]], [404, "EMR.NodeInstance.NotFound"]);
        const missing = await api.call("KillFlowJob", { RegionId: REGION, ProjectId: PROJECT });
        assert.deepEqual([missing.status, missing.json["Code"]], [400, "MissingParameter"]);
    });

    it("names the parent flow in DependencyFlowId (FlowId is the instance's own), with its instance and Meet", async () => {
        const parent = await submit(OK_FLOW);
        now = T0 + 100;
        const child = await submit(CHILD, { cyctime: String(Date.UTC(2026, 0, 2, 3, 0, 0)) });
        const flows = (d: Json) => (d["DependencyFlowList"] as { ParentFlow: Json[] }).ParentFlow;
        let item = flows(await at(1000, child))[0]!;
        assert.deepEqual(
            [item["DependencyFlowId"], item["DependencyInstanceId"], item["Meet"], item["FlowId"], item["FlowInstanceId"], item["ProjectId"], item["ScheduleKey"]],
            [OK_FLOW, parent, false, CHILD, child, PROJECT, "20260102"],
        );
        item = flows(await at(4000, child))[0]!;
        assert.equal(item["Meet"], true, "the parent instance has SUCCEEDED");
        assert.equal(item["BizDate"], T0, "the parent's schedule time");
        assert.deepEqual((await at(4000, parent))["DependencyFlowList"], { ParentFlow: [] });
    });

    it("lists instances with filters, order and paging", async () => {
        const ids: string[] = [];
        for (let i = 0; i < 5; i++) {
            now = T0 + i * 10_000;
            ids.push(await submit(i % 2 === 0 ? OK_FLOW : ALWAYS_FAIL));
        }
        now = T0 + 100_000;
        const list = (extra: Record<string, string> = {}) => api.ok("ListFlowInstance", { RegionId: REGION, ProjectId: PROJECT, ...extra });
        const idsOf = (body: Json) => (body["FlowInstances"] as { FlowInstance: Json[] }).FlowInstance.map((f) => f["Id"]);

        const all = await list();
        assert.equal(all["Total"], 5);
        assert.equal(all["PageNumber"], 1);
        assert.equal(all["PageSize"], 20);
        assert.deepEqual(idsOf(all), [...ids].reverse(), "newest first by default");
        const item = (all["FlowInstances"] as { FlowInstance: Json[] }).FlowInstance[0]!;
        assert.deepEqual(Object.keys(item).sort(), ["ClusterId", "Duration", "EndTime", "FlowId", "FlowName", "GmtCreate", "GmtModified", "HasNodeFailed", "Id", "Owner", "ProjectId", "ScheduleTime", "StartTime", "Status"]);

        assert.deepEqual(idsOf(await list({ FlowId: ALWAYS_FAIL, OrderType: "ASC" })), [ids[1], ids[3]]);
        assert.deepEqual(idsOf(await list({ "StatusList.1": "SUCCEEDED", OrderBy: "start_time", OrderType: "ASC" })), [ids[0], ids[2], ids[4]]);
        assert.deepEqual(idsOf(await list({ "StatusList.1": "FAILED", "StatusList.2": "SUCCEEDED" })).length, 5);
        assert.deepEqual(idsOf(await list({ TimeRange: JSON.stringify({ type: "range", from: T0 + 10_000, to: T0 + 30_000 }), OrderType: "ASC" })), [ids[1], ids[2], ids[3]]);
        assert.deepEqual(idsOf(await list({ InstanceId: ids[2]! })), [ids[2]]);
        const page2 = await list({ PageSize: "2", PageNumber: "2", OrderType: "ASC" });
        assert.deepEqual([page2["Total"], page2["PageNumber"], page2["PageSize"]], [5, 2, 2]);
        assert.deepEqual(idsOf(page2), [ids[2], ids[3]]);
        const sortedIds = [...ids].sort();
        assert.deepEqual(idsOf(await list({ OrderBy: "id", OrderType: "ASC" })), sortedIds);

        const bads: Record<string, string>[] = [{ TimeRange: "{" }, { TimeRange: '{"type":"day"}' }, { TimeRange: '{"type":"range","from":"x"}' }, { "StatusList.1": "DONE" }, { PageSize: "0" }, { OrderType: "UP" }];
        for (const bad of bads) {
            const res = await api.call("ListFlowInstance", { RegionId: REGION, ProjectId: PROJECT, ...bad });
            assert.deepEqual([res.status, res.json["Code"]], [400, "InvalidParameter"], JSON.stringify(bad));
        }
    });

    it("computes maxConcurrentRunning from the instances' active intervals", async () => {
        // Three 3.5 s runs starting at 0, 1 s and 5 s: at most two overlap.
        for (const start of [0, 1000, 5000]) {
            now = T0 + start;
            await submit(OK_FLOW);
        }
        now = T0 + 60_000;
        assert.equal(emu.stats().maxConcurrentRunning, 2);
        assert.equal(emu.stats().calls["SubmitFlow"], 3);
    });
});

describe("emulator: lifecycle replay edge cases", () => {
    const plan = (prepMs: number, ...durations: number[]) => ({
        prepMs,
        nodes: durations.map((durationMs) => ({ durationMs, submitMs: 0, failsOnAttempt: () => false })),
    });

    it("finishes zero-length PREP and zero-duration nodes at the creation instant", () => {
        const s = replay(plan(0, 0, 0), 1000, [], 1000);
        assert.equal(s.status, "SUCCEEDED");
        assert.deepEqual([s.startTime, s.endTime], [1000, 1000]);
        assert.deepEqual(s.nodes.map((n) => n.status), ["SUCCESS", "SUCCESS"]);
    });

    it("stops PREP time while suspended in PREP, and a kill in PREP starts no node", () => {
        const suspended = replay(plan(100, 50), 0, [{ kind: "suspend", at: 40 }, { kind: "resume", at: 1000 }], 1059);
        assert.equal(suspended.status, "PREP");
        assert.equal(replay(plan(100, 50), 0, [{ kind: "suspend", at: 40 }, { kind: "resume", at: 1000 }], 1060).startTime, 1060);
        const killed = replay(plan(100, 50), 0, [{ kind: "kill", at: 10 }], 500);
        assert.equal(killed.status, "KILLED");
        assert.ok(killed.nodes.every((n) => !n.started));
        assert.deepEqual(killed.activeIntervals, [{ from: 0, to: 10 }]);
    });

    it("ignores events later than the time asked about, and never moves backwards", () => {
        const s = replay(plan(10, 100), 0, [{ kind: "kill", at: 50 }], 30);
        assert.equal(s.status, "RUNNING");
        assert.equal(replay(plan(10, 100), 100, [], 0).status, "PREP");
    });

    it("counts overlap on half-open intervals", () => {
        assert.equal(maxConcurrent([{ from: 0, to: 10 }, { from: 10, to: 20 }]), 1);
        assert.equal(maxConcurrent([{ from: 0, to: 10 }, { from: 9, to: 20 }, { from: 5 }]), 3);
        assert.equal(maxConcurrent([]), 0);
    });
});
