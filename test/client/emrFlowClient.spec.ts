/**
 * EmrFlowClient through the real @alicloud/openapi-client against a scripted HTTP server on
 * 127.0.0.1: what goes on the wire for each action and signature version, how answers are
 * parsed, and the failures an emulator cannot easily produce (HTML from a proxy, resets,
 * refused connections, slow answers).
 */
import { strict as assert } from "assert";
import * as http from "http";
import type { AddressInfo } from "net";
import * as util from "util";
import { EmrFlowClient } from "../../provider/client/emrFlowClient";
import { staticCredentials } from "../../provider/client/credentials";
import * as net from "net";
import { EmrApiError, EmrConfigError, EmrFlowError, EmrNetworkError, EmrResponseError, SubmissionOutcomeUnknownError } from "../../provider/client/errors";
import { classifyError } from "../../provider/client/classify";
import { newNonce, nonceOf, observeWire, type WireRecord } from "../../provider/client/wire";
import type { ClientSettings } from "../../provider/client/settings";

const SECRET = "client-spec-AccessKeySecret-7q6w5e";
const TOKEN = "CAIS+client/spec=STS-token-4r3t2y";

interface Seen {
    method: string;
    url: URL;
    headers: http.IncomingHttpHeaders;
    action: string;
    params: URLSearchParams;
}

type Reply = (req: http.IncomingMessage, res: http.ServerResponse, seen: Seen) => void;

const json = (body: unknown, status = 200): Reply => (_req, res) => {
    res.statusCode = status;
    res.setHeader("content-type", "application/json;charset=utf-8");
    res.end(JSON.stringify(body));
};
const html = (status: number): Reply => (_req, res) => {
    res.statusCode = status;
    res.setHeader("content-type", "text/html");
    res.end("<html><head><title>502 Bad Gateway</title></head><body><center>502 Bad Gateway</center></body></html>");
};
const destroy: Reply = (req) => req.socket.destroy();
const slow = (ms: number, then: Reply): Reply => (req, res, seen) => {
    setTimeout(() => {
        if (!res.destroyed && !req.socket.destroyed) then(req, res, seen);
    }, ms);
};

/** A server that answers request N with replies[N] (the last one repeats). */
class Stub {
    seen: Seen[] = [];
    private server = http.createServer((req, res) => this.handle(req, res));
    constructor(private replies: Reply[]) {}

    async start(): Promise<string> {
        await new Promise<void>((resolve) => this.server.listen(0, "127.0.0.1", resolve));
        return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    }

    async stop(): Promise<void> {
        this.server.closeAllConnections();
        await new Promise<void>((resolve) => this.server.close(() => resolve()));
    }

    private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
        req.resume();
        req.on("end", () => {
            const url = new URL(req.url ?? "/", "http://stub");
            const action = (req.headers["x-acs-action"] as string | undefined) ?? url.searchParams.get("Action") ?? "";
            const seen: Seen = { method: req.method ?? "", url, headers: req.headers, action, params: url.searchParams };
            this.seen.push(seen);
            const reply = this.replies[Math.min(this.seen.length - 1, this.replies.length - 1)];
            reply(req, res, seen);
        });
    }
}

const noSleep = { sleep: async () => undefined };

function settings(endpoint: string, extra: Partial<ClientSettings> = {}): ClientSettings {
    return { regionId: "cn-hangzhou", endpoint, credentials: staticCredentials("AKIDCLIENTSPEC", SECRET, TOKEN, "explicit accessKeyId"), ...extra };
}

async function withStub(replies: Reply[], fn: (stub: Stub, endpoint: string) => Promise<void>): Promise<void> {
    const stub = new Stub(replies);
    const endpoint = await stub.start();
    try {
        await fn(stub, endpoint);
    } finally {
        await stub.stop();
    }
}

function assertNoSecret(err: unknown): void {
    const e = err as EmrFlowError;
    for (const text of [e.message, String(e.stack), JSON.stringify(e), util.inspect(e, { depth: 10, showHidden: true }), util.inspect(e.cause, { depth: 10, showHidden: true })]) {
        for (const secret of [SECRET, TOKEN, encodeURIComponent(TOKEN)]) assert.ok(!text.includes(secret), `secret leaked: ${text}`);
    }
}

