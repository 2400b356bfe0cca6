import { strict as assert } from "assert";
import * as fs from "fs";
import * as http from "http";
import type { AddressInfo } from "net";
import * as path from "path";
import * as util from "util";
import { CHAIN_PLACES, chainCredentials, credentialProvider, openApiCredential, staticCredentials } from "../../provider/client/credentials";
import { CredentialsError } from "../../provider/client/errors";
import { Redactor } from "../../provider/client/redact";
import { resolveSettings } from "../../provider/client/settings";
import { isolatedEnvironment } from "../support/testEnv";

const SECRET = "credentials-spec-secret-5a4b3c2d1e";
const TOKEN = "credentials-spec-sts-token-9z8y7x";



function writeFile(file: string, content: string): void {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, content, { mode: 0o600 });
}

async function withServer(handler: http.RequestListener, fn: (url: string) => Promise<void>): Promise<void> {
    const server = http.createServer(handler);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
        await fn(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
    } finally {
        await new Promise<void>((resolve) => server.close(() => resolve()));
    }
}

function assertNoSecret(value: unknown, ...secrets: string[]): void {
    const e = value as Error;
    for (const text of [e.message, String(e.stack), JSON.stringify(e), util.inspect(e, { depth: 10, showHidden: true })]) {
        for (const secret of secrets) assert.ok(!text.includes(secret), `secret leaked in: ${text}`);
    }
}

describe("credentials: static key pairs", () => {
    it("hand out the pair and say where it came from", async () => {
        const provider = credentialProvider(staticCredentials("AKID", SECRET, TOKEN, "stack config alicloud:accessKey"));
        assert.deepEqual(await provider.get(), { accessKeyId: "AKID", accessKeySecret: SECRET, securityToken: TOKEN, source: "stack config alicloud:accessKey" });
        assert.equal(provider.describe(), "stack config alicloud:accessKey");
    });

    it("teach the redactor the secrets they hand to the SDK", async () => {
        const redactor = new Redactor();
        const model = await openApiCredential(credentialProvider(staticCredentials("AKID", SECRET, TOKEN)), redactor).getCredential();
        assert.equal(model.type, "sts");
        assert.equal(redactor.scrub(`x ${SECRET} y ${encodeURIComponent(TOKEN)}`).includes(SECRET), false);
    });
});

