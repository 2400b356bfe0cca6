import assert from "node:assert/strict";
import { request as httpRequest } from "node:http";
import { connect } from "node:net";
import {
    DEFAULT_ACCESS_KEY_ID,
    DEFAULT_ACCESS_KEY_SECRET,
    DEMO_IDS,
    DEMO_SEED,
    SeedError,
    parseSeed,
    startEmulator,
    type RunningEmulator,
} from "../../emulator";
import { EmulatorCaller, send } from "../support/emulatorSigner";

const KEY = { id: DEFAULT_ACCESS_KEY_ID, secret: DEFAULT_ACCESS_KEY_SECRET };
const SUBMIT = { RegionId: DEMO_IDS.regionId, ProjectId: DEMO_IDS.projectId, FlowId: DEMO_IDS.succeedingFlowId };
const DESCRIBE_LIST = { RegionId: DEMO_IDS.regionId, ProjectId: DEMO_IDS.projectId };

/** Plain JSON request to the control API. */
function control(emu: RunningEmulator, method: string, path: string, body?: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
    return new Promise((resolve, reject) => {
        const text = body === undefined ? "" : typeof body === "string" ? body : JSON.stringify(body);
        const req = httpRequest({ host: "127.0.0.1", port: emu.port, method, path: `/__emulator/${path}`, headers: { "content-type": "application/json" }, agent: false }, (res) => {
            const chunks: Buffer[] = [];
            res.on("data", (c: Buffer) => chunks.push(c));
            res.on("end", () => resolve({ status: res.statusCode ?? 0, json: JSON.parse(Buffer.concat(chunks).toString("utf8")) as Record<string, unknown> }));
        });
        req.on("error", reject);
        req.end(text);
    });
}

/** Resolves with the error a call ends in (it must end in one). */
async function callError(p: Promise<unknown>): Promise<NodeJS.ErrnoException> {
    try {
        await p;
    } catch (err) {
        return err as NodeJS.ErrnoException;
    }
    throw new Error("expected the call to fail");
}

