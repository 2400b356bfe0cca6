/**
 * The dependency arrows of the source tree, read from the sources: the Pulumi adapter uses the
 * operations on runs, which use the EMR API client, and nothing points back. The command line
 * stands beside the adapter: it uses runs and the client, never the adapter.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";

const ROOT = path.resolve(__dirname, "..");

/** Each folder and the folders its files may not import from. */
const FORBIDDEN: Record<string, string[]> = {
    "provider/client": ["provider/runs", "provider/adapter", "cli", "sdk", "emulator"],
    "provider/runs": ["provider/adapter", "cli", "sdk", "emulator"],
    "provider/adapter": ["cli", "sdk", "emulator"],
    cli: ["provider/adapter", "emulator"],
};

/** Every relative module a source names: static imports, re-exports, `require` and `import()`. */
export function relativeSpecifiers(source: string): string[] {
    const out: string[] = [];
    const pattern = /(?:\bfrom\s+|\brequire\s*\(\s*|\bimport\s*\(\s*|^\s*import\s+)(["'])(\.[^"']*)\1/gm;
    for (let m = pattern.exec(source); m; m = pattern.exec(source)) out.push(m[2]);
    return out;
}

function sourcesUnder(dir: string): string[] {
    return fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true }).flatMap((e) => {
        const rel = path.posix.join(dir, e.name);
        if (e.isDirectory()) return sourcesUnder(rel);
        return e.name.endsWith(".ts") ? [rel] : [];
    });
}

function violations(folder: string): string[] {
    const found: string[] = [];
    for (const file of sourcesUnder(folder)) {
        for (const spec of relativeSpecifiers(fs.readFileSync(path.join(ROOT, file), "utf8"))) {
            const target = path.posix.normalize(path.posix.join(path.posix.dirname(file), spec));
            const bad = FORBIDDEN[folder].find((f) => target === f || target.startsWith(`${f}/`));
            if (bad) found.push(`${file} imports ${spec} (${bad})`);
        }
    }
    return found;
}

describe("layering: imports run adapter → runs → client, the command line beside the adapter", () => {
    it("finds every kind of relative import in a source", () => {
        const sample = [
            `import { a } from "../runs/submit";`,
            `import type { B } from '../adapter/state';`,
            `export { c } from "./c";`,
            `import "./side-effect";`,
            `const d = require("../client/errors") as typeof import("../client/retry");`,
            `import * as fs from "fs";`,
        ].join("\n");
        assert.deepEqual(relativeSpecifiers(sample), ["../runs/submit", "../adapter/state", "./c", "./side-effect", "../client/errors", "../client/retry"]);
    });

    for (const folder of Object.keys(FORBIDDEN)) {
        it(`${folder} imports nothing from ${FORBIDDEN[folder].join(", ")}`, () => {
            assert.ok(sourcesUnder(folder).length > 0, `${folder} has no sources`);
            assert.deepEqual(violations(folder), []);
        });
    }

    for (const folder of ["provider/client", "provider/runs", "provider/adapter"]) {
        it(`${folder}/index.ts says in its first line what the folder holds`, () => {
            const first = fs.readFileSync(path.join(ROOT, folder, "index.ts"), "utf8").split("\n")[0];
            assert.match(first, /^\/\/ The |^\/\/ Operations /);
        });
    }
});