/** Whether an object holds an `undefined` value anywhere (the Pulumi engine rejects those). */
function hasUndefined(value: unknown): boolean {
    if (value === undefined) return true;
    if (Array.isArray(value)) return value.some(hasUndefined);
    if (value && typeof value === "object") return Object.values(value).some(hasUndefined);
    return false;
}

const describeBody = {
    RequestId: "RID-D",
    Id: "FI-0000000000000001",
    FlowId: "F-D3M0000000000001",
    FlowName: "demo",
    ProjectId: "FP-D3M0000000000001",
    Status: "RUNNING",
    ClusterId: "C-0000000000000001",
    GmtCreate: 1700000000000,
    GmtModified: "1700000005000",
    StartTime: "1700000001000",
    EndTime: "",
    Duration: null,
    HasNodeFailed: false,
    Graph: "{}",
    DependencyFlowList: { ParentFlow: [] },
    NodeInstance: {
        NodeInstance: [
            { Id: "FNI-1", NodeName: "extract", JobId: "FJ-1", JobName: "extract", JobType: "SPARK", Status: "SUCCESS", StartTime: 1700000001000, EndTime: "1700000002000", Duration: 1000, Retries: 0, ExternalId: "application_1_1", ExternalStatus: "SUCCEEDED", ExternalInfo: "" },
            { Id: "FNI-2", NodeName: "load", JobId: "FJ-2", JobType: "HIVE", Status: "RUNNING", Retries: "1" },
        ],
    },
};

