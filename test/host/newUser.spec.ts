/**
 * What a new user meets first, through the real dynamic provider host: times that do not exist,
 * regions the package does not list, a conf too large once encoded, errors that must say what was
 * given and what is accepted, provider settings that are wrong before any call, an answer that
 * says the request was too large, and a deadline that holds while the service hangs.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as http from "http";
import * as os from "os";
import * as path from "path";
import * as querystring from "querystring";
import { startEmulator, DEMO_IDS, DEMO_SEED, type RunningEmulator } from "../../emulator";
import { HostCallError, ProviderHost, secret, urnFor, type PropertyMap } from "../engine-imitation";
import { hostEnv, TEST_KEY_ID, TEST_KEY_SECRET } from "../support/testEnv";

const ROOT = path.resolve(__dirname, "..", "..");
const PROJECT = "emr-flow-new-user";
const TYPE = "pulumi-nodejs:dynamic/emr-flow:FlowSubmission";
const PROVIDER = `exports.handler = () => require("pulumi-emr-flow/provider").flowSubmissionProvider;`;
const good: PropertyMap = { projectId: DEMO_IDS.projectId, flowId: DEMO_IDS.succeedingFlowId, regionId: DEMO_IDS.regionId };
let seq = 0;
const urn = (): string => urnFor(`new-user-${seq++}`, PROJECT, "dev", TYPE);

async function startHost(home: string, env: NodeJS.ProcessEnv = {}): Promise<ProviderHost> {
    return ProviderHost.start({ cwd: ROOT, project: PROJECT, stack: "dev", env: hostEnv(home, env) });
}

function failureOf(failures: { property: string; reason: string }[], property: string): string {
    const found = failures.find((f) => f.property === property);
    assert.ok(found, `no failure names ${property}: ${JSON.stringify(failures)}`);
    return found.reason;
}

describe("a new user's inputs, through the real provider host", function () {
    this.timeout(60_000);
    let emu: RunningEmulator;
    let host: ProviderHost;
    let home: string;

    before(async () => {
        emu = await startEmulator({
            accessKeyId: TEST_KEY_ID,
            accessKeySecret: TEST_KEY_SECRET,
            timeScale: 0.01,
            seed: { ...DEMO_SEED, projects: [...DEMO_SEED.projects, { id: "FP-0000000000000W1R", regionId: "cn-wuhan-lr", flows: [DEMO_SEED.projects[0].flows[0]].map((f) => ({ ...f, id: "F-0000000000000W1R" })) }] },
        });
        home = fs.mkdtempSync(path.join(os.tmpdir(), "emr-flow-new-user-"));
        host = await startHost(home);
        await host.configure({ "alicloud:accessKey": TEST_KEY_ID, "alicloud:secretKey": secret(TEST_KEY_SECRET), "emr-flow:endpoint": emu.url });
    });
    after(async () => {
        await host?.stop();
        await emu?.close();
        fs.rmSync(home, { recursive: true, force: true });
    });

    describe("cyctime: one strict parser", () => {
        for (const text of ["2026-02-30", "2026-04-31T12:00+08:00", "2026-02-29T00:00:00Z"]) {
            it(`rejects ${text}, a date that does not exist, instead of moving it`, async () => {
                const r = await host.check(urn(), {}, { ...good, conf: { cyctime: text }, __provider: PROVIDER });
                const reason = failureOf(r.failures, "conf.cyctime");
                assert.match(reason, /is not a date that exists/);
                assert.ok(reason.includes(text), reason);
            });
        }

        it("accepts up to 9 fractional digits when those past the millisecond are zero, and says so when they are not", async () => {
            const ok = await host.check(urn(), {}, { ...good, conf: { cyctime: "2026-11-28T00:00:00.123000Z" }, __provider: PROVIDER });
            assert.deepEqual(ok.failures, []);
            assert.equal((ok.inputs.conf as Record<string, string>).cyctime, String(Date.UTC(2026, 10, 28) + 123));
            const fine = await host.check(urn(), {}, { ...good, conf: { cyctime: "2026-11-28T00:00:00.1234Z" }, __provider: PROVIDER });
            assert.match(failureOf(fine.failures, "conf.cyctime"), /finer than a millisecond/);
            const long = await host.check(urn(), {}, { ...good, conf: { cyctime: "2026-11-28T00:00:00.0000000000Z" }, __provider: PROVIDER });
            assert.match(failureOf(long.failures, "conf.cyctime"), /at most 9 fractional digits/);
        });
    });

    describe("every rejection names the property, what was given and what is accepted", () => {
        const rows: [string, PropertyMap, string, RegExp][] = [
            ["a boolean conf value", { conf: { full: true } }, "conf.full", /got true \(a boolean\); conf values must be strings/],
            ["a null conf value", { conf: { gone: null } }, "conf.gone", /got null; conf values must be strings/],
            ["an object conf value", { conf: { nested: { a: "b" } } }, "conf.nested", /got an object; conf values must be strings/],
            ["an hour 25 cyctime", { conf: { cyctime: "2026-11-28T25:00:00Z" } }, "conf.cyctime", /hour 25/],
            ["timeoutSeconds fractional", { timeoutSeconds: 2.5 }, "timeoutSeconds", /got 2.5.*at least 1 and at most 604800/],
            ["timeoutSeconds 0", { timeoutSeconds: 0 }, "timeoutSeconds", /got 0.*at least 1 and at most 604800/],
        ];
        for (const [what, inputs, property, expected] of rows) {
            it(`for ${what}`, async () => {
                const r = await host.check(urn(), {}, { ...good, ...inputs, __provider: PROVIDER });
                assert.match(failureOf(r.failures, property), expected);
            });
        }
    });

    describe("regions", () => {
        for (const regionId of ["cn-wuhan-lr", "na-south-1", "cn-beijing-finance-1"]) {
            it(`accepts ${regionId}, a well-formed region the package does not list`, async () => {
                const r = await host.check(urn(), {}, { ...good, regionId, __provider: PROVIDER });
                assert.deepEqual(r.failures, []);
            });
        }

        it("submits in such a region through the endpoint override, with a note instead of a refusal", async () => {
            const created = await host.create(urn(), { projectId: "FP-0000000000000W1R", flowId: "F-0000000000000W1R", regionId: "cn-wuhan-lr", waitFor: "submission", __provider: PROVIDER });
            assert.match(created.id, /^FI-/);
            // Output travels apart from the answer: wait for the line rather than read at once.
            await host.waitForOutput(/cn-wuhan-lr is not among the regions this package lists/);
            assert.ok(host.output().some((l) => /cn-wuhan-lr is not among the regions this package lists/.test(l)), host.output().join("\n"));
        });
    });

    describe("conf size, measured as sent", () => {
        it("rejects a 5,000-character Chinese conf at preview with its encoded size and the limit", async () => {
            const conf = { note: "中".repeat(5000) };
            const submitted = emu.stats().calls.SubmitFlow ?? 0;
            const r = await host.check(urn(), {}, { ...good, conf, __provider: PROVIDER });
            const reason = failureOf(r.failures, "conf");
            const sent = querystring.stringify({ Conf: JSON.stringify(conf) }).length;
            assert.ok(reason.includes(String(sent)), `${reason} (expected ${sent})`);
            assert.match(reason, /12288/);
            assert.equal(emu.stats().calls.SubmitFlow ?? 0, submitted);
        });
    });
});

describe("provider settings are checked at preview (check stays network-free)", function () {
    this.timeout(60_000);
    let home: string;
    before(() => {
        home = fs.mkdtempSync(path.join(os.tmpdir(), "emr-flow-settings-"));
    });
    after(() => fs.rmSync(home, { recursive: true, force: true }));

    const rows: [string, Record<string, string>, NodeJS.ProcessEnv, RegExp][] = [
        ["an ftp endpoint", { "emr-flow:endpoint": "ftp://x" }, {}, /stack config emr-flow:endpoint.*scheme "ftp"/],
        ["an endpoint with a bad port", { "emr-flow:endpoint": "localhost:abc" }, {}, /stack config emr-flow:endpoint.*port "abc"/],
        ["an endpoint from the environment", {}, { ALIBABA_CLOUD_ENDPOINT_EMR: "ftp://x" }, /environment ALIBABA_CLOUD_ENDPOINT_EMR/],
        ["half a key pair", { "alicloud:secretKey": "half-pair-secret-never-print" }, {}, /stack config alicloud:secretKey is set but stack config alicloud:accessKey is not/],
        ["a read timeout with a unit", { "emr-flow:readTimeoutMs": "30s" }, {}, /stack config emr-flow:readTimeoutMs = "30s" is not a timeout/],
        ["a signature version that does not exist", {}, { EMR_FLOW_SIGNATURE_VERSION: "v4" }, /environment EMR_FLOW_SIGNATURE_VERSION = "v4"/],
    ];
    for (const [what, config, env, expected] of rows) {
        it(`rejects ${what}, naming the setting and its source`, async () => {
            const h = await startHost(home, env);
            try {
                await h.configure(config);
                const r = await h.check(urn(), {}, { ...good, __provider: PROVIDER });
                const all = r.failures.map((f) => `${f.property}: ${f.reason}`).join("\n");
                assert.match(all, expected);
                assert.ok(!all.includes("half-pair-secret-never-print"), "no secret in the failure");
            } finally {
                await h.stop();
            }
        });
    }
});

describe("a request the server refuses as too large (HTTP 431)", function () {
    this.timeout(60_000);
    it("is reported as too large and not accepted: nothing is searched for, nothing retried", async () => {
        const actions: string[] = [];
        const server = http.createServer((req, res) => {
            actions.push(new URL(req.url ?? "/", "http://x").searchParams.get("Action") ?? String(req.headers["x-acs-action"]));
            res.writeHead(431, { "content-type": "text/html" });
            res.end("<html><body><h1>431 Request Header Fields Too Large</h1></body></html>");
        });
        await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
        const home = fs.mkdtempSync(path.join(os.tmpdir(), "emr-flow-431-"));
        const h = await startHost(home);
        try {
            const port = (server.address() as { port: number }).port;
            await h.configure({ "alicloud:accessKey": TEST_KEY_ID, "alicloud:secretKey": secret(TEST_KEY_SECRET), "emr-flow:endpoint": `http://127.0.0.1:${port}` });
            const err = await h.create(urn(), { ...good, conf: { bizdate: "20261127" }, waitFor: "submission", __provider: PROVIDER }).then(
                () => assert.fail("create succeeded"),
                (e: unknown) => e,
            );
            assert.ok(err instanceof HostCallError, String(err));
            assert.match(err.message, /too large/);
            assert.match(err.message, /not accepted/);
            assert.deepEqual(actions, ["SubmitFlow"]);
        } finally {
            await h.stop();
            server.close();
            fs.rmSync(home, { recursive: true, force: true });
        }
    });
});

describe("timeoutSeconds bounds the wait while DescribeFlowInstance hangs", function () {
    this.timeout(120_000);
    it("ends at the deadline, abandoning the hanging call, the run kept in the stack", async () => {
        const emu = await startEmulator({ accessKeyId: TEST_KEY_ID, accessKeySecret: TEST_KEY_SECRET, timeScale: 0.01 });
        const home = fs.mkdtempSync(path.join(os.tmpdir(), "emr-flow-hang-"));
        const h = await startHost(home);
        try {
            await h.configure({ "alicloud:accessKey": TEST_KEY_ID, "alicloud:secretKey": secret(TEST_KEY_SECRET), "emr-flow:endpoint": emu.url });
            // Every DescribeFlowInstance hangs far longer than this test may take (the run itself
            // ends in about a second): only the deadline can end the create.
            emu.faults.add({ action: "DescribeFlowInstance", kind: "delay", delayMs: 600_000 });
            const err = await h.create(urn(), { ...good, timeoutSeconds: 3, __provider: PROVIDER }).then(
                () => assert.fail("create succeeded"),
                (e: unknown) => e,
            );
            assert.ok(err instanceof HostCallError && err.initFailed, String(err));
            assert.match(err.initFailed.id, /^FI-/);
            // What ended it: the host gave up on the hanging call (closed its connection) instead of
            // waiting for the answer, and made no call after it.
            const stats = () => emu.stats();
            for (let i = 0; i < 200 && !stats().abandoned["DescribeFlowInstance"]; i++) await new Promise((r) => setTimeout(r, 25));
            assert.deepEqual(stats().abandoned, { DescribeFlowInstance: 1 }, "the hanging DescribeFlowInstance was abandoned");
            assert.deepEqual(stats().calls, { SubmitFlow: 1, DescribeFlowInstance: 1 });
        } finally {
            await h.stop();
            await emu.close();
            fs.rmSync(home, { recursive: true, force: true });
        }
    });
});
