import { strict as assert } from "assert";
import * as util from "util";
import { CredentialsError, EmrConfigError } from "../../provider/client/errors";
import { resolveSettings, type ClientSettings } from "../../provider/client/settings";

const SECRET = "settings-spec-secret-0123456789";
const TOKEN = "settings-spec-sts-token-0123456789";

function configOf(values: Record<string, string>): (key: string) => string | undefined {
    return (key) => values[key];
}

function staticOf(settings: ClientSettings) {
    assert.equal(settings.credentials.kind, "static");
    if (settings.credentials.kind !== "static") throw new Error("unreachable");
    return { id: settings.credentials.accessKeyId, ...settings.credentials.secret(), source: settings.credentials.source };
}

describe("resolveSettings: credentials", () => {
    it("prefers explicit arguments over stack config and environment", () => {
        const s = resolveSettings({
            explicit: { accessKeyId: "EXPLICIT", accessKeySecret: SECRET },
            config: configOf({ "alicloud:accessKey": "CONFIG", "alicloud:secretKey": "x" }),
            env: { ALIBABA_CLOUD_ACCESS_KEY_ID: "ENV", ALIBABA_CLOUD_ACCESS_KEY_SECRET: "y" },
        });
        assert.deepEqual(staticOf(s), { id: "EXPLICIT", accessKeySecret: SECRET, source: "explicit accessKeyId" });
        assert.equal(s.sources?.credentials, "explicit accessKeyId");
    });

    it("reads stack config alicloud:accessKey, alicloud:secretKey and alicloud:securityToken", () => {
        const s = resolveSettings({
            config: configOf({ "alicloud:accessKey": "CONFIG", "alicloud:secretKey": SECRET, "alicloud:securityToken": TOKEN }),
            env: { ALIBABA_CLOUD_ACCESS_KEY_ID: "ENV", ALIBABA_CLOUD_ACCESS_KEY_SECRET: "y" },
        });
        assert.deepEqual(staticOf(s), { id: "CONFIG", accessKeySecret: SECRET, securityToken: TOKEN, source: "stack config alicloud:accessKey" });
    });

    it("reads ALIBABA_CLOUD_* before the older ALICLOUD_* names", () => {
        const both = resolveSettings({
            env: {
                ALIBABA_CLOUD_ACCESS_KEY_ID: "NEW",
                ALIBABA_CLOUD_ACCESS_KEY_SECRET: SECRET,
                ALIBABA_CLOUD_SECURITY_TOKEN: TOKEN,
                ALICLOUD_ACCESS_KEY: "OLD",
                ALICLOUD_SECRET_KEY: "z",
            },
        });
        assert.deepEqual(staticOf(both), { id: "NEW", accessKeySecret: SECRET, securityToken: TOKEN, source: "environment ALIBABA_CLOUD_ACCESS_KEY_ID" });
        const old = resolveSettings({ env: { ALICLOUD_ACCESS_KEY: "OLD", ALICLOUD_SECRET_KEY: SECRET, ALICLOUD_SECURITY_TOKEN: TOKEN } });
        assert.deepEqual(staticOf(old), { id: "OLD", accessKeySecret: SECRET, securityToken: TOKEN, source: "environment ALICLOUD_ACCESS_KEY" });
    });

    it("takes the STS token only from the layer that gave the key pair", () => {
        const s = resolveSettings({
            config: configOf({ "alicloud:accessKey": "CONFIG", "alicloud:secretKey": SECRET }),
            env: { ALIBABA_CLOUD_SECURITY_TOKEN: TOKEN },
        });
        assert.equal(staticOf(s).securityToken, undefined);
    });

    it("ignores empty values", () => {
        const s = resolveSettings({
            explicit: { accessKeyId: "", accessKeySecret: "" },
            config: configOf({ "alicloud:accessKey": "  " }),
            env: { ALIBABA_CLOUD_ACCESS_KEY_ID: "ENV", ALIBABA_CLOUD_ACCESS_KEY_SECRET: SECRET },
        });
        assert.equal(staticOf(s).id, "ENV");
    });

    it("falls back to the default credential chain, noting where it looked", () => {
        const s = resolveSettings({ env: {} });
        assert.equal(s.credentials.kind, "chain");
        if (s.credentials.kind !== "chain") return;
        assert.deepEqual(s.credentials.lookedAt, [
            "explicit accessKeyId / explicit accessKeySecret",
            "stack config alicloud:accessKey / stack config alicloud:secretKey",
            "environment ALIBABA_CLOUD_ACCESS_KEY_ID / environment ALIBABA_CLOUD_ACCESS_KEY_SECRET",
            "environment ALICLOUD_ACCESS_KEY / environment ALICLOUD_SECRET_KEY",
        ]);
    });

    it("stops at half a key pair, naming the missing key", () => {
        const cases: [Parameters<typeof resolveSettings>[0], string, string][] = [
            [{ explicit: { accessKeyId: "ID" } }, "explicit accessKeyId is set", "explicit accessKeySecret is not"],
            [{ config: configOf({ "alicloud:accessKey": "ID" }) }, "stack config alicloud:accessKey is set", "alicloud:secretKey is not"],
            [{ config: configOf({ "alicloud:secretKey": SECRET }) }, "stack config alicloud:secretKey is set", "alicloud:accessKey is not"],
            [{ env: { ALIBABA_CLOUD_ACCESS_KEY_ID: "ID", ALICLOUD_SECRET_KEY: SECRET } }, "ALIBABA_CLOUD_ACCESS_KEY_ID is set", "ALIBABA_CLOUD_ACCESS_KEY_SECRET is not"],
            [{ env: { ALICLOUD_SECRET_KEY: SECRET } }, "ALICLOUD_SECRET_KEY is set", "ALICLOUD_ACCESS_KEY is not"],
        ];
        for (const [sources, has, missing] of cases) {
            assert.throws(
                () => resolveSettings(sources),
                (e: unknown) => {
                    assert.ok(CredentialsError.isInstance(e));
                    assert.equal(e.code, "CredentialsIncomplete");
                    assert.ok(e.message.includes(has), e.message);
                    assert.ok(e.message.includes(missing), e.message);
                    assert.ok(!e.message.includes(SECRET));
                    return true;
                },
            );
        }
    });

    it("never shows a secret when the settings are printed or serialized", () => {
        const s = resolveSettings({ explicit: { accessKeyId: "ID", accessKeySecret: SECRET, securityToken: TOKEN } });
        for (const text of [JSON.stringify(s), util.inspect(s, { depth: 10, showHidden: true }), String(s)]) {
            assert.ok(!text.includes(SECRET), text);
            assert.ok(!text.includes(TOKEN), text);
        }
    });
});