describe("credentials: the default chain", () => {
    const env = isolatedEnvironment();

    it("reads a credentials file in HOME (~/.alibabacloud/credentials)", async () => {
        writeFile(path.join(env.home(), ".alibabacloud", "credentials"), `[default]\ntype = access_key\naccess_key_id = FILEID\naccess_key_secret = ${SECRET}\n`);
        const settings = resolveSettings({ env: {} });
        assert.equal(settings.credentials.kind, "chain");
        const provider = credentialProvider(settings.credentials);
        const creds = await provider.get();
        assert.equal(creds.accessKeyId, "FILEID");
        assert.equal(creds.accessKeySecret, SECRET);
        assert.match(creds.source, /credentials file/);
        assert.match(provider.describe(), /credentials file/);
    });

    it("reads the profile named by ALIBABA_CLOUD_PROFILE", async () => {
        writeFile(path.join(env.home(), ".alibabacloud", "credentials"), `[default]\ntype = access_key\naccess_key_id = D\naccess_key_secret = d-secret-xxxxx\n[ops]\ntype = access_key\naccess_key_id = OPS\naccess_key_secret = ${SECRET}\n`);
        process.env.ALIBABA_CLOUD_PROFILE = "ops";
        const creds = await credentialProvider(chainCredentials()).get();
        assert.equal(creds.accessKeyId, "OPS");
    });

    it("reads an aliyun CLI profile (~/.aliyun/config.json) when the CLI profile is enabled", async () => {
        delete process.env.ALIBABA_CLOUD_CLI_PROFILE_DISABLED;
        writeFile(
            path.join(env.home(), ".aliyun", "config.json"),
            JSON.stringify({ current: "default", profiles: [{ name: "default", mode: "StsToken", access_key_id: "CLIID", access_key_secret: SECRET, sts_token: TOKEN, region_id: "cn-hangzhou" }] }),
        );
        const creds = await credentialProvider(chainCredentials()).get();
        assert.deepEqual({ id: creds.accessKeyId, secret: creds.accessKeySecret, token: creds.securityToken }, { id: "CLIID", secret: SECRET, token: TOKEN });
        assert.match(creds.source, /CLI profile/);
    });

    it("reads STS credentials from ALIBABA_CLOUD_CREDENTIALS_URI", async () => {
        await withServer(
            (_req, res) => {
                res.setHeader("content-type", "application/json");
                res.end(JSON.stringify({ Code: "Success", AccessKeyId: "STS.URI", AccessKeySecret: SECRET, SecurityToken: TOKEN, Expiration: "2099-01-01T00:00:00Z" }));
            },
            async (url) => {
                process.env.ALIBABA_CLOUD_CREDENTIALS_URI = url;
                const creds = await credentialProvider(chainCredentials()).get();
                assert.deepEqual({ id: creds.accessKeyId, token: creds.securityToken }, { id: "STS.URI", token: TOKEN });
                assert.match(creds.source, /credentials URI/);
            },
        );
    });

    it("finds nothing and says, in one error, every place it looked, by name only", async () => {
        const settings = resolveSettings({ env: {} });
        const provider = credentialProvider(settings.credentials);
        await assert.rejects(provider.get(), (e: unknown) => {
            assert.ok(CredentialsError.isInstance(e));
            assert.equal(e.code, "CredentialsNotFound");
            assert.equal(e.retryable, false);
            for (const place of ["alicloud:accessKey", "ALIBABA_CLOUD_ACCESS_KEY_ID", "ALICLOUD_ACCESS_KEY", ".aliyun/config.json", ".alibabacloud/credentials", "ECS instance RAM role", "ALIBABA_CLOUD_CREDENTIALS_URI", "OIDC"]) {
                assert.ok(e.message.includes(place), `${place} missing from: ${e.message}`);
            }
            assert.match(e.message, /the CLI profile is disabled/);
            assert.match(e.message, /IMDS credentials is disabled/);
            for (const place of CHAIN_PLACES) assert.ok(e.lookedAt.includes(place));
            return true;
        });
    });

    it("never quotes a credentials file it could not parse", async () => {
        delete process.env.ALIBABA_CLOUD_CLI_PROFILE_DISABLED;
        writeFile(path.join(env.home(), ".aliyun", "config.json"), `{"profiles":[{"name":"default","mode":"AK","access_key_secret":"${SECRET}"`);
        await assert.rejects(credentialProvider(chainCredentials()).get(), (e: unknown) => {
            assert.ok(CredentialsError.isInstance(e));
            assert.match(e.message, /details withheld/);
            assertNoSecret(e, SECRET);
            return true;
        });
    });

    it("never quotes what a credentials URI answered", async () => {
        await withServer(
            (_req, res) => {
                res.statusCode = 500;
                res.end(`{"AccessKeySecret":"${SECRET}","SecurityToken":"${TOKEN}"}`);
            },
            async (url) => {
                process.env.ALIBABA_CLOUD_CREDENTIALS_URI = url;
                await assert.rejects(credentialProvider(chainCredentials()).get(), (e: unknown) => {
                    assert.ok(CredentialsError.isInstance(e));
                    assertNoSecret(e, SECRET, TOKEN);
                    return true;
                });
            },
        );
    });

    it("does not stick to a failure: a profile added later is found", async () => {
        const provider = credentialProvider(chainCredentials());
        await assert.rejects(provider.get(), (e: unknown) => CredentialsError.isInstance(e));
        writeFile(path.join(env.home(), ".alibabacloud", "credentials"), `[default]\ntype = access_key\naccess_key_id = LATER\naccess_key_secret = ${SECRET}\n`);
        assert.equal((await provider.get()).accessKeyId, "LATER");
    });

    it("loads @alicloud/credentials only when the chain is needed", async () => {
        let loads = 0;
        const provider = credentialProvider(staticCredentials("A", SECRET), () => {
            loads++;
            throw new Error("should not load");
        });
        await provider.get();
        assert.equal(loads, 0);
    });
});
