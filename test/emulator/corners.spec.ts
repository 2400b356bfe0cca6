/**
 * The emulator's settings for the corners of the API Alibaba's documents leave open: each plays
 * the behaviour it names, over the wire, set in-process and through the control API.
 */
import assert from "node:assert/strict";
import { request as httpRequest } from "node:http";
import { DEFAULT_ACCESS_KEY_ID, DEFAULT_ACCESS_KEY_SECRET, DEMO_IDS, DEMO_SEED, startEmulator, type RunningEmulator, type Seed } from "../../emulator";
import { EmulatorCaller } from "../support/emulatorSigner";

const KEY = { id: DEFAULT_ACCESS_KEY_ID, secret: DEFAULT_ACCESS_KEY_SECRET };
const WHERE = { RegionId: DEMO_IDS.regionId, ProjectId: DEMO_IDS.projectId };
const T0 = Date.UTC(2026, 2, 1, 8, 0, 0);
/** A cyctime with seconds and milliseconds, so rounding shows. */
const CYCTIME = Date.UTC(2026, 2, 1, 0, 0, 31, 640);
/** PREP lasts ten seconds: long enough to list a run that has not started. */
const SEED: Seed = { ...DEMO_SEED, prepMs: 10_000 };

function control(emu: RunningEmulator, method: string, path: string, body?: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
    return new Promise((resolve, reject) => {
        const req = httpRequest({ host: "127.0.0.1", port: emu.port, method, path: `/__emulator/${path}`, headers: { "content-type": "application/json" }, agent: false }, (res) => {
            const chunks: Buffer[] = [];
            res.on("data", (c: Buffer) => chunks.push(c));
            res.on("end", () => resolve({ status: res.statusCode ?? 0, json: JSON.parse(Buffer.concat(chunks).toString("utf8")) as Record<string, unknown> }));
        });
        req.on("error", reject);
        req.end(body === undefined ? "" : JSON.stringify(body));
    });
}

type Listed = { PageSize: number; Total: number; FlowInstances?: { FlowInstance: Record<string, unknown>[] } };