describe("EmrFlowClient on the wire", () => {
    for (const signatureVersion of ["v3", "v2"] as const) {
        describe(`with signature ${signatureVersion}`, () => {
            it("sends every action as RPC POST / with RegionId, the version and the business parameters", async () => {
                await withStub(
                    [
                        json({ RequestId: "RID-S", Id: "FI-0000000000000001", InstanceId: "FI-0000000000000001", Data: "FI-0000000000000001" }),
                        json(describeBody),
                        json({ RequestId: "RID-L", Total: 1, PageNumber: 2, PageSize: 5, FlowInstances: { FlowInstance: [{ Id: "FI-0000000000000001", Status: "FAILED", FlowId: "F-1", GmtCreate: "1700000000000", HasNodeFailed: "true" }] } }),
                        json({ RequestId: "RID-K", Data: true }),
                        json({ RequestId: "RID-P", Data: true }),
                        json({ RequestId: "RID-R", Data: false }),
                        json({ RequestId: "RID-RR", Data: true }),
                    ],
                    async (stub, endpoint) => {
                        const client = new EmrFlowClient(settings(endpoint, { signatureVersion }), noSleep);
                        const ref = { projectId: "FP-D3M0000000000001", instanceId: "FI-0000000000000001" };
                        assert.deepEqual(await client.submitFlow({ projectId: "FP-D3M0000000000001", flowId: "F-D3M0000000000001", conf: { cyctime: "1542783967503" } }), {
                            requestId: "RID-S",
                            instanceId: "FI-0000000000000001",
                        });
                        const instance = await client.describeFlowInstance(ref);
                        const list = await client.listFlowInstances({
                            regionId: "cn-shanghai",
                            projectId: "FP-D3M0000000000001",
                            flowId: "F-1",
                            statuses: ["RUNNING", "FAILED"],
                            createdFrom: 1,
                            createdTo: 2,
                            orderBy: "start_time",
                            orderType: "DESC",
                            pageNumber: 2,
                            pageSize: 5,
                        });
                        assert.deepEqual(await client.killFlow(ref), { requestId: "RID-K", accepted: true });
                        assert.deepEqual(await client.suspendFlow(ref), { requestId: "RID-P", accepted: true });
                        assert.deepEqual(await client.resumeFlow(ref), { requestId: "RID-R", accepted: false });
                        assert.deepEqual(await client.rerunFlow({ ...ref, failedOnly: true }), { requestId: "RID-RR", accepted: true });

                        assert.deepEqual(
                            stub.seen.map((s) => s.action),
                            ["SubmitFlow", "DescribeFlowInstance", "ListFlowInstance", "KillFlow", "SuspendFlow", "ResumeFlow", "RerunFlow"],
                        );
                        for (const s of stub.seen) {
                            assert.equal(s.method, "POST");
                            assert.equal(s.url.pathname, "/");
                            assert.ok(s.params.get("RegionId"), `RegionId on ${s.action}`);
                            if (signatureVersion === "v3") {
                                assert.equal(s.headers["x-acs-version"], "2016-04-08");
                                assert.match(String(s.headers.authorization), /^ACS3-HMAC-SHA256 Credential=AKIDCLIENTSPEC,SignedHeaders=/);
                                assert.equal(s.headers["x-acs-security-token"], TOKEN);
                            } else {
                                assert.equal(s.params.get("Version"), "2016-04-08");
                                assert.equal(s.params.get("SignatureMethod"), "HMAC-SHA1");
                                assert.equal(s.params.get("SignatureVersion"), "1.0");
                                assert.equal(s.params.get("AccessKeyId"), "AKIDCLIENTSPEC");
                                assert.equal(s.params.get("SecurityToken"), TOKEN);
                            }
                        }
                        const [submit, describe, listed, kill, , , rerun] = stub.seen;
                        assert.equal(submit.params.get("ProjectId"), "FP-D3M0000000000001");
                        assert.equal(submit.params.get("FlowId"), "F-D3M0000000000001");
                        assert.deepEqual(JSON.parse(submit.params.get("Conf") ?? ""), { cyctime: "1542783967503" });
                        assert.equal(describe.params.get("Id"), "FI-0000000000000001");
                        assert.equal(describe.params.get("RegionId"), "cn-hangzhou");
                        assert.equal(listed.params.get("RegionId"), "cn-shanghai");
                        assert.equal(listed.params.get("StatusList.1"), "RUNNING");
                        assert.equal(listed.params.get("StatusList.2"), "FAILED");
                        assert.deepEqual(JSON.parse(listed.params.get("TimeRange") ?? ""), { type: "range", from: 1, to: 2 });
                        assert.equal(listed.params.get("OrderBy"), "start_time");
                        assert.equal(listed.params.get("OrderType"), "DESC");
                        assert.equal(listed.params.get("PageNumber"), "2");
                        assert.equal(listed.params.get("PageSize"), "5");
                        assert.equal(kill.params.get("FlowInstanceId"), "FI-0000000000000001");
                        assert.equal(kill.params.get("ProjectId"), "FP-D3M0000000000001");
                        assert.equal(rerun.params.get("ReRunFail"), "true");

                        assert.equal(instance.requestId, "RID-D");
                        assert.equal(list.total, 1);
                        assert.equal(list.pageNumber, 2);
                        assert.deepEqual(list.instances, [{ id: "FI-0000000000000001", status: "FAILED", flowId: "F-1", gmtCreate: 1700000000000, hasNodeFailed: true }]);
                    },
                );
            });
        });
    }

    it("parses DescribeFlowInstance into narrow camelCase types: numbers, unwrapped lists, no undefined", async () => {
        await withStub([json(describeBody)], async (_stub, endpoint) => {
            const instance = await new EmrFlowClient(settings(endpoint)).describeFlowInstance({ projectId: "FP-D3M0000000000001", instanceId: "FI-0000000000000001" });
            assert.equal(instance.status, "RUNNING");
            assert.equal(instance.gmtModified, 1700000005000);
            assert.equal(instance.startTime, 1700000001000);
            assert.equal(instance.endTime, undefined);
            assert.equal(instance.hasNodeFailed, false);
            assert.equal(instance.nodes.length, 2);
            assert.deepEqual(instance.nodes[0], {
                id: "FNI-1",
                status: "SUCCESS",
                nodeName: "extract",
                jobId: "FJ-1",
                jobName: "extract",
                jobType: "SPARK",
                startTime: 1700000001000,
                endTime: 1700000002000,
                duration: 1000,
                retries: 0,
                externalId: "application_1_1",
                externalStatus: "SUCCEEDED",
            });
            assert.equal(instance.nodes[1].retries, 1);
            assert.ok(!hasUndefined(instance), "no undefined values");
            assert.ok(!("NodeInstance" in instance));
        });
    });

    it("keeps an unknown status as a string and tolerates missing list wrappers", async () => {
        await withStub([json({ RequestId: "R", Id: "FI-1", Status: "WAITING_RESOURCE", ProjectId: "FP-1" }), json({ RequestId: "R", Total: 0 })], async (_stub, endpoint) => {
            const client = new EmrFlowClient(settings(endpoint));
            const instance = await client.describeFlowInstance({ projectId: "FP-1", instanceId: "FI-1" });
            assert.equal(instance.status, "WAITING_RESOURCE");
            assert.deepEqual(instance.nodes, []);
            const list = await client.listFlowInstances({ projectId: "FP-1" });
            assert.deepEqual(list.instances, []);
        });
    });

    it("never exposes SubmitFlow's deprecated InstanceId and Data", async () => {
        await withStub([json({ RequestId: "R", Id: "FI-2", InstanceId: "FI-2", Data: "FI-2" })], async (_stub, endpoint) => {
            const out = await new EmrFlowClient(settings(endpoint)).submitFlow({ projectId: "FP-1", flowId: "F-1" });
            assert.deepEqual(Object.keys(out).sort(), ["instanceId", "requestId"]);
        });
    });

    it("reports an answer of the wrong shape as EmrResponseError", async () => {
        await withStub([json({ RequestId: "R-BAD", Status: "RUNNING" })], async (_stub, endpoint) => {
            await assert.rejects(new EmrFlowClient(settings(endpoint)).describeFlowInstance({ projectId: "FP-1", instanceId: "FI-1" }), (e: unknown) => {
                assert.ok(EmrResponseError.isInstance(e));
                assert.equal(e.code, "UnexpectedResponse");
                assert.equal(e.requestId, "R-BAD");
                assert.match(e.message, /Id/);
                return true;
            });
        });
    });

    it("treats a SubmitFlow success without an instance ID as an unknown outcome, keeping the EmrResponseError", async () => {
        await withStub([json({ RequestId: "R-NOID" })], async (stub, endpoint) => {
            await assert.rejects(new EmrFlowClient(settings(endpoint), noSleep).submitFlow({ projectId: "FP-1", flowId: "F-1" }), (e: unknown) => {
                assert.ok(SubmissionOutcomeUnknownError.isInstance(e));
                assert.ok(EmrResponseError.isInstance(e.cause));
                return true;
            });
            assert.equal(stub.seen.length, 1);
        });
    });

    it("uses the settings region unless a call names one, and needs one", async () => {
        await withStub([json({ RequestId: "R", Data: true })], async (stub, endpoint) => {
            await new EmrFlowClient(settings(endpoint)).killFlow({ projectId: "FP-1", instanceId: "FI-1" });
            await new EmrFlowClient(settings(endpoint)).killFlow({ regionId: "eu-central-1", projectId: "FP-1", instanceId: "FI-1" });
            assert.deepEqual(stub.seen.map((s) => s.params.get("RegionId")), ["cn-hangzhou", "eu-central-1"]);
            const noRegion = new EmrFlowClient(settings(endpoint, { regionId: undefined }));
            await assert.rejects(noRegion.killFlow({ projectId: "FP-1", instanceId: "FI-1" }), (e: unknown) => EmrConfigError.isInstance(e) && e.code === "MissingRegion");
            assert.equal(stub.seen.length, 2);
        });
    });

    it("rejects a malformed endpoint when constructed", () => {
        assert.throws(() => new EmrFlowClient(settings("http://127.0.0.1:1/emr")), (e: unknown) => EmrConfigError.isInstance(e) && e.code === "InvalidEndpoint");
    });
});

