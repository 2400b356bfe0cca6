/**
 * The SDK's argument types as a program compiled with `exactOptionalPropertyTypes` sees them, from
 * the declarations the package ships (`dist/sdk`). Under that setting an optional property
 * written `regionId?: string` refuses an explicit `undefined`, so a program cannot pass a value
 * read with `config.get()` (`string | undefined`) through: every `regionId` must accept it.
 * The same holds for every other optional argument, given `undefined` below. The repository's own
 * tsconfig does not turn the setting on, so the compiler runs here with it.
 */
import { strict as assert } from "assert";
import { execFile } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { promisify } from "util";

const ROOT = path.resolve(__dirname, "..", "..");
const TSC = path.join(ROOT, "node_modules", "typescript", "bin", "tsc");
const SDK = path.join(ROOT, "dist", "sdk");

const PROGRAM = (sdk: string) => `import type { FlowSubmissionArgs, FlowBackfillArgs, GetFlowInstanceArgs, GetFlowInstanceOutputArgs, GetFlowProjectArgs, GetFlowProjectOutputArgs, GetFlowArgs, GetFlowOutputArgs } from ${JSON.stringify(sdk)};
declare const region: string | undefined;
export const submission: FlowSubmissionArgs = { projectId: "FP-1", flowId: "F-1", regionId: region };
export const backfill: FlowBackfillArgs = { projectId: "FP-1", flowId: "F-1", regionId: region };
export const instance: GetFlowInstanceArgs = { projectId: "FP-1", instanceId: "FI-1", regionId: region };
export const instanceOutput: GetFlowInstanceOutputArgs = { projectId: "FP-1", instanceId: "FI-1", regionId: region };
export const project: GetFlowProjectArgs = { name: "p", regionId: region };
export const projectOutput: GetFlowProjectOutputArgs = { name: "p", regionId: region };
export const flow: GetFlowArgs = { projectId: "FP-1", name: "f", regionId: region };
export const flowOutput: GetFlowOutputArgs = { projectId: "FP-1", name: "f", regionId: region };
const u = undefined;
export const submissionAll: FlowSubmissionArgs = { projectId: "FP-1", flowId: "F-1", regionId: u, conf: u, triggers: u, waitFor: u, timeoutSeconds: u, killOnDelete: u };
export const backfillAll: FlowBackfillArgs = { projectId: "FP-1", flowId: "F-1", regionId: u, from: u, to: u, every: u, cyctimes: u, utcOffset: u, conf: u, maxConcurrent: u, waitFor: u, timeoutSeconds: u, killOnDelete: u, triggers: u };
export const projectAll: GetFlowProjectArgs = { name: u, projectId: u, regionId: u };
export const projectOutputAll: GetFlowProjectOutputArgs = { name: u, projectId: u, regionId: u };
export const flowAll: GetFlowArgs = { projectId: "FP-1", name: u, flowId: u, regionId: u };
export const flowOutputAll: GetFlowOutputArgs = { projectId: "FP-1", name: u, flowId: u, regionId: u };
// The setting is in force: a property that does not accept undefined refuses it.
interface Strict { regionId?: string }
// @ts-expect-error exactOptionalPropertyTypes refuses an explicit undefined here
export const control: Strict = { regionId: region };
`;

describe("SDK argument types under exactOptionalPropertyTypes", function () {
    this.timeout(120_000);

    it("every regionId accepts a value that may be undefined, and every optional argument an explicit undefined", async () => {
        assert.ok(fs.existsSync(path.join(SDK, "index.d.ts")), `${SDK} is missing: run npm run build first`);
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "emr-flow-exact-"));
        try {
            const file = path.join(dir, "args.ts");
            fs.writeFileSync(file, PROGRAM(SDK));
            const args = [TSC, "--noEmit", "--strict", "--exactOptionalPropertyTypes", "--skipLibCheck", "--types", "node", "--module", "commonjs", "--moduleResolution", "node", "--target", "es2022", file];
            const result = await promisify(execFile)(process.execPath, args, { cwd: ROOT }).then(
                () => ({ code: 0, out: "" }),
                (e: { code?: number; stdout?: string; stderr?: string }) => ({ code: e.code ?? 1, out: `${e.stdout ?? ""}${e.stderr ?? ""}` }),
            );
            assert.equal(result.code, 0, `tsc --exactOptionalPropertyTypes:\n${result.out}`);
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });
});
