/**
 * The compatibility matrix: the package's `npm pack` tarball installed into a fresh consumer
 * project, the TypeScript examples of the README compiled there by several TypeScript versions
 * under the tsconfigs Pulumi users have, with `skipLibCheck` off (so every declaration file the
 * package ships, and every one it drags in, is checked), and the README's unit-test example run
 * from each build with `node --test` under `pulumi.runtime.setMocks`.
 *
 * The consumer's own dependencies (the TypeScript versions, `@pulumi/pulumi`, `@types/node`) are
 * pinned by `test/host/compat/package-lock.json`, so a fresh machine installs exactly the same ones.
 */
import { strict as assert } from "assert";
import { execFile } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { promisify } from "util";
import { packTarball } from "../support/packInstall";

const run = promisify(execFile);
const ROOT = path.resolve(__dirname, "..", "..");
const FIXTURE = path.join(__dirname, "compat");
/** The README block that is run, not only compiled; its first line names the file. */
const TEST_FILE = "index.test.ts";

/** `pulumi new typescript`'s tsconfig until 2026 (pulumi/templates, typescript/tsconfig.json). */
const OLD_TEMPLATE = {
    strict: true,
    target: "es2020",
    module: "commonjs",
    moduleResolution: "node",
    sourceMap: true,
    experimentalDecorators: true,
    pretty: true,
    noFallthroughCasesInSwitch: true,
    noImplicitReturns: true,
    forceConsistentCasingInFileNames: true,
};
/** The current one: the same with `module` and `moduleResolution` `nodenext`. */
const CURRENT_TEMPLATE = { ...OLD_TEMPLATE, module: "nodenext", moduleResolution: "nodenext" };

interface Setup {
    name: string;
    compilerOptions: Record<string, unknown>;
    /** `"module"` for an ESM project (`"type": "module"` in its package.json). */
    type?: "module";
    typescript: string[];
}

const SETUPS: Setup[] = [
    { name: "old template (commonjs, node10)", compilerOptions: OLD_TEMPLATE, typescript: ["4.9", "5.0", "5.9"] },
    { name: "current template (nodenext, CommonJS)", compilerOptions: CURRENT_TEMPLATE, typescript: ["4.9", "5.0", "5.9", "6.0"] },
    { name: "ESM (nodenext, type module)", compilerOptions: CURRENT_TEMPLATE, type: "module", typescript: ["4.9", "5.0", "5.9"] },
    // Not 5.0: @pulumi/pulumi's own dependency @grpc/grpc-js fails it under bundler resolution with
    // skipLibCheck off (TS2709 on Long), with or without this package.
    { name: "bundler (esnext, bundler)", compilerOptions: { ...CURRENT_TEMPLATE, module: "esnext", moduleResolution: "bundler" }, type: "module", typescript: ["5.9"] },
];

/** Rows run two at a time: each compile checks every declaration file of @pulumi/pulumi and @types/node. */
const PARALLEL = Math.max(1, Math.min(2, os.cpus().length));

/** The README's ```ts blocks, each a file: the name on its first line (`// name.ts: …`) or readme-<n>.ts. */
export function readmeExamples(readme: string): { file: string; text: string }[] {
    const blocks = [...readme.matchAll(/^```ts\n([\s\S]*?)^```$/gm)].map((m) => m[1]);
    return blocks.map((text, i) => {
        const named = /^\/\/ ([\w.-]+\.ts)\b/.exec(text);
        return { file: named ? named[1] : `readme-${i + 1}.ts`, text };
    });
}

interface Row {
    setup: Setup;
    typescript: string;
    compile: "pass" | "fail" | "-";
    run: "pass" | "fail" | "-";
    /** What failed, with the compiler's or the test runner's output. */
    failure?: string;
}

