import assert from "node:assert/strict";
import OpenApi, * as $OpenApi from "@alicloud/openapi-client";
import * as $Util from "@alicloud/tea-util";
import { DEMO_IDS, startEmulator, type RunningEmulator } from "../../emulator";
import { EmulatorCaller, send, signV2, signV3, type Key, type WireRequest } from "../support/emulatorSigner";

const KEY: Key = { id: "test-key-id", secret: "test-key-secret" };
const STS: Key = { id: "STS.test-sts-id", secret: "sts-secret", token: "sts-token-value" };
const SUBMIT = { RegionId: DEMO_IDS.regionId, ProjectId: DEMO_IDS.projectId, FlowId: DEMO_IDS.succeedingFlowId };

describe("emulator: request signatures", () => {
    let emu: RunningEmulator;
    before(async () => {
        emu = await startEmulator({
            accessKeyId: KEY.id,
            accessKeySecret: KEY.secret,
            stsCredentials: [{ accessKeyId: STS.id, accessKeySecret: STS.secret, securityToken: STS.token! }],
        });
    });
    after(() => emu.close());
    beforeEach(() => emu.reset());

    const host = () => `127.0.0.1:${emu.port}`;
    const code = async (req: WireRequest) => {
        const res = await send(emu.port, req);
        return { status: res.status, code: res.json["Code"] };
    };

    for (const style of ["V3", "v2"] as const) {
        describe(`${style}`, () => {
            const caller = () => new EmulatorCaller(emu.port, KEY, style);

            it("accepts a correctly signed request and creates the instance", async () => {
                const body = await caller().ok("SubmitFlow", SUBMIT);
                assert.match(String(body["Id"]), /^FI-[0-9A-F]{16}$/);
                assert.equal(emu.instances().length, 1);
            });

            it("accepts values with characters Node's querystring leaves bare (the re-encoding trap)", async () => {
                const conf = JSON.stringify({ "a*b": "it's (x)!", space: "a b+c", unicode: "数据~" });
                const body = await caller().ok("SubmitFlow", { ...SUBMIT, Conf: conf });
                assert.deepEqual(emu.instances()[0]!.conf, JSON.parse(conf));
                assert.equal(emu.instances()[0]!.id, body["Id"]);
            });

            it("accepts GET as well as POST", async () => {
                const res = await caller().call("ListFlowInstance", { RegionId: DEMO_IDS.regionId, ProjectId: DEMO_IDS.projectId }, { method: "GET" });
                assert.equal(res.status, 200, res.text);
            });

            it("rejects a parameter changed after signing, and creates nothing", async () => {
                const req = caller().sign("SubmitFlow", SUBMIT);
                req.path = req.path.replace(DEMO_IDS.succeedingFlowId, DEMO_IDS.alwaysFailingFlowId);
                assert.deepEqual(await code(req), { status: 400, code: "SignatureDoesNotMatch" });
                assert.equal(emu.instances().length, 0);
            });

            it("rejects a parameter added after signing", async () => {
                const req = caller().sign("SubmitFlow", SUBMIT);
                req.path += "&Conf=%7B%7D";
                assert.deepEqual(await code(req), { status: 400, code: "SignatureDoesNotMatch" });
            });

            it("rejects the wrong secret", async () => {
                const req = new EmulatorCaller(emu.port, { id: KEY.id, secret: "not-the-secret" }, style).sign("SubmitFlow", SUBMIT);
                assert.deepEqual(await code(req), { status: 400, code: "SignatureDoesNotMatch" });
            });

            it("rejects an unknown AccessKey ID with 404", async () => {
                const req = new EmulatorCaller(emu.port, { id: "nobody", secret: KEY.secret }, style).sign("SubmitFlow", SUBMIT);
                assert.deepEqual(await code(req), { status: 404, code: "InvalidAccessKeyId.NotFound" });
            });

            it("rejects a timestamp more than 15 minutes old or ahead, accepts 14 minutes", async () => {
                const old = caller().sign("SubmitFlow", SUBMIT, { time: Date.now() - 16 * 60_000 });
                assert.deepEqual(await code(old), { status: 400, code: "InvalidTimeStamp.Expired" });
                const ahead = caller().sign("SubmitFlow", SUBMIT, { time: Date.now() + 16 * 60_000 });
                assert.deepEqual(await code(ahead), { status: 400, code: "InvalidTimeStamp.Expired" });
                const recent = caller().sign("SubmitFlow", SUBMIT, { time: Date.now() - 14 * 60_000 });
                assert.equal((await send(emu.port, recent)).status, 200);
            });

            it("rejects a reused nonce, even on an otherwise valid new request", async () => {
                const first = caller().sign("SubmitFlow", SUBMIT, { nonce: "nonce-1" });
                assert.equal((await send(emu.port, first)).status, 200);
                assert.deepEqual(await code(first), { status: 400, code: "SignatureNonceUsed" });
                const other = caller().sign("ListFlowInstance", { RegionId: DEMO_IDS.regionId, ProjectId: DEMO_IDS.projectId }, { nonce: "nonce-1" });
                assert.deepEqual(await code(other), { status: 400, code: "SignatureNonceUsed" });
                assert.equal(emu.instances().length, 1);
            });

            it("does not burn the nonce of a request whose signature is wrong", async () => {
                const bad = new EmulatorCaller(emu.port, { id: KEY.id, secret: "wrong" }, style).sign("SubmitFlow", SUBMIT, { nonce: "nonce-2" });
                assert.equal((await code(bad)).code, "SignatureDoesNotMatch");
                const good = caller().sign("SubmitFlow", SUBMIT, { nonce: "nonce-2" });
                assert.equal((await send(emu.port, good)).status, 200);
            });

            it("accepts the right STS token and rejects a wrong or missing one", async () => {
                const sts = new EmulatorCaller(emu.port, STS, style);
                assert.equal((await sts.call("SubmitFlow", SUBMIT)).status, 200);
                const wrong = new EmulatorCaller(emu.port, { ...STS, token: "stolen" }, style).sign("SubmitFlow", SUBMIT);
                assert.deepEqual(await code(wrong), { status: 400, code: "InvalidSecurityToken.MismatchWithAccessKey" });
                const missing = new EmulatorCaller(emu.port, { id: STS.id, secret: STS.secret }, style).sign("SubmitFlow", SUBMIT);
                assert.deepEqual(await code(missing), { status: 400, code: "InvalidSecurityToken.MismatchWithAccessKey" });
                const tokenOnLongTermKey = new EmulatorCaller(emu.port, { ...KEY, token: STS.token! }, style).sign("SubmitFlow", SUBMIT);
                assert.deepEqual(await code(tokenOnLongTermKey), { status: 400, code: "InvalidSecurityToken.MismatchWithAccessKey" });
            });

            it("rejects a wrong Version and an unknown action", async () => {
                assert.deepEqual(await code(caller().sign("SubmitFlow", SUBMIT, { version: "2021-03-20" })), { status: 400, code: "InvalidVersion" });
                assert.deepEqual(await code(caller().sign("DeleteFlow", SUBMIT)), { status: 404, code: "InvalidAction.NotFound" });
            });
        });
    }

    describe("V3 specifics", () => {
        const sign = (extra = {}) => signV3({ key: KEY, action: "SubmitFlow", params: SUBMIT, host: host(), ...extra });

        it("rejects a request with no Authorization header and no signature parameters", async () => {
            const req = sign();
            delete req.headers["authorization"];
            assert.deepEqual(await code(req), { status: 400, code: "IncompleteSignature" });
        });

        it("rejects a garbled Authorization header and an unsupported algorithm", async () => {
            const req = sign();
            req.headers["authorization"] = "ACS3-HMAC-SHA256 garbage";
            assert.deepEqual(await code(req), { status: 400, code: "IncompleteSignature" });
            req.headers["authorization"] = sign().headers["authorization"]!.replace("ACS3-HMAC-SHA256", "ACS3-HMAC-MD5");
            assert.deepEqual(await code(req), { status: 400, code: "IncompleteSignature" });
        });

        it("rejects an x-acs-* header that is not signed", async () => {
            const req = sign();
            req.headers["x-acs-extra"] = "1";
            assert.deepEqual(await code(req), { status: 400, code: "IncompleteSignature" });
        });

        it("rejects a signed host header changed in transit", async () => {
            const req = sign();
            req.headers["host"] = "emr.aliyuncs.com";
            assert.deepEqual(await code(req), { status: 400, code: "SignatureDoesNotMatch" });
        });

        it("checks x-acs-content-sha256 against the body and signs form bodies", async () => {
            const form = sign({ params: { RegionId: DEMO_IDS.regionId }, body: `ProjectId=${DEMO_IDS.projectId}&FlowId=${DEMO_IDS.succeedingFlowId}`, contentType: "application/x-www-form-urlencoded" });
            const ok = await send(emu.port, form);
            assert.equal(ok.status, 200, ok.text);
            const tampered = sign({ params: { RegionId: DEMO_IDS.regionId }, body: `ProjectId=${DEMO_IDS.projectId}&FlowId=${DEMO_IDS.succeedingFlowId}`, contentType: "application/x-www-form-urlencoded" });
            tampered.body = `ProjectId=${DEMO_IDS.projectId}&FlowId=${DEMO_IDS.alwaysFailingFlowId}`;
            assert.deepEqual(await code(tampered), { status: 400, code: "SignatureDoesNotMatch" });
        });

        it("rejects a malformed x-acs-date", async () => {
            const req = sign();
            req.headers["x-acs-date"] = "yesterday";
            assert.deepEqual(await code(req), { status: 400, code: "InvalidTimeStamp.Format" });
        });
    });

    describe("v2 specifics", () => {
        it("rejects a request missing Signature and one with another SignatureMethod", async () => {
            const req = signV2({ key: KEY, action: "SubmitFlow", params: SUBMIT, host: host() });
            const noSig: WireRequest = { ...req, path: req.path.replace(/&Signature=[^&]*/, "") };
            assert.deepEqual(await code(noSig), { status: 400, code: "IncompleteSignature" });
            const md5: WireRequest = { ...req, path: req.path.replace("SignatureMethod=HMAC-SHA1", "SignatureMethod=HMAC-MD5") };
            assert.deepEqual(await code(md5), { status: 400, code: "IncompleteSignature" });
        });

        // What @alicloud/pop-core sends with { method: "POST" }: no query, every parameter and the
        // Signature in an application/x-www-form-urlencoded body.
        const asFormBody = (req: WireRequest): WireRequest => ({
            method: "POST",
            path: "/",
            headers: { ...req.headers, "content-type": "application/x-www-form-urlencoded" },
            body: req.path.slice(req.path.indexOf("?") + 1),
        });

        it("accepts the signature and every parameter in a POST form body", async () => {
            const res = await send(emu.port, asFormBody(signV2({ key: KEY, action: "SubmitFlow", params: SUBMIT, host: host() })));
            assert.equal(res.status, 200, res.text);
            assert.equal(emu.instances()[0]?.id, res.json["Id"]);
        });

        it("answers SignatureDoesNotMatch (not IncompleteSignature) to a form body signed with the wrong secret", async () => {
            const res = await send(emu.port, asFormBody(signV2({ key: { ...KEY, secret: "wrong-secret" }, action: "SubmitFlow", params: SUBMIT, host: host() })));
            assert.deepEqual([res.status, res.json["Code"]], [400, "SignatureDoesNotMatch"]);
            // Official clients read the server's string to sign after the first ':' (aliyun-python-sdk-core crashes without one).
            assert.match(String(res.json["Message"]), /string to sign is:POST&%2F&/);
            assert.equal(emu.instances().length, 0);
        });

        it("signs with the HTTP method: a POST signature does not verify as GET", async () => {
            const req = signV2({ key: KEY, action: "SubmitFlow", params: SUBMIT, host: host() });
            assert.deepEqual(await code({ ...req, method: "GET" }), { status: 400, code: "SignatureDoesNotMatch" });
        });
    });

    describe("the real @alicloud/openapi-client", () => {
        const params = (action: string) =>
            new $OpenApi.Params({ action, version: "2016-04-08", protocol: "HTTP", pathname: "/", method: "POST", authType: "AK", style: "RPC", reqBodyType: "formData", bodyType: "json" });
        const client = (extra: Partial<$OpenApi.Config> = {}) =>
            new OpenApi(new $OpenApi.Config({ accessKeyId: KEY.id, accessKeySecret: KEY.secret, endpoint: `127.0.0.1:${emu.port}`, protocol: "http", regionId: DEMO_IDS.regionId, ...extra }));

        for (const signatureAlgorithm of [undefined, "v2"]) {
            it(`is accepted with ${signatureAlgorithm ?? "the default V3"} signing, Conf with special characters included`, async () => {
                const c = client(signatureAlgorithm ? { signatureAlgorithm } : {});
                const conf = JSON.stringify({ cyctime: "1542783967503", "q*(x)!": "it's ~ a b" });
                const submitted = await c.callApi(params("SubmitFlow"), new $OpenApi.OpenApiRequest({ query: { ...SUBMIT, Conf: conf } }), new $Util.RuntimeOptions({}));
                assert.equal(submitted.statusCode, 200);
                const id = String(submitted.body["Id"]);
                assert.deepEqual(Object.keys(submitted.body).sort(), ["Data", "Id", "InstanceId", "RequestId"]);
                assert.equal(submitted.body["InstanceId"], id);
                assert.equal(submitted.body["Data"], id);
                assert.match(String(submitted.body["RequestId"]), /^[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}$/);
                const described = await c.callApi(params("DescribeFlowInstance"), new $OpenApi.OpenApiRequest({ query: { RegionId: DEMO_IDS.regionId, ProjectId: DEMO_IDS.projectId, Id: id } }), new $Util.RuntimeOptions({}));
                assert.equal(described.body["Id"], id);
                assert.equal(described.body["ScheduleTime"], 1542783967503);
                assert.deepEqual(emu.instances()[0]!.conf, JSON.parse(conf));
            });
        }

        it("is accepted with an STS token, and its errors carry the emulator's Code and status", async () => {
            const sts = client({ accessKeyId: STS.id, accessKeySecret: STS.secret, securityToken: STS.token! });
            const ok = await sts.callApi(params("SubmitFlow"), new $OpenApi.OpenApiRequest({ query: SUBMIT }), new $Util.RuntimeOptions({}));
            assert.equal(ok.statusCode, 200);
            const wrong = client({ accessKeySecret: "nope" });
            await assert.rejects(
                wrong.callApi(params("SubmitFlow"), new $OpenApi.OpenApiRequest({ query: SUBMIT }), new $Util.RuntimeOptions({})),
                (err: { code?: string; data?: { statusCode?: number } }) => err.code === "SignatureDoesNotMatch" && err.data?.statusCode === 400,
            );
        });
    });
});
