/**
 * Alibaba's own Node client, `@alicloud/pop-core` (RPC, HMAC-SHA1), talking to the emulator with
 * GET (parameters in the query) and with POST (every parameter and the signature in a form
 * body). Nothing of this package's client is involved: if the emulator only agreed with our own
 * client, these would fail.
 */
import { strict as assert } from "assert";
import { startEmulator, DEMO_IDS, type RunningEmulator } from "../../emulator";

interface PopRequestOptions {
    method?: "GET" | "POST";
    timeout?: number;
}
interface PopClient {
    request(action: string, params: Record<string, unknown>, opts?: PopRequestOptions): Promise<Record<string, unknown>>;
}
type PopClientClass = new (config: { accessKeyId: string; accessKeySecret: string; endpoint: string; apiVersion: string }) => PopClient;

// pop-core ships no type declarations.
const RPCClient = require("@alicloud/pop-core") as PopClientClass;

const KEY_ID = "pop-core-key";
const SECRET = "pop-core-secret-5t6y7u";
const IDS = { RegionId: DEMO_IDS.regionId, ProjectId: DEMO_IDS.projectId };

describe("@alicloud/pop-core 1.8.0 against the emulator", () => {
    let emu: RunningEmulator;
    let now = Date.UTC(2026, 4, 1);
    before(async () => {
        emu = await startEmulator({ accessKeyId: KEY_ID, accessKeySecret: SECRET, now: () => now });
    });
    after(() => emu.close());
    beforeEach(() => emu.reset());

    const client = (secret = SECRET) => new RPCClient({ accessKeyId: KEY_ID, accessKeySecret: secret, endpoint: emu.url, apiVersion: "2016-04-08" });

    it("has the pinned version", () => {
        assert.equal((require("@alicloud/pop-core/package.json") as { version: string }).version, "1.8.0");
    });

    for (const method of ["GET", "POST"] as const) {
        describe(method, () => {
            it("submits, describes, lists (StatusList as an array) and reruns a run", async () => {
                const pop = client();
                const conf = JSON.stringify({ cyctime: "1542783967503", "odd (chars)!": "it's a*b" });
                const submitted = await pop.request("SubmitFlow", { ...IDS, FlowId: DEMO_IDS.failOnceFlowId, Conf: conf }, { method });
                const id = String(submitted["Id"]);
                assert.match(id, /^FI-[0-9A-F]{16}$/);
                assert.deepEqual(emu.instances().map((i) => [i.id, i.conf]), [[id, JSON.parse(conf)]]);

                now += 60_000;
                const described = await pop.request("DescribeFlowInstance", { ...IDS, Id: id }, { method });
                assert.deepEqual([described["Id"], described["Status"], described["ScheduleTime"]], [id, "FAILED", 1542783967503]);
                const nodes = (described["NodeInstance"] as { NodeInstance: Record<string, unknown>[] }).NodeInstance;
                assert.deepEqual(nodes.map((n) => [n["NodeName"], n["Status"], n["ExternalStatus"]]), [["prepare", "SUCCESS", "SUCCESS"], ["aggregate", "FAILED", "FAILED"]]);

                const listed = await pop.request("ListFlowInstance", { ...IDS, StatusList: ["FAILED", "RUNNING"], PageSize: 10 }, { method });
                assert.equal(listed["Total"], 1);
                assert.deepEqual((listed["FlowInstances"] as { FlowInstance: { Id: string }[] }).FlowInstance.map((f) => f.Id), [id]);

                const rerun = await pop.request("RerunFlow", { ...IDS, FlowInstanceId: id, ReRunFail: true }, { method });
                assert.equal(rerun["Data"], true);
                now += 60_000;
                assert.equal((await pop.request("DescribeFlowInstance", { ...IDS, Id: id }, { method }))["Status"], "SUCCEEDED");
                assert.deepEqual(emu.instances()[0]!.events.map((e) => e.kind), ["rerun"]);
            });

            it("gets SignatureDoesNotMatch for a wrong secret, as the error pop-core throws", async () => {
                const err = (await client("not-the-secret").request("SubmitFlow", { ...IDS, FlowId: DEMO_IDS.succeedingFlowId }, { method }).catch((e: unknown) => e)) as { name?: string; code?: string; data?: Record<string, unknown> };
                assert.equal(err.code, "SignatureDoesNotMatch");
                assert.equal(err.name, "SignatureDoesNotMatchError");
                assert.equal(emu.instances().length, 0);
            });

            it("gets InvalidAction.NotFound for KillFlow, which no current SDK has", async () => {
                const id = String((await client().request("SubmitFlow", { ...IDS, FlowId: DEMO_IDS.longFlowId }, { method }))["Id"]);
                const err = (await client().request("KillFlow", { ...IDS, FlowInstanceId: id }, { method }).catch((e: unknown) => e)) as { code?: string };
                assert.equal(err.code, "InvalidAction.NotFound");
                const suspended = await client().request("SuspendFlow", { ...IDS, FlowInstanceId: id }, { method });
                assert.equal(suspended["Data"], true);
            });
        });
    }
});
