import * as fs from "fs";
import * as os from "os";
import * as path from "path";

/**
 * Credentials the tests give the emulator and the provider, and the environment every process
 * under test runs with: nothing may reach beyond loopback, so Alibaba's credential chain must
 * not try the ECS metadata address, STS, a profile in the real home, or OIDC.
 */
export const TEST_KEY_ID = "LTAI-test-key-id";
export const TEST_KEY_SECRET = "test-key-secret-3c9d8e1f-never-print";
export const TEST_STS = {
    accessKeyId: "STS.test-sts-key-id",
    accessKeySecret: "test-sts-secret-5a7b-never-print",
    securityToken: "test-sts-token-9e2f4c-never-print",
};
export const TEST_STS_TOKEN = TEST_STS.securityToken;

/**
 * Variables that would let a process find credentials, regions, endpoints or settings outside
 * the test's control. Tests clear them (in-process) or blank them (child processes).
 */
export const ISOLATED_VARIABLES = [
    "ALIBABA_CLOUD_ACCESS_KEY_ID",
    "ALIBABA_CLOUD_ACCESS_KEY_SECRET",
    "ALIBABA_CLOUD_SECURITY_TOKEN",
    "ALICLOUD_ACCESS_KEY",
    "ALICLOUD_SECRET_KEY",
    "ALICLOUD_SECURITY_TOKEN",
    "ALIBABA_CLOUD_REGION",
    "ALICLOUD_REGION",
    "ALIBABA_CLOUD_ENDPOINT_EMR",
    "ALIBABA_CLOUD_ROLE_ARN",
    "ALIBABA_CLOUD_OIDC_PROVIDER_ARN",
    "ALIBABA_CLOUD_OIDC_TOKEN_FILE",
    "ALIBABA_CLOUD_PROFILE",
    "ALIBABA_CLOUD_CREDENTIALS_FILE",
    "ALIBABA_CLOUD_CREDENTIALS_URI",
    "ALIBABA_CLOUD_ECS_METADATA",
    "ALIBABA_CLOUD_ECS_METADATA_DISABLED",
    "ALIBABA_CLOUD_CLI_PROFILE_DISABLED",
    "EMR_FLOW_SIGNATURE_VERSION",
    "EMR_FLOW_CONNECT_TIMEOUT_MS",
    "EMR_FLOW_READ_TIMEOUT_MS",
    "EMR_FLOW_MAX_REQUESTS_PER_SECOND",
    "EMR_FLOW_JOURNAL_DIR",
    "HOME",
    "USERPROFILE",
];

/** The environment for a child process under test: ambient credentials blanked, lookups off, a temporary HOME. */
export function hostEnv(home: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
    const env: NodeJS.ProcessEnv = {};
    for (const name of ISOLATED_VARIABLES) env[name] = "";
    return { ...env, HOME: home, ALIBABA_CLOUD_ECS_METADATA_DISABLED: "true", ALIBABA_CLOUD_CLI_PROFILE_DISABLED: "true", ...extra };
}

/**
 * Runs each test with a temporary HOME, instance metadata and (unless a test turns it back on)
 * the CLI profile disabled, and no credential variables; restores the environment after.
 */
export function isolatedEnvironment(): { home(): string } {
    let saved: Record<string, string | undefined> = {};
    let home = "";
    beforeEach(() => {
        saved = Object.fromEntries(ISOLATED_VARIABLES.map((name) => [name, process.env[name]]));
        for (const name of ISOLATED_VARIABLES) delete process.env[name];
        home = fs.mkdtempSync(path.join(os.tmpdir(), "emr-flow-env-"));
        process.env.HOME = home;
        process.env.USERPROFILE = home;
        process.env.ALIBABA_CLOUD_ECS_METADATA_DISABLED = "true";
        process.env.ALIBABA_CLOUD_CLI_PROFILE_DISABLED = "true";
    });
    afterEach(() => {
        for (const name of ISOLATED_VARIABLES) {
            if (saved[name] === undefined) delete process.env[name];
            else process.env[name] = saved[name];
        }
        fs.rmSync(home, { recursive: true, force: true });
    });
    return { home: () => home };
}

const temporary = new Set<string>();
let removeOnExit = false;

/**
 * A new temporary directory, removed when the test process exits (hosts that used it as HOME have
 * exited by then) unless the test removed it first.
 */
export function tempDir(prefix: string): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
    temporary.add(dir);
    if (!removeOnExit) {
        removeOnExit = true;
        process.once("exit", () => {
            for (const d of temporary) fs.rmSync(d, { recursive: true, force: true });
        });
    }
    return dir;
}

const homes = new WeakMap<object, string>();

/** The HOME a host started by {@link startConfiguredHost} runs with (its submission record is under it). */
export function homeOf(host: object): string {
    const home = homes.get(host);
    if (home === undefined) throw new Error("not a host started by startConfiguredHost");
    return home;
}

/** The files of the submission record under `home` (`~/.pulumi-emr-flow/submissions`), as the secrets scans read them. */
export function recordedSubmissions(home: string): { where: string; text: string }[] {
    const dir = path.join(home, ".pulumi-emr-flow", "submissions");
    if (!fs.existsSync(dir)) return [];
    return fs.readdirSync(dir).map((name) => ({ where: `recorded submission ${name}`, text: fs.readFileSync(path.join(dir, name), "utf8") }));
}

/**
 * Starts the real dynamic provider host for `project` (in `cwd`, default the repository root)
 * with a temporary HOME, and configures it the way `pulumi up` would with the test credentials,
 * region cn-hangzhou and the emulator as endpoint. `config` adds to or overrides that config.
 */
export async function startConfiguredHost(
    endpoint: string,
    project: string,
    opts: { cwd?: string; config?: Record<string, string>; secretKeys?: string[] } = {},
): Promise<import("../engine-imitation").ProviderHost> {
    const { ProviderHost, secret } = await import("../engine-imitation");
    const home = tempDir("emr-flow-home-");
    const host = await ProviderHost.start({ cwd: opts.cwd ?? path.resolve(__dirname, "..", ".."), project, stack: "dev", env: hostEnv(home) });
    homes.set(host, home);
    await host.configure(
        { "alicloud:accessKey": TEST_KEY_ID, "alicloud:secretKey": secret(TEST_KEY_SECRET), "alicloud:region": "cn-hangzhou", "emr-flow:endpoint": endpoint, ...opts.config },
        { secretKeys: ["alicloud:secretKey", "alicloud:securityToken", ...(opts.secretKeys ?? [])] },
    );
    return host;
}
