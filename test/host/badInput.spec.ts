/**
 * Malformed FlowSubmission inputs, sent to `check()` through the real dynamic provider host as the
 * engine sends them at preview: every one is rejected with the property named, and the emulator
 * behind the configured endpoint sees no call at all.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { startEmulator, DEMO_IDS, type RunningEmulator } from "../../emulator";
import { ProviderHost, secret, urnFor, type PropertyMap } from "../engine-imitation";
import { hostEnv, TEST_KEY_ID, TEST_KEY_SECRET } from "../support/testEnv";

const ROOT = path.resolve(__dirname, "..", "..");
const PROJECT = "emr-flow-bad-input";
const TYPE = "pulumi-nodejs:dynamic/emr-flow:FlowSubmission";
// What the SDK's shim does: load the provider by package name inside the host.
const PROVIDER = `exports.handler = () => require("pulumi-emr-flow/provider").flowSubmissionProvider;`;

const good: PropertyMap = { projectId: DEMO_IDS.projectId, flowId: DEMO_IDS.succeedingFlowId, regionId: DEMO_IDS.regionId };
const without = (key: string): PropertyMap => Object.fromEntries(Object.entries(good).filter(([k]) => k !== key));

/** [what is wrong, the inputs, the property the failure must name] */
const ROWS: [string, PropertyMap, string][] = [
    // project IDs
    ["projectId missing", without("projectId"), "projectId"],
    ["projectId empty", { ...good, projectId: "" }, "projectId"],
    ["projectId too short", { ...good, projectId: "FP-123" }, "projectId"],
    ["projectId too long", { ...good, projectId: "FP-0123456789ABCDEF0" }, "projectId"],
    ["projectId lower case", { ...good, projectId: "fp-0123456789abcdef" }, "projectId"],
    ["projectId with a unicode numeral", { ...good, projectId: "FP-0123456789ABCDEⅨ" }, "projectId"],
    ["projectId with a leading space", { ...good, projectId: " FP-0123456789ABCDEF" }, "projectId"],
    ["projectId a number", { ...good, projectId: 123456 }, "projectId"],
    ["projectId null", { ...good, projectId: null }, "projectId"],
    ["projectId an array", { ...good, projectId: [DEMO_IDS.projectId] }, "projectId"],
    // flow IDs
    ["flowId missing", without("flowId"), "flowId"],
    ["flowId empty", { ...good, flowId: "" }, "flowId"],
    ["flowId too short", { ...good, flowId: "F-01234" }, "flowId"],
    ["flowId far too long", { ...good, flowId: `F-${"A".repeat(300)}` }, "flowId"],
    ["flowId is an instance ID", { ...good, flowId: "FI-0123456789ABCDEF" }, "flowId"],
    ["flowId in full-width digits", { ...good, flowId: "F-０１２３４５６７８９ABCDEF" }, "flowId"],
    ["flowId a boolean", { ...good, flowId: true }, "flowId"],
    ["flowId an object", { ...good, flowId: { id: DEMO_IDS.succeedingFlowId } }, "flowId"],
    // regions
    ["a region with an underscore", { ...good, regionId: "cn_atlantis" }, "regionId"],
    ["a region of the wrong shape", { ...good, regionId: "Hangzhou" }, "regionId"],
    ["an empty region", { ...good, regionId: "" }, "regionId"],
    ["a region with a trailing space", { ...good, regionId: "cn-hangzhou " }, "regionId"],
    ["a region in unicode", { ...good, regionId: "中国-杭州" }, "regionId"],
    ["a region as a number", { ...good, regionId: 42 }, "regionId"],
    // conf, as a whole
    ["conf a string", { ...good, conf: "bizdate=20261127" }, "conf"],
    ["conf an array", { ...good, conf: ["bizdate", "20261127"] }, "conf"],
    ["conf a number", { ...good, conf: 7 }, "conf"],
    ["conf huge (one value over 16 KiB)", { ...good, conf: { blob: "x".repeat(20_000) } }, "conf"],
    ["conf huge (many keys over 16 KiB)", { ...good, conf: Object.fromEntries(Array.from({ length: 400 }, (_, i) => [`k${i}`, "v".repeat(50)])) }, "conf"],
    // conf values and keys
    ["a conf value that is a number", { ...good, conf: { bizdate: 20261127 } }, "conf.bizdate"],
    ["a conf value that is a boolean", { ...good, conf: { full: true } }, "conf.full"],
    ["a conf value that is an object", { ...good, conf: { nested: { a: "b" } } }, "conf.nested"],
    ["a conf value that is a list", { ...good, conf: { days: ["mon"] } }, "conf.days"],
    ["a conf value that is null", { ...good, conf: { gone: null } }, "conf.gone"],
    ["a conf key with a space", { ...good, conf: { "biz date": "1" } }, "conf.biz date"],
    ["an empty conf key", { ...good, conf: { "": "1" } }, "conf."],
    ["a conf key in unicode", { ...good, conf: { ключ: "1" } }, "conf.ключ"],
    ["a conf key over 128 characters", { ...good, conf: { [`k${"e".repeat(128)}`]: "1" } }, `conf.k${"e".repeat(128)}`],
    // cyctime
    ["cyctime a word", { ...good, conf: { cyctime: "yesterday" } }, "conf.cyctime"],
    ["cyctime without a zone", { ...good, conf: { cyctime: "2026-11-28T00:00:00" } }, "conf.cyctime"],
    ["cyctime in seconds", { ...good, conf: { cyctime: 1542783967 } }, "conf.cyctime"],
    ["cyctime a date that does not exist", { ...good, conf: { cyctime: "2026-13-45" } }, "conf.cyctime"],
    ["cyctime a boolean", { ...good, conf: { cyctime: true } }, "conf.cyctime"],
    ["cyctime a fraction of a millisecond", { ...good, conf: { cyctime: 1764288000000.5 } }, "conf.cyctime"],
    // the other inputs
    ["waitFor unknown", { ...good, waitFor: "forever" }, "waitFor"],
    ["waitFor a number", { ...good, waitFor: 1 }, "waitFor"],
    ["timeoutSeconds negative", { ...good, timeoutSeconds: -1 }, "timeoutSeconds"],
    ["timeoutSeconds fractional", { ...good, timeoutSeconds: 1.5 }, "timeoutSeconds"],
    ["timeoutSeconds a string", { ...good, timeoutSeconds: "60" }, "timeoutSeconds"],
    ["timeoutSeconds over seven days", { ...good, timeoutSeconds: 1e9 }, "timeoutSeconds"],
    ["killOnDelete a string", { ...good, killOnDelete: "yes" }, "killOnDelete"],
    ["triggers not a list", { ...good, triggers: "v2" }, "triggers"],
    // unknown fields
    ["an unknown field", { ...good, flowName: "nightly" }, "flowName"],
    ["a misspelled field", { ...without("projectId"), projectID: DEMO_IDS.projectId }, "projectID"],
    ["an output given as an input", { ...good, instanceId: "FI-0123456789ABCDEF" }, "instanceId"],
];

