/**
 * EmrFlowClient through the real @alicloud/openapi-client against the local EMR emulator: every
 * action, both signature versions, STS, every credential source, every error class, and the
 * retry rules checked against what the emulator actually created.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as http from "http";
import type { AddressInfo } from "net";
import * as path from "path";
import * as util from "util";
import { DEMO_IDS, startEmulator, type RunningEmulator } from "../../emulator";
import { EmrFlowClient, type EmrFlowClientDeps } from "../../provider/client/emrFlowClient";
import {
    CredentialsError,
    EmrApiError,
    EmrFlowError,
    EmrNetworkError,
    SubmissionOutcomeUnknownError,
    isNotFoundError,
} from "../../provider/client/errors";
import { isFinalFlowStatus } from "../../provider/client/responses";
import { resolveSettings, type ClientSettings, type SettingsSources } from "../../provider/client/settings";
import { isolatedEnvironment } from "../support/testEnv";

const KEY_ID = "LTAI-client-emulator-spec";
const SECRET = "client-emulator-spec-secret-8u7i6o";
const STS_ID = "STS.client-emulator-spec";
const STS_SECRET = "client-emulator-spec-sts-secret-5p4a";
const STS_TOKEN = "CAIS+client/emulator=token-3s2d1f";
const ALL_SECRETS = [SECRET, STS_SECRET, STS_TOKEN, encodeURIComponent(STS_TOKEN)];

const { regionId, projectId } = DEMO_IDS;
const FLOW = DEMO_IDS.succeedingFlowId;


const instant: EmrFlowClientDeps = { sleep: async () => undefined };

function assertNoSecret(err: unknown): void {
    const e = err as EmrFlowError;
    for (const text of [e.message, String(e.stack), JSON.stringify(e), util.inspect(e, { depth: 10, showHidden: true }), util.inspect(e.cause, { depth: 10, showHidden: true })]) {
        for (const secret of ALL_SECRETS) assert.ok(!text.includes(secret), `secret leaked: ${text}`);
    }
}

describe("EmrFlowClient against the emulator", function () {
    let emu: RunningEmulator;
    let home = "";

    before(async () => {
        emu = await startEmulator({
            port: 0,
            accessKeyId: KEY_ID,
            accessKeySecret: SECRET,
            stsCredentials: [{ accessKeyId: STS_ID, accessKeySecret: STS_SECRET, securityToken: STS_TOKEN }],
            // Demo flows end in tens of milliseconds.
            timeScale: 0.01,
            // These tests call KillFlow itself; the fallback without it is tested in test/runs/stop.spec.ts.
            killFlow: "present",
        });
    });

    after(async () => {
        await emu.close();
    });

    const env = isolatedEnvironment();
    beforeEach(() => {
        home = env.home();
        emu.reset();
    });

    /** Settings through resolveSettings, pointed at the emulator; fresh credential objects every time. */
    function settingsWith(sources: SettingsSources): ClientSettings {
        const explicit = { regionId, endpoint: emu.url, ...sources.explicit };
        return resolveSettings({ ...sources, explicit, env: sources.env ?? {} });
    }

    function client(extra: Partial<ClientSettings> = {}, sources: SettingsSources = { explicit: { accessKeyId: KEY_ID, accessKeySecret: SECRET } }, deps = instant): EmrFlowClient {
        return new EmrFlowClient({ ...settingsWith(sources), ...extra }, deps);
    }

    async function waitFinal(c: EmrFlowClient, instanceId: string): Promise<string> {
        for (let i = 0; i < 400; i++) {
            const instance = await c.describeFlowInstance({ projectId, instanceId });
            if (isFinalFlowStatus(instance.status)) return instance.status;
            await new Promise((resolve) => setTimeout(resolve, 10));
        }
        throw new Error(`${instanceId} never ended`);
    }

    for (const signatureVersion of ["v3", "v2"] as const) {
        for (const sts of [false, true]) {
            const label = `signature ${signatureVersion}${sts ? " with STS" : ""}`;

            it(`runs every action (${label})`, async () => {
                const creds = sts ? { accessKeyId: STS_ID, accessKeySecret: STS_SECRET, securityToken: STS_TOKEN } : { accessKeyId: KEY_ID, accessKeySecret: SECRET };
                const c = client({}, { explicit: { ...creds, signatureVersion } });

                const submitted = await c.submitFlow({ projectId, flowId: DEMO_IDS.longFlowId, conf: { cyctime: "1542783967503" } });
                assert.match(submitted.instanceId, /^FI-/);
                assert.ok(submitted.requestId);
                const ref = { projectId, instanceId: submitted.instanceId };

                const described = await c.describeFlowInstance(ref);
                assert.equal(described.id, submitted.instanceId);
                assert.equal(described.flowId, DEMO_IDS.longFlowId);
                assert.equal(described.projectId, projectId);
                assert.ok(["PREP", "RUNNING"].includes(described.status), described.status);
                assert.ok(typeof described.gmtCreate === "number");

                const listed = await c.listFlowInstances({ projectId, flowId: DEMO_IDS.longFlowId, statuses: ["PREP", "RUNNING"], pageSize: 10 });
                assert.ok(listed.instances.some((i) => i.id === submitted.instanceId));
                assert.ok(listed.total >= 1);

                assert.equal((await c.suspendFlow(ref)).accepted, true);
                assert.equal((await c.describeFlowInstance(ref)).status, "SUSPENDED");
                assert.equal((await c.resumeFlow(ref)).accepted, true);
                assert.equal((await c.killFlow(ref)).accepted, true);
                assert.equal(await waitFinal(c, submitted.instanceId), "KILLED");

                const flaky = await c.submitFlow({ projectId, flowId: DEMO_IDS.failOnceFlowId });
                assert.equal(await waitFinal(c, flaky.instanceId), "FAILED");
                const failed = await c.describeFlowInstance({ projectId, instanceId: flaky.instanceId });
                assert.equal(failed.hasNodeFailed, true);
                assert.ok(failed.nodes.some((n) => n.status === "FAILED"));
                assert.equal((await c.rerunFlow({ projectId, instanceId: flaky.instanceId, failedOnly: true })).accepted, true);
                assert.equal(await waitFinal(c, flaky.instanceId), "SUCCEEDED");

                const seen = emu.instances().find((i) => i.id === submitted.instanceId);
                assert.deepEqual(seen?.conf, { cyctime: "1542783967503" });
            });
        }
    }

    describe("credential sources", () => {
        const sources: [string, () => SettingsSources, RegExp][] = [
            ["explicit arguments", () => ({ explicit: { accessKeyId: KEY_ID, accessKeySecret: SECRET } }), /explicit accessKeyId/],
            ["stack config", () => ({ config: (k) => ({ "alicloud:accessKey": KEY_ID, "alicloud:secretKey": SECRET })[k] }), /stack config alicloud:accessKey/],
            ["stack config with STS", () => ({ config: (k) => ({ "alicloud:accessKey": STS_ID, "alicloud:secretKey": STS_SECRET, "alicloud:securityToken": STS_TOKEN })[k] }), /stack config/],
            ["ALIBABA_CLOUD_ACCESS_KEY_ID", () => ({ env: { ALIBABA_CLOUD_ACCESS_KEY_ID: KEY_ID, ALIBABA_CLOUD_ACCESS_KEY_SECRET: SECRET } }), /ALIBABA_CLOUD_ACCESS_KEY_ID/],
            ["ALIBABA_CLOUD_* with STS", () => ({ env: { ALIBABA_CLOUD_ACCESS_KEY_ID: STS_ID, ALIBABA_CLOUD_ACCESS_KEY_SECRET: STS_SECRET, ALIBABA_CLOUD_SECURITY_TOKEN: STS_TOKEN } }), /ALIBABA_CLOUD_ACCESS_KEY_ID/],
            ["ALICLOUD_ACCESS_KEY", () => ({ env: { ALICLOUD_ACCESS_KEY: KEY_ID, ALICLOUD_SECRET_KEY: SECRET } }), /ALICLOUD_ACCESS_KEY/],
            ["ALICLOUD_* with STS", () => ({ env: { ALICLOUD_ACCESS_KEY: STS_ID, ALICLOUD_SECRET_KEY: STS_SECRET, ALICLOUD_SECURITY_TOKEN: STS_TOKEN } }), /ALICLOUD_ACCESS_KEY/],
        ];
        for (const [name, make, source] of sources) {
            it(`signs with credentials from ${name}`, async () => {
                const c = client({}, make());
                const out = await c.submitFlow({ projectId, flowId: FLOW });
                assert.match(out.instanceId, /^FI-/);
                assert.match(c.credentialSource(), source);
            });
        }

        it("signs with a credentials file found by the default chain in HOME", async () => {
            fs.mkdirSync(path.join(home, ".alibabacloud"), { recursive: true });
            fs.writeFileSync(path.join(home, ".alibabacloud", "credentials"), `[default]\ntype = access_key\naccess_key_id = ${KEY_ID}\naccess_key_secret = ${SECRET}\n`);
            const c = client({}, {});
            await c.describeFlowInstance({ projectId, instanceId: (await c.submitFlow({ projectId, flowId: FLOW })).instanceId });
            assert.match(c.credentialSource(), /credentials file/);
        });

        it("signs with an aliyun CLI profile found by the default chain in HOME", async () => {
            delete process.env.ALIBABA_CLOUD_CLI_PROFILE_DISABLED;
            fs.mkdirSync(path.join(home, ".aliyun"), { recursive: true });
            fs.writeFileSync(
                path.join(home, ".aliyun", "config.json"),
                JSON.stringify({ current: "emr", profiles: [{ name: "emr", mode: "StsToken", access_key_id: STS_ID, access_key_secret: STS_SECRET, sts_token: STS_TOKEN, region_id: regionId }] }),
            );
            for (const signatureVersion of ["v3", "v2"] as const) {
                const c = client({}, { explicit: { signatureVersion } });
                assert.match((await c.submitFlow({ projectId, flowId: FLOW })).instanceId, /^FI-/);
                assert.match(c.credentialSource(), /CLI profile/);
            }
        });

        it("signs with STS credentials from ALIBABA_CLOUD_CREDENTIALS_URI (a local server)", async () => {
            const server = http.createServer((_req, res) => {
                res.setHeader("content-type", "application/json");
                res.end(JSON.stringify({ Code: "Success", AccessKeyId: STS_ID, AccessKeySecret: STS_SECRET, SecurityToken: STS_TOKEN, Expiration: "2099-01-01T00:00:00Z" }));
            });
            await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
            try {
                process.env.ALIBABA_CLOUD_CREDENTIALS_URI = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
                const c = client({}, {});
                assert.match((await c.submitFlow({ projectId, flowId: FLOW })).instanceId, /^FI-/);
                assert.match(c.credentialSource(), /credentials URI/);
            } finally {
                server.close();
            }
        });

        it("reports missing credentials once, before anything is sent", async () => {
            const c = client({}, {});
            await assert.rejects(c.submitFlow({ projectId, flowId: FLOW }), (e: unknown) => CredentialsError.isInstance(e) && e.code === "CredentialsNotFound");
            assert.equal(emu.stats().calls.SubmitFlow ?? 0, 0);
        });
    });

    describe("errors", () => {
        it("does not retry a wrong secret (SignatureDoesNotMatch) and leaks nothing", async () => {
            for (const signatureVersion of ["v3", "v2"] as const) {
                emu.reset();
                const c = client({}, { explicit: { accessKeyId: KEY_ID, accessKeySecret: `${SECRET}-wrong`, signatureVersion } });
                await assert.rejects(c.describeFlowInstance({ projectId, instanceId: "FI-0000000000000001" }), (e: unknown) => {
                    assert.ok(EmrApiError.isInstance(e));
                    assert.equal(e.code, "SignatureDoesNotMatch");
                    assert.equal(e.retryable, false);
                    assert.ok(e.requestId);
                    assertNoSecret(e);
                    assert.ok(!e.message.includes(`${SECRET}-wrong`));
                    return true;
                });
                assert.equal(emu.stats().calls.DescribeFlowInstance, 1);
            }
        });

        it("reports an unknown AccessKey ID and a mismatched STS token", async () => {
            await assert.rejects(client({}, { explicit: { accessKeyId: "LTAI-nobody", accessKeySecret: SECRET } }).killFlow({ projectId, instanceId: "FI-1" }), (e: unknown) => {
                assert.ok(EmrApiError.isInstance(e) && e.code === "InvalidAccessKeyId.NotFound" && !e.retryable);
                assert.ok(!isNotFoundError(e));
                return true;
            });
            await assert.rejects(
                client({}, { explicit: { accessKeyId: STS_ID, accessKeySecret: STS_SECRET, securityToken: "CAIS-some-other-token" } }).submitFlow({ projectId, flowId: FLOW }),
                (e: unknown) => EmrApiError.isInstance(e) && !e.retryable && /SecurityToken/.test(e.code),
            );
            assert.equal(emu.instances().length, 0);
        });

        it("recognises a missing instance, flow or project", async () => {
            const c = client();
            await assert.rejects(c.describeFlowInstance({ projectId, instanceId: "FI-FFFFFFFFFFFFFFFF" }), (e: unknown) => isNotFoundError(e) && (e as EmrApiError).requestId !== undefined);
            await assert.rejects(c.submitFlow({ projectId, flowId: "F-FFFFFFFFFFFFFFFF" }), (e: unknown) => isNotFoundError(e));
            await assert.rejects(c.listFlowInstances({ projectId: "FP-FFFFFFFFFFFFFFFF" }), (e: unknown) => isNotFoundError(e));
        });

        it("reports an action the instance's status does not allow, without retrying", async () => {
            const c = client();
            const { instanceId } = await c.submitFlow({ projectId, flowId: FLOW });
            assert.equal(await waitFinal(c, instanceId), "SUCCEEDED");
            await assert.rejects(c.resumeFlow({ projectId, instanceId }), (e: unknown) => EmrApiError.isInstance(e) && !e.retryable && e.message.includes(instanceId));
            assert.equal(emu.stats().calls.ResumeFlow, 1);
        });

        it("retries throttled reads with growing delays and gives up after maxAttempts", async () => {
            const sleeps: number[] = [];
            const c = client({ retry: { maxAttempts: 4 } }, undefined, { sleep: async (ms) => void sleeps.push(ms), random: () => 0.5 });
            emu.faults.add({ action: "DescribeFlowInstance", kind: "throttle", count: 10 });
            await assert.rejects(c.describeFlowInstance({ projectId, instanceId: "FI-1" }), (e: unknown) => EmrApiError.isInstance(e) && e.code === "Throttling.User" && e.attempts === 4);
            assert.equal(emu.stats().calls.DescribeFlowInstance, 4);
            assert.deepEqual(sleeps, [375, 750, 1500]);
        });

        for (const kind of ["http500", "http503", "throttle"] as const) {
            it(`retries SubmitFlow after ${kind} and creates exactly one instance`, async () => {
                const c = client();
                emu.faults.add({ action: "SubmitFlow", kind, count: 2 });
                const out = await c.submitFlow({ projectId, flowId: FLOW });
                assert.equal(emu.stats().calls.SubmitFlow, 3);
                assert.deepEqual(emu.instances().map((i) => i.id), [out.instanceId]);
            });
        }

        it("does not retry SubmitFlow after a read timeout: unknown outcome, and the emulator made exactly one instance", async () => {
            const c = client({ readTimeoutMs: 200 });
            emu.faults.add({ action: "SubmitFlow", kind: "delay", delayMs: 1_000, count: 1 });
            const before = Date.now();
            await assert.rejects(c.submitFlow({ projectId, flowId: FLOW }), (e: unknown) => {
                assert.ok(SubmissionOutcomeUnknownError.isInstance(e), String(e));
                assert.equal(e.projectId, projectId);
                assert.equal(e.flowId, FLOW);
                assert.ok(e.windowStart >= before && e.windowEnd >= e.windowStart);
                assert.ok(EmrNetworkError.isInstance(e.cause) && e.cause.code === "ReadTimeout");
                assert.match(e.message, /ListFlowInstance/);
                assertNoSecret(e);
                return true;
            });
            assert.equal(emu.stats().calls.SubmitFlow, 1);
            assert.equal(emu.instances().length, 1);
            // The instance is there to be found in the window the error names.
            const found = await c.listFlowInstances({ projectId, flowId: FLOW });
            assert.deepEqual(found.instances.map((i) => i.id), [emu.instances()[0].id]);
        });

        it("does not retry SubmitFlow after drop-after (the instance exists)", async () => {
            emu.faults.add({ action: "SubmitFlow", kind: "drop-after", count: 1 });
            await assert.rejects(client().submitFlow({ projectId, flowId: FLOW }), (e: unknown) => SubmissionOutcomeUnknownError.isInstance(e));
            assert.equal(emu.stats().calls.SubmitFlow, 1);
            assert.equal(emu.instances().length, 1);
        });

        it("does not retry SubmitFlow after drop-before either: a reset looks the same from the client", async () => {
            emu.faults.add({ action: "SubmitFlow", kind: "drop-before", count: 1 });
            await assert.rejects(client().submitFlow({ projectId, flowId: FLOW }), (e: unknown) => SubmissionOutcomeUnknownError.isInstance(e) && EmrNetworkError.isInstance(e.cause) && e.cause.requestMayHaveBeenSent);
            assert.equal(emu.stats().calls.SubmitFlow, 1);
            assert.equal(emu.instances().length, 0);
        });

        it("retries reads after drops and timeouts", async () => {
            const c = client({ readTimeoutMs: 200 });
            const { instanceId } = await c.submitFlow({ projectId, flowId: FLOW });
            emu.faults.add({ action: "DescribeFlowInstance", kind: "drop-before", count: 1 });
            emu.faults.add({ action: "DescribeFlowInstance", kind: "drop-after", count: 1 });
            emu.faults.add({ action: "DescribeFlowInstance", kind: "delay", delayMs: 1_000, count: 1 });
            assert.equal((await c.describeFlowInstance({ projectId, instanceId })).id, instanceId);
            assert.equal(emu.stats().calls.DescribeFlowInstance, 4);
        });

        it("does not retry KillFlow after a dropped connection (it may have been applied)", async () => {
            const c = client();
            const { instanceId } = await c.submitFlow({ projectId, flowId: DEMO_IDS.longFlowId });
            emu.faults.add({ action: "KillFlow", kind: "drop-after", count: 1 });
            await assert.rejects(c.killFlow({ projectId, instanceId }), (e: unknown) => EmrNetworkError.isInstance(e) && e.requestMayHaveBeenSent);
            assert.equal(emu.stats().calls.KillFlow, 1);
            assert.equal(await waitFinal(c, instanceId), "KILLED");
        });

        it("retries a refused connection (a closed port), then reports a network error", async () => {
            const closed = await startEmulator({ port: 0 });
            const url = closed.url;
            await closed.close();
            const c = new EmrFlowClient({ ...settingsWith({ explicit: { accessKeyId: KEY_ID, accessKeySecret: SECRET } }), endpoint: url, retry: { maxAttempts: 3 } }, instant);
            await assert.rejects(c.submitFlow({ projectId, flowId: FLOW }), (e: unknown) => {
                assert.ok(EmrNetworkError.isInstance(e));
                assert.equal(e.code, "ECONNREFUSED");
                assert.equal(e.attempts, 3);
                assert.equal(e.requestMayHaveBeenSent, false);
                return true;
            });
        });
    });
});