describe("emulator: contract corners", () => {
    let emu: RunningEmulator;
    let api: EmulatorCaller;
    let now = T0;
    before(async () => {
        emu = await startEmulator({ seed: SEED, now: () => now });
        api = new EmulatorCaller(emu.port, KEY);
    });
    after(() => emu.close());
    beforeEach(() => {
        emu.reset();
        emu.corners({ timeRangeOn: "GmtCreate", scheduleTime: "cyctime", pageSizeCap: null });
        now = T0;
    });

    async function submit(conf: Record<string, string> = { cyctime: String(CYCTIME) }): Promise<string> {
        const body = await api.ok("SubmitFlow", { ...WHERE, FlowId: DEMO_IDS.succeedingFlowId, Conf: JSON.stringify(conf) });
        return String(body["Id"]);
    }

    async function list(extra: Record<string, string> = {}): Promise<Listed> {
        return (await api.ok("ListFlowInstance", { ...WHERE, ...extra })) as unknown as Listed;
    }

    const range = (from: number, to: number) => ({ TimeRange: JSON.stringify({ type: "range", from, to }) });

    it("defaults to the long-standing choices, readable over the control API", async () => {
        const read = await control(emu, "GET", "corners");
        assert.deepEqual(read.json, { timeRangeOn: "GmtCreate", scheduleTime: "cyctime", pageSizeCap: null });
    });

    it("TimeRange on GmtCreate lists a run in PREP by its creation time", async () => {
        const id = await submit();
        now = T0 + 1000;
        const listed = await list(range(T0 - 1000, T0 + 1000));
        assert.deepEqual(listed.FlowInstances!.FlowInstance.map((i) => [i["Id"], i["Status"]]), [[id, "PREP"]]);
    });

    it("TimeRange on StartTime leaves out a run still in PREP, and lists it once it has started", async () => {
        assert.equal((await control(emu, "POST", "corners", { timeRangeOn: "StartTime" })).status, 200);
        const id = await submit();
        now = T0 + 1000;
        assert.deepEqual((await list(range(T0 - 1000, T0 + 60_000))).FlowInstances!.FlowInstance, []);
        assert.equal((await list()).Total, 1, "without a range it is listed");
        now = T0 + 11_000;
        const started = await list(range(T0 - 1000, T0 + 60_000));
        assert.deepEqual(started.FlowInstances!.FlowInstance.map((i) => [i["Id"], i["Status"]]), [[id, "RUNNING"]]);
        // Filtering is on the start (T0 + 10 s), not the creation (T0).
        assert.equal((await list(range(T0 - 1000, T0 + 5000))).Total, 0);
    });

    it("TimeRange ignored: every run is listed whatever the range", async () => {
        emu.corners({ timeRangeOn: "ignored" });
        await submit();
        assert.equal((await list(range(0, 1))).Total, 1);
    });

    it("ScheduleTime: the cyctime sent, rounded to the second or the minute, or left out", async () => {
        const cases: [string, number | undefined][] = [
            ["cyctime", CYCTIME],
            ["second", Date.UTC(2026, 2, 1, 0, 0, 32)],
            ["minute", Date.UTC(2026, 2, 1, 0, 1, 0)],
            ["absent", undefined],
        ];
        for (const [mode, expected] of cases) {
            emu.corners({ scheduleTime: mode as "cyctime" });
            const id = await submit();
            const described = await api.ok("DescribeFlowInstance", { ...WHERE, Id: id });
            assert.equal(described["ScheduleTime"], expected, `DescribeFlowInstance under ${mode}`);
            const listed = (await list({ InstanceId: id })).FlowInstances!.FlowInstance[0]!;
            assert.equal(listed["ScheduleTime"], expected, `ListFlowInstance under ${mode}`);
            assert.equal("ScheduleTime" in listed, expected !== undefined);
        }
    });

    it("PageSize capped silently: fewer items than asked, the PageSize asked echoed, Total truthful, later pages reachable", async () => {
        emu.corners({ pageSizeCap: 20 });
        for (let i = 0; i < 45; i++) {
            now = T0 + i;
            await submit({ n: String(i) });
        }
        const pages = [await list({ PageSize: "100", PageNumber: "1" }), await list({ PageSize: "100", PageNumber: "2" }), await list({ PageSize: "100", PageNumber: "3" })];
        assert.deepEqual(pages.map((p) => [p.PageSize, p.Total, p.FlowInstances!.FlowInstance.length]), [[100, 45, 20], [100, 45, 20], [100, 45, 5]]);
        const ids = new Set(pages.flatMap((p) => p.FlowInstances!.FlowInstance.map((i) => i["Id"])));
        assert.equal(ids.size, 45);
    });

    it("rejects a bad setting and changes nothing", async () => {
        const bad = await control(emu, "POST", "corners", { timeRangeOn: "StartTime", scheduleTime: "hour" });
        assert.equal(bad.status, 400);
        assert.match(String(bad.json["error"]), /scheduleTime/);
        assert.deepEqual(emu.corners(), { timeRangeOn: "GmtCreate", scheduleTime: "cyctime", pageSizeCap: null });
    });

    describe("answers after the action, and broken listings", () => {
        it("an error after the action: the run exists, the answer is 500 InternalError", async () => {
            emu.faults.add({ action: "SubmitFlow", kind: "http500", after: true, count: 1 });
            const res = await api.call("SubmitFlow", { ...WHERE, FlowId: DEMO_IDS.succeedingFlowId });
            assert.deepEqual([res.status, res.json["Code"]], [500, "InternalError"]);
            assert.equal(emu.instances().length, 1);
        });

        it("a proxy's HTML 502 and 504, before the action (no run) and after it (a run)", async () => {
            emu.faults.add({ action: "SubmitFlow", kind: "html", status: 502, count: 1 });
            emu.faults.add({ action: "SubmitFlow", kind: "html", status: 504, after: true, count: 1 });
            const before = await api.call("SubmitFlow", { ...WHERE, FlowId: DEMO_IDS.succeedingFlowId });
            assert.equal(before.status, 502);
            assert.match(String(before.headers["content-type"]), /text\/html/);
            assert.match(before.text, /<title>502 Bad Gateway<\/title>/);
            assert.equal(emu.instances().length, 0);
            const after = await api.call("SubmitFlow", { ...WHERE, FlowId: DEMO_IDS.succeedingFlowId });
            assert.equal(after.status, 504);
            assert.match(after.text, /Gateway Time-out/);
            assert.equal(emu.instances().length, 1);
            assert.deepEqual(emu.stats().rejected, { "HTML 502": 1, "HTML 504": 1 });
        });

        it("throttling codes with HTTP 400, 429 and 503", async () => {
            const cases: [string, number][] = [
                ["Throttling", 400],
                ["Throttling.User", 429],
                ["Throttling.Api", 429],
                ["ThrottlingException", 400],
                ["ServiceUnavailable", 503],
                ["ServiceUnavailable", 429],
            ];
            for (const [code, status] of cases) emu.faults.add({ action: "SubmitFlow", kind: "throttle", code, status, count: 1 });
            for (const [code, status] of cases) {
                const res = await api.call("SubmitFlow", { ...WHERE, FlowId: DEMO_IDS.succeedingFlowId });
                assert.deepEqual([res.status, res.json["Code"]], [status, code]);
                assert.ok(String(res.json["Message"]).length > 0);
            }
            assert.equal(emu.instances().length, 0);
        });

        it("any error code and status, e.g. 403 Forbidden.RAM", async () => {
            emu.faults.add({ action: "DescribeFlowInstance", kind: "error", status: 403, code: "Forbidden.RAM", count: 1 });
            const res = await api.call("DescribeFlowInstance", { ...WHERE, Id: "FI-0000000000000001" });
            assert.deepEqual([res.status, res.json["Code"]], [403, "Forbidden.RAM"]);
        });

        it("a list answer without its list, and a page emptied under a Total that says more; only ListFlowInstance is affected", async () => {
            await submit();
            emu.faults.add({ action: "*", kind: "list-without-list", count: 1 });
            emu.faults.add({ action: "*", kind: "list-empty-page", count: 1 });
            assert.equal((await api.call("DescribeFlowInstance", { ...WHERE, Id: emu.instances()[0]!.id })).status, 200);
            const first = await list();
            assert.equal(first.Total, 1);
            assert.equal("FlowInstances" in first, false);
            const second = await list();
            assert.deepEqual([second.Total, second.FlowInstances!.FlowInstance.length], [1, 0]);
            assert.equal((await list()).FlowInstances!.FlowInstance.length, 1);
        });

        it("rejects fault rules whose fields do not fit their kind", () => {
            assert.throws(() => emu.faults.add({ kind: "error" }), /needs a code/);
            assert.throws(() => emu.faults.add({ kind: "delay", after: true }), /after/);
            assert.throws(() => emu.faults.add({ kind: "http500", code: "X" }), /code/);
            assert.throws(() => emu.faults.add({ action: "SubmitFlow", kind: "list-without-list" }), /ListFlowInstance only/);
        });
    });
});