describe("bad input: every malformed FlowSubmission is rejected by check() before any call", function () {
    this.timeout(60_000);
    let emu: RunningEmulator;
    let host: ProviderHost;
    let home: string;

    before(async () => {
        emu = await startEmulator({ accessKeyId: TEST_KEY_ID, accessKeySecret: TEST_KEY_SECRET });
        home = fs.mkdtempSync(path.join(os.tmpdir(), "emr-flow-bad-"));
        host = await ProviderHost.start({ cwd: ROOT, project: PROJECT, stack: "dev", env: hostEnv(home) });
        await host.configure({ "alicloud:accessKey": TEST_KEY_ID, "alicloud:secretKey": secret(TEST_KEY_SECRET), "emr-flow:endpoint": emu.url });
    });
    after(async () => {
        await host?.stop();
        await emu?.close();
        fs.rmSync(home, { recursive: true, force: true });
    });

    for (const [what, inputs, property] of ROWS) {
        it(`rejects ${what}, naming ${property.length > 40 ? `${property.slice(0, 40)}…` : property}`, async () => {
            const urn = urnFor(`bad-${ROWS.findIndex((r) => r[0] === what)}`, PROJECT, "dev", TYPE);
            const result = await host.check(urn, {}, { ...inputs, __provider: PROVIDER });
            const named = result.failures.find((f) => f.property === property);
            assert.ok(named, `no failure names ${property}: ${JSON.stringify(result.failures)}`);
            assert.ok(named.reason.length > 10, `the reason says what is wrong: ${named.reason}`);
            // Checked after this row's check() answered: the emulator saw no call at all.
            assert.deepEqual(emu.stats().calls, {});
            assert.equal(emu.instances().length, 0);
        });
    }

    it("accepts the well-formed inputs the rows start from (the table tests the inputs, not the setup)", async () => {
        const result = await host.check(urnFor("good", PROJECT, "dev", TYPE), {}, { ...good, __provider: PROVIDER });
        assert.deepEqual(result.failures, []);
        assert.deepEqual(emu.stats().calls, {});
    });
});
