/**
 * Installs the package the way a user gets it: `npm pack` of this repository, installed from
 * the tarball into a fresh project outside the repository, next to the same `@pulumi/pulumi`
 * the repository locks. The tarball is built once per test process.
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { tempDir } from "./testEnv";

const ROOT = path.resolve(__dirname, "..", "..");
let packed: Promise<string> | undefined;

/** Packs `dist/` (already built by `npm test`) without running the build again. */
export function packTarball(): Promise<string> {
    packed ??= Promise.resolve().then(() => {
        const dir = tempDir("emr-flow-pack-");
        const out = execFileSync("npm", ["pack", "--ignore-scripts", "--json", "--pack-destination", dir], { cwd: ROOT, encoding: "utf8" });
        const [{ filename }] = JSON.parse(out) as { filename: string }[];
        return path.join(dir, filename);
    });
    return packed;
}

function lockedVersion(name: string): string {
    const lock = JSON.parse(fs.readFileSync(path.join(ROOT, "package-lock.json"), "utf8")) as { packages: Record<string, { version: string }> };
    return lock.packages[`node_modules/${name}`].version;
}

/** A fresh project with the tarball and `@pulumi/pulumi` installed; returns its directory. */
export async function installFromTarball(project: string, files: Record<string, string>): Promise<string> {
    const tarball = await packTarball();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "emr-flow-user-"));
    fs.writeFileSync(path.join(dir, "package.json"), JSON.stringify({ name: project, private: true, version: "0.0.0" }, null, 2));
    fs.writeFileSync(path.join(dir, "Pulumi.yaml"), `name: ${project}\nruntime: nodejs\n`);
    for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), text);
    execFileSync(
        "npm",
        ["install", "--prefer-offline", "--no-audit", "--no-fund", "--loglevel=error", tarball, `@pulumi/pulumi@${lockedVersion("@pulumi/pulumi")}`],
        { cwd: dir, stdio: ["ignore", "ignore", "pipe"] },
    );
    return dir;
}