describe("compatibility matrix: the tarball in consumer projects", function () {
    this.timeout(900_000);
    let dir: string;
    const rows: Row[] = SETUPS.flatMap((setup) => setup.typescript.map((typescript): Row => ({ setup, typescript, compile: "-", run: "-" })));
    let done: Promise<void>;

    before(async () => {
        const tarball = await packTarball();
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "emr-flow-compat-"));
        fs.copyFileSync(path.join(FIXTURE, "package.json"), path.join(dir, "package.json"));
        fs.copyFileSync(path.join(FIXTURE, "package-lock.json"), path.join(dir, "package-lock.json"));
        const npm = (args: string[]) => run("npm", [...args, "--prefer-offline", "--no-audit", "--no-fund", "--loglevel=error"], { cwd: dir });
        await npm(["ci"]);
        await npm(["install", "--no-save", tarball]);
        const examples = readmeExamples(fs.readFileSync(path.join(ROOT, "README.md"), "utf8"));
        const queue = [...rows];
        const worker = async (): Promise<void> => {
            for (let row = queue.shift(); row; row = queue.shift()) await runRow(dir, row, examples);
        };
        done = Promise.all(Array.from({ length: PARALLEL }, worker)).then(() => undefined);
    });
    after(() => {
        if (dir) fs.rmSync(dir, { recursive: true, force: true });
        const width = Math.max(...rows.map((r) => r.setup.name.length));
        console.log(`\n      ${"setup".padEnd(width)}  TS    compile  run`);
        for (const r of rows) console.log(`      ${r.setup.name.padEnd(width)}  ${r.typescript.padEnd(4)}  ${r.compile.padEnd(7)}  ${r.run}`);
    });

    it("the README's TypeScript examples include the unit test that is run, and a subpath import", () => {
        const examples = readmeExamples(fs.readFileSync(path.join(ROOT, "README.md"), "utf8"));
        assert.ok(examples.length >= 5, `found ${examples.length} examples`);
        assert.ok(examples.some((e) => e.file === TEST_FILE));
        assert.ok(examples.some((e) => e.text.includes('from "pulumi-emr-flow/client"')));
    });

    it("no public entry point's declarations reach zod's", () => {
        const installed = path.join(dir, "node_modules", "pulumi-emr-flow", "dist");
        const reachable = declarationsReachableFrom(installed, ["sdk/index.d.ts", "provider/client/index.d.ts", "provider/adapter/index.d.ts"]);
        assert.ok(reachable.has("sdk/flowSubmission.d.ts") && reachable.has("provider/client/emrFlowClient.d.ts") && reachable.has("provider/adapter/dynamicProvider.d.ts"));
        const withZod = [...reachable].filter((rel) => /from "zod|import\("zod/.test(fs.readFileSync(path.join(installed, rel), "utf8")));
        assert.deepEqual(withZod, []);
        // The walk does find zod where it is: the input schema, which only the provider loads.
        assert.match(fs.readFileSync(path.join(installed, "provider", "adapter", "schema.d.ts"), "utf8"), /from "zod\/mini"/);
    });

    for (const row of rows) {
        it(`${row.setup.name}, TypeScript ${row.typescript}: compiles with skipLibCheck off, and the unit-test example passes`, async () => {
            await done;
            assert.equal(row.compile, "pass", row.failure);
            assert.equal(row.run, "pass", row.failure);
        });
    }
});

/** Compiles the README's examples in a fresh project for one setup, then runs the unit-test example. */
async function runRow(dir: string, row: Row, examples: { file: string; text: string }[]): Promise<void> {
    const { setup, typescript } = row;
    const project = path.join(dir, `${slug(setup.name)}-ts${typescript}`);
    fs.mkdirSync(project);
    fs.writeFileSync(path.join(project, "package.json"), JSON.stringify({ name: slug(setup.name), private: true, ...(setup.type ? { type: setup.type } : {}) }));
    fs.writeFileSync(path.join(project, "tsconfig.json"), JSON.stringify({ compilerOptions: { ...setup.compilerOptions, outDir: "bin", skipLibCheck: false }, include: ["*.ts"] }, null, 2));
    for (const { file, text } of examples) fs.writeFileSync(path.join(project, file), text);
    const tsc = path.join(dir, "node_modules", `typescript-${typescript}`, "bin", "tsc");
    try {
        await run(process.execPath, [tsc, "-p", project, "--pretty", "false"], { cwd: project });
        row.compile = "pass";
    } catch (err) {
        const e = err as { stdout?: string; stderr?: string };
        row.compile = "fail";
        row.failure = `tsc ${typescript}:\n${e.stdout ?? ""}${e.stderr ?? ""}`;
        return;
    }
    try {
        const test = await run(process.execPath, ["--test", path.join(project, "bin", TEST_FILE.replace(/\.ts$/, ".js"))], { cwd: project });
        row.run = /^# pass 2$/m.test(test.stdout) && /^# fail 0$/m.test(test.stdout) ? "pass" : "fail";
        if (row.run === "fail") row.failure = `node --test:\n${test.stdout}`;
    } catch (err) {
        const e = err as { stdout?: string; stderr?: string };
        row.run = "fail";
        row.failure = `node --test:\n${e.stdout ?? ""}${e.stderr ?? ""}`;
    }
}

function slug(name: string): string {
    return name.replace(/[^a-z0-9]+/gi, "-").replace(/^-|-$/g, "").toLowerCase();
}

/** The package's declaration files reachable through relative imports from the given entries. */
function declarationsReachableFrom(root: string, entries: string[]): Set<string> {
    const seen = new Set<string>();
    const visit = (rel: string): void => {
        if (seen.has(rel)) return;
        seen.add(rel);
        const text = fs.readFileSync(path.join(root, rel), "utf8");
        for (const m of text.matchAll(/(?:from\s+|import\()\s*"(\.[^"]+)"/g)) {
            const base = path.join(path.dirname(rel), m[1]);
            const next = [`${base}.d.ts`, path.join(base, "index.d.ts")].find((c) => fs.existsSync(path.join(root, c)));
            if (next) visit(next);
        }
    };
    entries.forEach(visit);
    return seen;
}