describe("emulator: faults, limits, concurrency, robustness, control API", () => {
    let emu: RunningEmulator;
    let api: EmulatorCaller;
    before(async () => {
        emu = await startEmulator();
        api = new EmulatorCaller(emu.port, KEY);
    });
    after(() => emu.close());
    beforeEach(() => {
        emu.reset();
        emu.configure({ latencyMs: 0, actionLatencyMs: {}, rateLimitPerSecond: undefined, timeScale: 1 });
    });

    describe("fault injection", () => {
        it("throttles exactly the next two SubmitFlow calls (set over HTTP), leaving other actions alone", async () => {
            const added = await control(emu, "POST", "faults", { action: "SubmitFlow", kind: "throttle", count: 2 });
            assert.equal(added.status, 201);
            assert.equal((await api.call("ListFlowInstance", DESCRIBE_LIST)).status, 200);
            for (let i = 0; i < 2; i++) {
                const res = await api.call("SubmitFlow", SUBMIT);
                assert.deepEqual([res.status, res.json["Code"]], [400, "Throttling.User"]);
                assert.match(String(res.json["RequestId"]), /^[0-9A-F-]{36}$/);
            }
            const remaining = (await control(emu, "GET", "faults")).json["faults"];
            assert.deepEqual(remaining, []);
            assert.equal((await api.call("SubmitFlow", SUBMIT)).status, 200);
            assert.equal(emu.instances().length, 1);
            assert.deepEqual(emu.stats().rejected, { "Throttling.User": 2 });
            assert.deepEqual(emu.stats().calls, { ListFlowInstance: 1, SubmitFlow: 3 });
        });

        it("answers 500 InternalError and 503 ServiceUnavailable, creating nothing", async () => {
            emu.faults.add({ action: "*", kind: "http500", count: 1 });
            emu.faults.add({ action: "SubmitFlow", kind: "http503", count: 1 });
            assert.deepEqual(emu.faults.list().map((f) => [f.kind, f.remaining]), [["http500", 1], ["http503", 1]]);
            const first = await api.call("SubmitFlow", SUBMIT);
            assert.deepEqual([first.status, first.json["Code"]], [500, "InternalError"]);
            const second = await api.call("SubmitFlow", SUBMIT);
            assert.deepEqual([second.status, second.json["Code"]], [503, "ServiceUnavailable"]);
            assert.equal(emu.instances().length, 0);
        });

        it("delay: processes the call, so a client that times out first leaves an instance behind", async () => {
            emu.faults.add({ action: "SubmitFlow", kind: "delay", delayMs: 400, count: 1 });
            const err = await callError(send(emu.port, api.sign("SubmitFlow", SUBMIT), 100));
            assert.match(err.message, /timeout/);
            assert.equal(emu.instances().length, 1);
            // The client gave up: the emulator counts the call as abandoned once it sees the close.
            for (let i = 0; i < 200 && !emu.stats().abandoned["SubmitFlow"]; i++) await new Promise((r) => setTimeout(r, 10));
            assert.deepEqual(emu.stats().abandoned, { SubmitFlow: 1 });
            // The delayed answer comes after an undelayed call sent after it (order, not a clock reading).
            emu.faults.add({ action: "SubmitFlow", kind: "delay", delayMs: 150, count: 1 });
            const order: string[] = [];
            const delayed = api.call("SubmitFlow", SUBMIT).then((r) => (order.push("delayed SubmitFlow"), r));
            const quick = api.call("ListFlowInstance", DESCRIBE_LIST).then((r) => (order.push("ListFlowInstance"), r));
            assert.equal((await delayed).status, 200);
            assert.equal((await quick).status, 200);
            assert.deepEqual(order, ["ListFlowInstance", "delayed SubmitFlow"]);
        });

        it("drop-before: the connection closes and no instance exists", async () => {
            emu.faults.add({ action: "SubmitFlow", kind: "drop-before", count: 1 });
            const signed = api.sign("SubmitFlow", SUBMIT);
            const err = await callError(send(emu.port, signed));
            assert.equal(err.code, "ECONNRESET");
            assert.equal(emu.instances().length, 0);
            assert.equal(emu.stats().rejected["ConnectionDropped"], 1);
            assert.deepEqual(emu.stats().abandoned, {}, "a connection the emulator drops is not a client giving up");
            // The dropped request's nonce was never consumed, so the very same bytes go through now.
            assert.equal((await send(emu.port, signed)).status, 200);
        });

        it("drop-after: the instance is created but the answer never arrives", async () => {
            emu.faults.add({ action: "SubmitFlow", kind: "drop-after", count: 1 });
            const err = await callError(api.call("SubmitFlow", SUBMIT));
            assert.equal(err.code, "ECONNRESET");
            assert.equal(emu.instances().length, 1);
            assert.equal(emu.instances()[0]!.status, "PREP");
        });

        it("probability with a seed hits the same calls every time, about the requested share", async () => {
            const run = async () => {
                emu.reset();
                emu.faults.add({ action: "ListFlowInstance", kind: "http503", probability: 0.3, seed: 42 });
                const codes: number[] = [];
                for (let i = 0; i < 40; i++) codes.push((await api.call("ListFlowInstance", DESCRIBE_LIST)).status);
                return codes;
            };
            const first = await run();
            const second = await run();
            assert.deepEqual(first, second);
            const failed = first.filter((s) => s === 503).length;
            assert.ok(failed >= 4 && failed <= 20, `${failed} of 40 failed`);
            assert.ok(first.every((s) => s === 200 || s === 503));
            assert.equal(emu.faults.list()[0]!.hits, failed);
        });

        it("rejects invalid fault rules with 400 and adds none of a bad batch", async () => {
            for (const bad of [{ kind: "explode" }, { kind: "throttle", count: 0 }, { kind: "throttle", probability: 2 }, "not json", [{ kind: "throttle" }, { kind: "nope" }]]) {
                const res = await control(emu, "POST", "faults", bad);
                assert.equal(res.status, 400, JSON.stringify(bad));
                assert.equal(typeof res.json["error"], "string");
            }
            assert.deepEqual(emu.faults.list(), []);
            assert.throws(() => emu.faults.add({ kind: "delay", delayMs: -1 }), /invalid fault rule/);
        });

        it("clears faults with DELETE", async () => {
            emu.faults.add({ kind: "throttle" });
            assert.deepEqual((await control(emu, "DELETE", "faults")).json, { cleared: 1 });
            assert.equal((await api.call("SubmitFlow", SUBMIT)).status, 200);
        });
    });

    describe("rate limit and latency", () => {
        it("answers Throttling.User beyond the rate limit within a second", async () => {
            emu.configure({ rateLimitPerSecond: 3 });
            const results = await Promise.all(Array.from({ length: 6 }, () => api.call("ListFlowInstance", DESCRIBE_LIST)));
            assert.equal(results.filter((r) => r.status === 200).length, 3);
            assert.ok(results.filter((r) => r.status !== 200).every((r) => r.status === 400 && r.json["Code"] === "Throttling.User"));
            const cfg = await control(emu, "POST", "config", { rateLimitPerSecond: null });
            assert.equal(cfg.json["rateLimitPerSecond"], null);
            assert.equal((await api.call("ListFlowInstance", DESCRIBE_LIST)).status, 200);
        });

        it("adds latency to every action, with per-action overrides", async () => {
            emu.configure({ latencyMs: 300, actionLatencyMs: { ListFlowInstance: 0 } });
            // Sent first, answered last: SubmitFlow waits its latency, ListFlowInstance (overridden to 0) does not.
            const order: string[] = [];
            const submit = api.ok("SubmitFlow", SUBMIT).then(() => order.push("SubmitFlow"));
            const list = api.ok("ListFlowInstance", DESCRIBE_LIST).then(() => order.push("ListFlowInstance"));
            await Promise.all([submit, list]);
            assert.deepEqual(order, ["ListFlowInstance", "SubmitFlow"]);
        });

        it("rejects a bad configuration", async () => {
            assert.equal((await control(emu, "POST", "config", { timeScale: 0 })).status, 400);
            assert.equal((await control(emu, "POST", "config", { latency: 5 })).status, 400);
            assert.throws(() => emu.configure({ latencyMs: -1 }), RangeError);
        });
    });

    describe("concurrency", () => {
        it("gives 50 parallel SubmitFlow calls 50 distinct IDs and counts them all as running at once", async () => {
            const results = await Promise.all(Array.from({ length: 50 }, () => api.ok("SubmitFlow", { ...SUBMIT, FlowId: DEMO_IDS.longFlowId })));
            const ids = new Set(results.map((r) => r["Id"]));
            assert.equal(ids.size, 50);
            assert.equal(emu.instances().length, 50);
            assert.equal(emu.stats().calls["SubmitFlow"], 50);
            assert.equal(emu.stats().maxConcurrentRunning, 50);
        });
    });

    describe("malformed input", () => {
        const raw = (bytes: string) =>
            new Promise<string>((resolve) => {
                const socket = connect(emu.port, "127.0.0.1", () => socket.end(bytes));
                let text = "";
                socket.on("data", (d: Buffer) => (text += d.toString("utf8")));
                socket.on("close", () => resolve(text));
                socket.on("error", () => resolve(text));
            });

        it("answers an HTTP/1.1 request without Host with an API error body, and HTTP/1.0 without Host normally", async () => {
            const noHost = await raw("POST /?Action=SubmitFlow&Version=2016-04-08 HTTP/1.1\r\nContent-Length: 0\r\n\r\n");
            assert.match(noHost, /^HTTP\/1\.1 400/);
            const body = JSON.parse(noHost.slice(noHost.indexOf("\r\n\r\n") + 4)) as Record<string, unknown>;
            assert.equal(body["Code"], "InvalidRequest");
            assert.match(String(body["Message"]), /Host header/);
            assert.match(String(body["RequestId"]), /^[0-9A-F-]{36}$/);
            // HTTP/1.0 has no Host requirement: the request goes on to the signature check.
            const old = await raw("POST /?Action=SubmitFlow&Version=2016-04-08 HTTP/1.0\r\nContent-Length: 0\r\n\r\n");
            assert.match(old, /"Code":"IncompleteSignature"/);
        });

        it("answers garbage HTTP, bad escapes, huge bodies, wrong paths and methods with errors, and keeps serving", async () => {
            assert.match(await raw("THIS IS NOT HTTP\r\n\r\n"), /^HTTP\/1\.1 400/);
            assert.match(await raw(`GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${"a".repeat(70_000)}\r\n\r\n`), /^HTTP\/1\.1 431/);

            const badEscape = await send(emu.port, { method: "POST", path: "/?Action=SubmitFlow&RegionId=%E0%A4%A", headers: {}, body: "" });
            assert.deepEqual([badEscape.status, badEscape.json["Code"]], [400, "InvalidRequest"]);

            const huge = await send(emu.port, { method: "POST", path: "/?Action=SubmitFlow", headers: { "content-type": "application/x-www-form-urlencoded" }, body: "a=".padEnd(2 * 1024 * 1024, "b") }).catch((err: Error) => err);
            // The answer comes while the client is still writing; a client may see the reset first.
            if (huge instanceof Error) assert.match((huge as NodeJS.ErrnoException).code ?? "", /^(ECONNRESET|EPIPE)$/);
            else assert.deepEqual([huge.status, huge.json["Code"]], [413, "RequestTooLarge"]);

            const wrongPath = await send(emu.port, { method: "POST", path: "/v1/flows", headers: {}, body: "" });
            assert.deepEqual([wrongPath.status, wrongPath.json["Code"]], [404, "InvalidAction.NotFound"]);
            const put = await send(emu.port, { method: "PUT", path: "/?Action=SubmitFlow", headers: {}, body: "" });
            assert.deepEqual([put.status, put.json["Code"]], [400, "UnsupportedHTTPMethod"]);
            const noAction = await send(emu.port, { method: "POST", path: "/", headers: {}, body: "" });
            assert.deepEqual([noAction.status, noAction.json["Code"]], [400, "MissingParameter"]);
            const unsigned = await send(emu.port, { method: "POST", path: "/?Action=SubmitFlow&Version=2016-04-08", headers: {}, body: "" });
            assert.deepEqual([unsigned.status, unsigned.json["Code"]], [400, "IncompleteSignature"]);
            const junkAuth = await send(emu.port, { method: "POST", path: "/?Action=SubmitFlow&Version=2016-04-08", headers: { authorization: "Bearer ,,,==,;" }, body: "" });
            assert.equal(junkAuth.json["Code"], "IncompleteSignature");
            const noVersion = await send(emu.port, { method: "POST", path: "/?Action=SubmitFlow", headers: {}, body: "" });
            assert.deepEqual([noVersion.status, noVersion.json["Code"]], [400, "MissingParameter"]);
            assert.equal((await control(emu, "GET", "nothing-here")).status, 404);

            assert.equal((await api.call("SubmitFlow", SUBMIT)).status, 200, "still serving");
        });
    });

    describe("control API and inspection", () => {
        it("lists instances and stats over HTTP with the same data as the in-process API, and resets", async () => {
            const id = String((await api.ok("SubmitFlow", { ...SUBMIT, Conf: '{"cyctime":"1"}' }))["Id"]);
            const instances = (await control(emu, "GET", "instances")).json["instances"] as { id: string; conf: unknown; flowId: string; status: string }[];
            assert.deepEqual(instances, JSON.parse(JSON.stringify(emu.instances())));
            assert.deepEqual([instances[0]!.id, instances[0]!.flowId, instances[0]!.conf], [id, DEMO_IDS.succeedingFlowId, { cyctime: "1" }]);
            const stats = (await control(emu, "GET", "stats")).json;
            assert.deepEqual(stats, { calls: { SubmitFlow: 1 }, maxConcurrentRunning: 1, rejected: {}, abandoned: {} });
            assert.deepEqual((await control(emu, "POST", "reset")).json, { reset: true });
            assert.deepEqual(emu.instances(), []);
            assert.deepEqual(emu.stats().calls, {});
        });
    });

    describe("seeds", () => {
        it("rejects an invalid seed with a message naming the bad field", () => {
            assert.throws(
                () => parseSeed({ projects: [{ id: "FP-1", regionId: "cn-hangzhou", flows: [{ id: "F-D3M0000000000001", name: "x", nodes: [] }] }] }),
                (err: Error) => err instanceof SeedError && /projects\[0\]\.id/.test(err.message) && /nodes/.test(err.message),
            );
            assert.throws(() => parseSeed({ projects: [{ ...DEMO_SEED.projects[0]!, flows: [DEMO_SEED.projects[0]!.flows[0]!, DEMO_SEED.projects[0]!.flows[0]!] }] }), /duplicate flow ID/);
        });

        it("rejects a dependsOn that names no other flow of the same project", () => {
            const [first, second] = DEMO_SEED.projects[0]!.flows;
            assert.doesNotThrow(() => parseSeed({ projects: [{ ...DEMO_SEED.projects[0]!, flows: [first!, { ...second!, dependsOn: [first!.id] }] }] }));
            assert.throws(
                () => parseSeed({ projects: [{ ...DEMO_SEED.projects[0]!, flows: [first!, { ...second!, dependsOn: ["F-NOPE000000000001"] }] }] }),
                (err: Error) => err instanceof SeedError && /flows\[1\]\.dependsOn\[0\]/.test(err.message) && /F-NOPE000000000001 is not another flow/.test(err.message),
            );
            assert.throws(() => parseSeed({ projects: [{ ...DEMO_SEED.projects[0]!, flows: [{ ...first!, dependsOn: [first!.id] }] }] }), /is not another flow/);
        });

        it("serves the demo project: the fail-once flow fails, then a failed-only rerun succeeds", async () => {
            let now = Date.UTC(2026, 5, 1);
            const demo = await startEmulator({ now: () => now });
            try {
                const caller = new EmulatorCaller(demo.port, KEY);
                const id = String((await caller.ok("SubmitFlow", { ...SUBMIT, FlowId: DEMO_IDS.failOnceFlowId }))["Id"]);
                now += 60_000;
                assert.equal((await caller.ok("DescribeFlowInstance", { ...DESCRIBE_LIST, Id: id }))["Status"], "FAILED");
                await caller.ok("RerunFlow", { ...DESCRIBE_LIST, FlowInstanceId: id, ReRunFail: "true" });
                now += 60_000;
                assert.equal((await caller.ok("DescribeFlowInstance", { ...DESCRIBE_LIST, Id: id }))["Status"], "SUCCEEDED");
                const always = String((await caller.ok("SubmitFlow", { ...SUBMIT, FlowId: DEMO_IDS.alwaysFailingFlowId }))["Id"]);
                now += 60_000;
                await caller.ok("RerunFlow", { ...DESCRIBE_LIST, FlowInstanceId: always, ReRunFail: "true" });
                now += 60_000;
                assert.equal((await caller.ok("DescribeFlowInstance", { ...DESCRIBE_LIST, Id: always }))["Status"], "FAILED");
                const long = String((await caller.ok("SubmitFlow", { ...SUBMIT, FlowId: DEMO_IDS.longFlowId }))["Id"]);
                now += 100_000;
                assert.equal((await caller.ok("DescribeFlowInstance", { ...DESCRIBE_LIST, Id: long }))["Status"], "RUNNING");
                now += 30_000;
                assert.equal((await caller.ok("DescribeFlowInstance", { ...DESCRIBE_LIST, Id: long }))["Status"], "SUCCEEDED");
            } finally {
                await demo.close();
            }
        });
    });
});