describe("EmrFlowClient when things go wrong", () => {
    it("classifies an HTML 502 from a proxy by its status, retries reads, and succeeds", async () => {
        await withStub([html(502), html(502), json(describeBody)], async (stub, endpoint) => {
            const instance = await new EmrFlowClient(settings(endpoint), noSleep).describeFlowInstance({ projectId: "FP-1", instanceId: "FI-1" });
            assert.equal(instance.id, "FI-0000000000000001");
            assert.equal(stub.seen.length, 3);
        });
    });

    it("reports an HTML 502 that persists as EmrResponseError with the status, not a raw SyntaxError", async () => {
        await withStub([html(502)], async (stub, endpoint) => {
            const client = new EmrFlowClient(settings(endpoint, { retry: { maxAttempts: 3 } }), noSleep);
            await assert.rejects(client.describeFlowInstance({ projectId: "FP-1", instanceId: "FI-1" }), (e: unknown) => {
                assert.ok(EmrResponseError.isInstance(e), String(e));
                assert.equal(e.code, "NonJsonResponse");
                assert.equal(e.statusCode, 502);
                assert.equal(e.retryable, true);
                assert.equal(e.attempts, 3);
                assert.match(e.message, /HTTP 502 \(text\/html\)/);
                return true;
            });
            assert.equal(stub.seen.length, 3);
        });
    });

    it("does not retry a SubmitFlow answered with an HTML 502: the outcome is unknown", async () => {
        await withStub([html(502), json({ RequestId: "R", Id: "FI-9" })], async (stub, endpoint) => {
            await assert.rejects(new EmrFlowClient(settings(endpoint), noSleep).submitFlow({ projectId: "FP-1", flowId: "F-1" }), (e: unknown) => {
                assert.ok(SubmissionOutcomeUnknownError.isInstance(e));
                assert.ok(EmrResponseError.isInstance(e.cause) && e.cause.statusCode === 502);
                return true;
            });
            assert.equal(stub.seen.length, 1);
        });
    });

    it("retries a throttled SubmitFlow and submits once the service takes it", async () => {
        await withStub([json({ RequestId: "T1", Code: "Throttling.User", Message: "Request was denied due to user flow control." }, 400), json({ RequestId: "R", Id: "FI-3" })], async (stub, endpoint) => {
            const sleeps: number[] = [];
            const client = new EmrFlowClient(settings(endpoint), { sleep: async (ms) => void sleeps.push(ms), random: () => 0.5 });
            assert.equal((await client.submitFlow({ projectId: "FP-1", flowId: "F-1" })).instanceId, "FI-3");
            assert.equal(stub.seen.length, 2);
            assert.deepEqual(sleeps, [375]);
        });
    });

    it("turns a service error into EmrApiError with code, status, request ID and the IDs involved", async () => {
        await withStub([json({ RequestId: "RID-E", HostId: "emr.aliyuncs.com", Code: "InvalidParameter", Message: "project not exist", Recommend: "https://next.api.aliyun.com/troubleshoot?q=InvalidParameter" }, 400)], async (stub, endpoint) => {
            await assert.rejects(new EmrFlowClient(settings(endpoint), noSleep).describeFlowInstance({ projectId: "FP-NOPE", instanceId: "FI-1" }), (e: unknown) => {
                assert.ok(EmrApiError.isInstance(e));
                assert.equal(e.code, "InvalidParameter");
                assert.equal(e.statusCode, 400);
                assert.equal(e.requestId, "RID-E");
                assert.equal(e.hostId, "emr.aliyuncs.com");
                assert.equal(e.retryable, false);
                assert.ok(e.message.includes("FP-NOPE") && e.message.includes("FI-1") && e.message.includes("RID-E") && e.message.includes("project not exist"));
                return true;
            });
            assert.equal(stub.seen.length, 1);
        });
    });

    it("retries a read after a read timeout; never a SubmitFlow", async () => {
        await withStub([slow(600, json(describeBody)), json(describeBody)], async (stub, endpoint) => {
            const client = new EmrFlowClient(settings(endpoint, { readTimeoutMs: 150 }), noSleep);
            assert.equal((await client.describeFlowInstance({ projectId: "FP-1", instanceId: "FI-1" })).status, "RUNNING");
            assert.equal(stub.seen.length, 2);
        });
        await withStub([slow(600, json({ RequestId: "R", Id: "FI-4" })), json({ RequestId: "R", Id: "FI-5" })], async (stub, endpoint) => {
            const client = new EmrFlowClient(settings(endpoint, { readTimeoutMs: 150 }), noSleep);
            await assert.rejects(client.submitFlow({ projectId: "FP-1", flowId: "F-1" }), (e: unknown) => {
                assert.ok(SubmissionOutcomeUnknownError.isInstance(e));
                assert.ok(EmrNetworkError.isInstance(e.cause) && e.cause.requestMayHaveBeenSent);
                assert.match(e.message, /FP-1/);
                assert.match(e.message, /F-1/);
                return true;
            });
            assert.equal(stub.seen.length, 1);
        });
    });

    it("waits for a slow answer up to readTimeoutMs even when connectTimeoutMs is shorter", async () => {
        await withStub([slow(400, json(describeBody))], async (_stub, endpoint) => {
            const client = new EmrFlowClient(settings(endpoint, { connectTimeoutMs: 100, readTimeoutMs: 3_000 }), noSleep);
            assert.equal((await client.describeFlowInstance({ projectId: "FP-1", instanceId: "FI-1" })).status, "RUNNING");
        });
    });

    it("does not retry a SubmitFlow whose connection was reset; retries a read", async () => {
        await withStub([destroy, json({ RequestId: "R", Id: "FI-6" })], async (stub, endpoint) => {
            await assert.rejects(new EmrFlowClient(settings(endpoint), noSleep).submitFlow({ projectId: "FP-1", flowId: "F-1" }), (e: unknown) => SubmissionOutcomeUnknownError.isInstance(e));
            assert.equal(stub.seen.length, 1);
        });
        await withStub([destroy, json(describeBody)], async (stub, endpoint) => {
            await new EmrFlowClient(settings(endpoint), noSleep).describeFlowInstance({ projectId: "FP-1", instanceId: "FI-1" });
            assert.equal(stub.seen.length, 2);
        });
    });

    it("retries a refused connection, even for SubmitFlow, then reports it", async () => {
        const stub = new Stub([]);
        const endpoint = await stub.start();
        await stub.stop();
        let sleeps = 0;
        const client = new EmrFlowClient(settings(endpoint, { retry: { maxAttempts: 4 } }), { sleep: async () => void sleeps++ });
        await assert.rejects(client.submitFlow({ projectId: "FP-1", flowId: "F-1" }), (e: unknown) => {
            assert.ok(EmrNetworkError.isInstance(e), String(e));
            assert.equal(e.code, "ECONNREFUSED");
            assert.equal(e.requestMayHaveBeenSent, false);
            assert.equal(e.attempts, 4);
            assert.match(e.message, /nothing was sent/);
            return true;
        });
        assert.equal(sleeps, 3);
    });

    it("shows no secret when the client itself is printed", async () => {
        await withStub([json(describeBody)], async (_stub, endpoint) => {
            const client = new EmrFlowClient(settings(endpoint), noSleep);
            await client.describeFlowInstance({ projectId: "FP-1", instanceId: "FI-1" });
            const text = util.inspect(client, { depth: 12, showHidden: true });
            for (const secret of [SECRET, TOKEN]) assert.ok(!text.includes(secret), text);
        });
    });

    for (const signatureVersion of ["v3", "v2"] as const) {
        it(`leaks no secret in any error (signature ${signatureVersion}, STS)`, async () => {
            const echo: Reply = (_req, res, seen) =>
                json({ RequestId: "R", Code: "SignatureDoesNotMatch", Message: `server string to sign is: ${seen.url.search} token ${TOKEN}` }, 400)(_req, res, seen);
            const errors: unknown[] = [];
            for (const replies of [[echo], [destroy], [html(502)], [slow(500, json({}))]]) {
                await withStub(replies, async (_stub, endpoint) => {
                    const client = new EmrFlowClient(settings(endpoint, { signatureVersion, readTimeoutMs: 100, retry: { maxAttempts: 2 } }), noSleep);
                    await client.submitFlow({ projectId: "FP-1", flowId: "F-1" }).catch((e) => errors.push(e));
                    await client.describeFlowInstance({ projectId: "FP-1", instanceId: "FI-1" }).catch((e) => errors.push(e));
                });
            }
            const stub = new Stub([]);
            const closed = await stub.start();
            await stub.stop();
            await new EmrFlowClient(settings(closed, { signatureVersion, retry: { maxAttempts: 1 } }), noSleep).killFlow({ projectId: "FP-1", instanceId: "FI-1" }).catch((e) => errors.push(e));
            assert.equal(errors.length, 9);
            for (const e of errors) {
                assert.ok(EmrFlowError.isInstance(e), String(e));
                assertNoSecret(e);
            }
        });
    }
});

