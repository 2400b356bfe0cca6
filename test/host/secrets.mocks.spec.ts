/**
 * The secrets scan: stacks deployed with STS credentials and a secret `conf` value, under the
 * faults that put request details into errors (dropped connections, slow answers, 503s, an
 * ambiguous submission that cannot be decided, a wrong token, a wrong secret), with both signature
 * versions (v2 puts the token and the signature in the URL). Everything they produce is searched
 * for the AccessKey secret, the STS token and the secret `conf` value: the `__provider` strings,
 * the state's inputs and outputs outside values marked secret, every line the provider printed,
 * every error message, and the submissions the provider recorded on disk.
 */
import { strict as assert } from "assert";
import { startEmulator, type FaultRule, type RunningEmulator } from "../../emulator";
import { isSecret, secret, type PropertyMap } from "../engine-imitation";
import { QUICK_FLOWS, RELIABILITY_SEED, Stack, TIME_SCALE, findSecrets, programOf, runsFor, type RunSpec } from "./reliabilityRun";
import { TEST_KEY_ID, TEST_KEY_SECRET, TEST_STS } from "../support/testEnv";

const SECRET_CONF_VALUE = "conf-secret-7f3a9c-never-print";
const SECRETS = [TEST_KEY_SECRET, TEST_STS.accessKeySecret, TEST_STS.securityToken, SECRET_CONF_VALUE];

const FAULTS: FaultRule[] = [
    { action: "SubmitFlow", kind: "drop-after", count: 1 },
    { action: "SubmitFlow", kind: "drop-before", count: 1 },
    { action: "SubmitFlow", kind: "delay", delayMs: 2500, count: 1 },
    { action: "*", kind: "http503", count: 3 },
    { action: "DescribeFlowInstance", kind: "drop-after", count: 2 },
];

describe("secrets: nothing the suites produce holds a credential or a secret conf value", function () {
    this.timeout(90_000);
    let emu: RunningEmulator;
    const stacks: Stack[] = [];

    before(async () => {
        emu = await startEmulator({ accessKeyId: TEST_KEY_ID, accessKeySecret: TEST_KEY_SECRET, stsCredentials: [TEST_STS], timeScale: TIME_SCALE, seed: RELIABILITY_SEED });
    });
    afterEach(() => emu.faults.clear());
    after(async () => {
        for (const s of stacks) s.dispose();
        await emu?.close();
    });

    const sts = (token: string = TEST_STS.securityToken, key: string = TEST_STS.accessKeySecret) => ({
        "alicloud:accessKey": TEST_STS.accessKeyId,
        "alicloud:secretKey": secret(key),
        "alicloud:securityToken": secret(token),
    });
    const withSecretConf = (runs: RunSpec[]): RunSpec[] => runs.map((r) => ({ ...r, conf: { ...r.conf, token: SECRET_CONF_VALUE }, secretConf: ["token"] }));

    async function deploy(name: string, runs: RunSpec[], opts: { signature: "v2" | "v3"; credentials?: ReturnType<typeof sts>; faults?: FaultRule[]; maxUps?: number }): Promise<Stack> {
        const stack = await Stack.start(emu, {
            project: `emr-flow-secrets-${name}`,
            credentials: opts.credentials ?? sts(),
            config: { "emr-flow:readTimeoutMs": "1000", "emr-flow:signatureVersion": opts.signature },
        });
        stacks.push(stack);
        for (const f of opts.faults ?? []) emu.faults.add(f);
        await stack.upUntilDone(programOf(runs), opts.maxUps ?? 3);
        emu.faults.clear();
        await stack.stop();
        return stack;
    }

    for (const signature of ["v3", "v2"] as const) {
        it(`STS credentials and a secret conf value under dropped, slow and failing calls (${signature} signature)`, async () => {
            const stack = await deploy(`faults-${signature}`, withSecretConf(runsFor(`secrets-${signature}`, 4, { waitFor: "completion" })), { signature, faults: FAULTS });
            assert.equal(stack.engine.state.size, 4, stack.errors.join("\n"));
            assert.ok(stack.printed.some((l) => /adopted FI-/.test(l)), "an ambiguous submission was resolved, so its messages are in the scan");
            // The program marks the conf value secret; the engine keeps it secret in state at that path.
            assert.ok([...stack.secretPaths.values()].every((paths) => paths.includes("conf.token")), JSON.stringify([...stack.secretPaths]));
            // What the host returned keeps the value at conf.token, where the engine re-marks it
            // secret; returned anywhere else (or renamed) it would stay plain and fail the scan.
            for (const urn of stack.engine.state.keys()) {
                const conf = stack.engineOutputs(urn).conf as PropertyMap;
                assert.ok(isSecret(conf.token), `conf.token of ${urn} is secret in state: ${JSON.stringify(conf)}`);
                assert.equal(conf.token.value, SECRET_CONF_VALUE);
            }
            scanned(stack.produced(), ["__provider", "provider output", "state outputs", "state inputs", "recorded submission"]);
            assert.deepEqual(findSecrets(stack.produced(), SECRETS), []);
        });
    }

    it("an ambiguity that cannot be decided, with a secret conf value", async () => {
        const same: RunSpec[] = ["a", "b"].map((s) => ({ name: `same-${s}`, flowId: QUICK_FLOWS[1]!, conf: { row: "secrets-same", cyctime: String(Date.UTC(2027, 0, 1)), token: SECRET_CONF_VALUE }, secretConf: ["token"], waitFor: "submission" }));
        const stack = await deploy("ambiguous", same, { signature: "v2", faults: [{ action: "SubmitFlow", kind: "drop-after", count: 2 }], maxUps: 1 });
        assert.ok(stack.errors.some((e) => e.includes("could be it")), stack.errors.join("\n"));
        scanned(stack.produced(), ["__provider", "provider output", "error message", "recorded submission"]);
        assert.deepEqual(findSecrets(stack.produced(), SECRETS), []);
    });

    for (const signature of ["v3", "v2"] as const) {
        it(`a wrong STS token and a wrong secret are reported without either value (${signature})`, async () => {
            const wrongToken = await deploy(`wrong-token-${signature}`, withSecretConf(runsFor(`secrets-token-${signature}`, 1)), { signature, credentials: sts(`${TEST_STS.securityToken}-stale`), maxUps: 1 });
            assert.ok(wrongToken.errors.some((e) => /InvalidSecurityToken/.test(e)), wrongToken.errors.join("\n"));
            const wrongSecret = await deploy(`wrong-secret-${signature}`, withSecretConf(runsFor(`secrets-key-${signature}`, 1)), { signature, credentials: sts(TEST_STS.securityToken, `${TEST_STS.accessKeySecret}-old`), maxUps: 1 });
            assert.ok(wrongSecret.errors.some((e) => /SignatureDoesNotMatch/.test(e)), wrongSecret.errors.join("\n"));
            scanned([...wrongToken.produced(), ...wrongSecret.produced()], ["__provider", "error message"]);
            assert.deepEqual(findSecrets([...wrongToken.produced(), ...wrongSecret.produced()], [...SECRETS, `${TEST_STS.securityToken}-stale`, `${TEST_STS.accessKeySecret}-old`]), []);
        });
    }

});

/** Fails unless the scan had something from each of `wheres` to search (a scan of nothing finds nothing). */
function scanned(produced: { where: string; text: string }[], wheres: string[]): void {
    for (const where of wheres) {
        assert.ok(produced.some((p) => p.where.startsWith(where) && p.text.length > 0), `the scan covered ${where}`);
    }
}