describe("resolveSettings: region, endpoint, signature, timeouts", () => {
    it("takes the region from explicit, alicloud:region, ALIBABA_CLOUD_REGION, ALICLOUD_REGION in that order", () => {
        const env = { ALIBABA_CLOUD_REGION: "cn-beijing", ALICLOUD_REGION: "cn-shenzhen" };
        assert.equal(resolveSettings({ explicit: { regionId: "cn-qingdao" }, config: configOf({ "alicloud:region": "cn-shanghai" }), env }).regionId, "cn-qingdao");
        const fromConfig = resolveSettings({ config: configOf({ "alicloud:region": "cn-shanghai" }), env });
        assert.equal(fromConfig.regionId, "cn-shanghai");
        assert.equal(fromConfig.sources?.regionId, "stack config alicloud:region");
        assert.equal(resolveSettings({ env }).regionId, "cn-beijing");
        assert.equal(resolveSettings({ env: { ALICLOUD_REGION: "cn-shenzhen" } }).sources?.regionId, "environment ALICLOUD_REGION");
        assert.equal(resolveSettings({}).regionId, undefined);
    });

    it("takes the endpoint from explicit, emr-flow:endpoint, ALIBABA_CLOUD_ENDPOINT_EMR", () => {
        const env = { ALIBABA_CLOUD_ENDPOINT_EMR: "http://127.0.0.1:3" };
        assert.equal(resolveSettings({ explicit: { endpoint: "http://127.0.0.1:1" }, config: configOf({ "emr-flow:endpoint": "http://127.0.0.1:2" }), env }).endpoint, "http://127.0.0.1:1");
        assert.equal(resolveSettings({ config: configOf({ "emr-flow:endpoint": "http://127.0.0.1:2" }), env }).endpoint, "http://127.0.0.1:2");
        const fromEnv = resolveSettings({ env });
        assert.equal(fromEnv.endpoint, "http://127.0.0.1:3");
        assert.equal(fromEnv.sources?.endpoint, "environment ALIBABA_CLOUD_ENDPOINT_EMR");
        // alicloud:endpoint is not an EMR endpoint setting.
        assert.equal(resolveSettings({ config: configOf({ "alicloud:endpoint": "x" }) }).endpoint, undefined);
    });

    it("reports a bad endpoint naming where it came from", () => {
        assert.throws(
            () => resolveSettings({ env: { ALIBABA_CLOUD_ENDPOINT_EMR: "http://127.0.0.1:99999" } }),
            (e: unknown) => EmrConfigError.isInstance(e) && e.code === "InvalidEndpoint" && e.message.includes("environment ALIBABA_CLOUD_ENDPOINT_EMR"),
        );
    });

    it("reads the signature version and rejects others", () => {
        assert.equal(resolveSettings({}).signatureVersion, undefined);
        assert.equal(resolveSettings({ config: configOf({ "emr-flow:signatureVersion": "v2" }) }).signatureVersion, "v2");
        assert.equal(resolveSettings({ env: { EMR_FLOW_SIGNATURE_VERSION: "V3" } }).signatureVersion, "v3");
        assert.throws(() => resolveSettings({ env: { EMR_FLOW_SIGNATURE_VERSION: "v4" } }), (e: unknown) => EmrConfigError.isInstance(e) && e.message.includes("EMR_FLOW_SIGNATURE_VERSION"));
    });

    it("reads timeouts from explicit, stack config and environment, and rejects non-numbers", () => {
        const s = resolveSettings({
            explicit: { readTimeoutMs: 1234 },
            config: configOf({ "emr-flow:connectTimeoutMs": "2000", "emr-flow:readTimeoutMs": "9" }),
            env: { EMR_FLOW_CONNECT_TIMEOUT_MS: "7", EMR_FLOW_READ_TIMEOUT_MS: "8" },
        });
        assert.equal(s.readTimeoutMs, 1234);
        assert.equal(s.connectTimeoutMs, 2000);
        assert.equal(s.sources?.connectTimeoutMs, "stack config emr-flow:connectTimeoutMs");
        assert.equal(resolveSettings({ env: { EMR_FLOW_READ_TIMEOUT_MS: "8" } }).readTimeoutMs, 8);
        for (const bad of ["0", "-1", "1.5", "10s", "abc"]) {
            assert.throws(() => resolveSettings({ env: { EMR_FLOW_READ_TIMEOUT_MS: bad } }), (e: unknown) => EmrConfigError.isInstance(e) && e.code === "InvalidSetting", bad);
        }
    });

    it("passes retry overrides through", () => {
        assert.deepEqual(resolveSettings({ explicit: { retry: { maxAttempts: 2 } } }).retry, { maxAttempts: 2 });
    });
});