describe("observeWire", () => {
    /** An agent whose sockets never finish connecting, like a host that drops SYNs. */
    function blackholeAgent(): http.Agent {
        const agent = new http.Agent();
        (agent as unknown as { createConnection: () => net.Socket }).createConnection = () => {
            const socket = new net.Socket();
            Object.defineProperty(socket, "connecting", { value: true, configurable: true });
            return socket;
        };
        return agent;
    }

    /** A request signed with `nonce`, carried as the v3 header or, with `inQuery`, as the v2 query parameter. */
    function post(nonce: string, agent?: http.Agent, port = 9, inQuery = false): Promise<number | undefined> {
        const where = inQuery
            ? { path: `/?Action=SubmitFlow&SignatureNonce=${encodeURIComponent(nonce)}&Version=2016-04-08` }
            : { path: "/", headers: { "x-acs-signature-nonce": nonce } };
        return new Promise((resolve, reject) => {
            const req = http.request({ host: "127.0.0.1", port, method: "POST", agent, ...where }, (res) => {
                res.resume();
                res.on("end", () => resolve(res.statusCode));
            });
            req.on("error", reject);
            req.end("x");
        });
    }

    it("enforces the connect timeout and knows nothing was sent", async () => {
        // The limit that fired, not how long it took: a request with a 50 ms limit gives up while
        // one with a limit far longer than the test is still waiting, and its error names 50 ms.
        const record: WireRecord = { requested: false, connected: false, connectTimeoutMs: 50 };
        const longAgent = blackholeAgent();
        let longSettled = false;
        const longNonce = newNonce();
        const long = observeWire(longNonce, () => post(longNonce, longAgent), { requested: false, connected: false, connectTimeoutMs: 600_000 }).then(
            () => assert.fail("should not connect"),
            () => (longSettled = true),
        );
        const nonce = newNonce();
        const error = await observeWire(nonce, () => post(nonce, blackholeAgent()), record).then(
            () => assert.fail("should not connect"),
            (e: unknown) => e,
        );
        assert.equal(longSettled, false, "the request with the long limit is still connecting");
        longAgent.destroy();
        await long;
        assert.match(String((error as Error).message), /connect timed out after 50 ms/);
        assert.equal((error as { code?: string }).code, "ETIMEDOUT");
        assert.equal(record.requested, true);
        assert.equal(record.connected, false);
        const classified = classifyError(error, { action: "SubmitFlow", connected: record.connected });
        assert.ok(EmrNetworkError.isInstance(classified));
        assert.equal(classified.requestMayHaveBeenSent, false);
        assert.equal(classified.phase, "connect");
    });

    it("records the connection, the status and the content type, for a nonce in the header or in the query", async () => {
        for (const inQuery of [false, true]) {
            await withStub([html(502)], async (_stub, endpoint) => {
                const record: WireRecord = { requested: false, connected: false, connectTimeoutMs: 5_000 };
                const nonce = `${newNonce()}/+=`;
                const status = await observeWire(nonce, () => post(nonce, undefined, Number(new URL(endpoint).port), inQuery), record);
                assert.equal(status, 502);
                assert.deepEqual(record, { requested: true, connected: true, connectTimeoutMs: 5_000, statusCode: 502, contentType: "text/html" }, inQuery ? "query" : "header");
            });
        }
    });

    it("records only the request signed with its nonce, however many are in flight", async () => {
        await withStub([html(502), json({}), html(503)], async (_stub, endpoint) => {
            const port = Number(new URL(endpoint).port);
            const mine: WireRecord = { requested: false, connected: false };
            const other: WireRecord = { requested: false, connected: false };
            const [a, b] = [newNonce(), newNonce()];
            assert.notEqual(a, b);
            // Three requests at once: one outside any observation, then two observed, each made
            // inside the other's observation as well.
            const outside = post(newNonce(), undefined, port);
            const [sb, sa] = await observeWire(a, () => observeWire(b, () => Promise.all([post(b, undefined, port, true), post(a, undefined, port)]), other), mine);
            const so = await outside;
            assert.equal(new Set([sa, sb, so]).size, 3, "three different answers, so that each record can be told apart");
            assert.deepEqual([mine.requested, mine.statusCode, other.requested, other.statusCode], [true, sa, true, sb]);
        });
        assert.equal(nonceOf({ getHeader: () => undefined, path: "/?SignatureNonce=%E0%A4%A" }), undefined, "a nonce that does not decode");
        assert.equal(nonceOf({ getHeader: () => undefined, path: "/?Action=x" }), undefined);
        assert.equal(nonceOf({ getHeader: () => undefined, path: "/?XSignatureNonce=n&SignatureNonce=m" }), "m");
    });

    it("records nothing for requests made outside it", async () => {
        const record: WireRecord = { requested: false, connected: false };
        await withStub([json({})], async (_stub, endpoint) => {
            await observeWire(newNonce(), () => post(newNonce(), undefined, Number(new URL(endpoint).port)), record);
        });
        assert.equal(record.requested, false, "a request signed with another nonce");
    });
});
