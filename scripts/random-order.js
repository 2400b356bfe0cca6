#!/usr/bin/env node
// Runs every unit and mocks spec file alone, one mocha process per file, in a shuffled order,
// and reports each file's result. A file that passes in `npm test` but fails here depends on a
// test before it (state left in the process, a file, a running emulator) or on the order of its
// own tests' neighbours; a file that fails only in some orders depends on what ran before it
// outside the process (a shared HOME, a port, a journal).
//
//   npm run test:random                 a new seed, printed first
//   npm run test:random -- --seed 42    the same order again
//   npm run test:random -- --seed 42 test/runs/journal.spec.ts test/host/badInput.spec.ts
//                                       only these files, in the order seed 42 gives them
//
// The end-to-end suite (test/e2e, the Pulumi CLI) is left out: it is one file with its own
// set-up and is not a unit. Run `npm run build` first: some specs run the compiled package.
"use strict";
const { spawn } = require("child_process");
const fs = require("fs");
const path = require("path");

const ROOT = path.resolve(__dirname, "..");
// The emulator's seeded generator (mulberry32), from the build this script runs after: an order
// can be played again from its seed.
const { seededRandom } = require(path.join(ROOT, "dist", "emulator", "faults.js"));
const MOCHA = path.join(ROOT, "node_modules", "mocha", "bin", "mocha.js");

function usage(message) {
    if (message) process.stderr.write(`random-order: ${message}\n`);
    process.stderr.write("usage: node scripts/random-order.js [--seed N] [spec files...]\n");
    process.exit(2);
}

function parseArgs(argv) {
    let seed;
    const files = [];
    for (let i = 0; i < argv.length; i++) {
        const arg = argv[i];
        if (arg === "--seed") {
            const value = argv[++i];
            if (value === undefined || !/^\d{1,10}$/.test(value)) usage(`--seed takes a whole number, got ${JSON.stringify(value)}`);
            seed = Number(value) >>> 0;
        } else if (arg === "--help" || arg === "-h") {
            usage();
        } else if (arg.startsWith("-")) {
            usage(`unknown option ${arg}`);
        } else {
            files.push(arg);
        }
    }
    return { seed, files };
}

/** The settings each kind of spec runs with in `npm test`, read from its mocha config. */
function configFor(file) {
    const name = file.endsWith(".mocks.spec.ts") ? path.join("test", ".mocharc.mocks.json") : ".mocharc.json";
    const config = JSON.parse(fs.readFileSync(path.join(ROOT, name), "utf8"));
    return { require: config.require ?? [], timeout: config.timeout ?? 2000 };
}

function specFiles() {
    const found = [];
    const walk = (dir) => {
        for (const entry of fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true })) {
            const rel = path.posix.join(dir, entry.name);
            if (entry.isDirectory()) {
                if (rel === "test/e2e" || entry.name === "node_modules") continue;
                walk(rel);
            } else if (entry.name.endsWith(".spec.ts")) {
                found.push(rel);
            }
        }
    };
    walk("test");
    return found.sort();
}

function shuffle(items, random) {
    const out = [...items];
    for (let i = out.length - 1; i > 0; i--) {
        const j = Math.floor(random() * (i + 1));
        [out[i], out[j]] = [out[j], out[i]];
    }
    return out;
}

function runAlone(file) {
    const { require: requires, timeout } = configFor(file);
    const args = [MOCHA, "--no-config", ...requires.flatMap((r) => ["-r", r]), "--timeout", String(timeout), "--reporter", "dot", file];
    const started = Date.now();
    return new Promise((resolve) => {
        const child = spawn(process.execPath, args, { cwd: ROOT, env: process.env, stdio: ["ignore", "pipe", "pipe"] });
        let output = "";
        child.stdout.on("data", (d) => (output += d));
        child.stderr.on("data", (d) => (output += d));
        child.on("close", (code, signal) => {
            const passing = /(\d+) passing/.exec(output);
            const failing = /(\d+) failing/.exec(output);
            const pending = /(\d+) pending/.exec(output);
            resolve({
                file,
                ok: code === 0,
                code: signal ?? code,
                seconds: (Date.now() - started) / 1000,
                passing: passing ? Number(passing[1]) : 0,
                failing: failing ? Number(failing[1]) : 0,
                pending: pending ? Number(pending[1]) : 0,
                output,
            });
        });
    });
}

async function main() {
    const { seed: given, files: chosen } = parseArgs(process.argv.slice(2));
    const seed = given ?? Math.floor(Math.random() * 2 ** 31);
    const all = specFiles();
    for (const file of chosen) {
        if (!all.includes(file)) usage(`${file} is not a spec file this script runs (a path from the repository root, outside test/e2e)`);
    }
    const order = shuffle(chosen.length > 0 ? chosen : all, seededRandom(seed));
    process.stdout.write(`random-order: seed ${seed}, ${order.length} spec files, one mocha process each\n`);
    process.stdout.write(`random-order: again with: npm run test:random -- --seed ${seed}\n`);
    const results = [];
    for (const [i, file] of order.entries()) {
        const r = await runAlone(file);
        results.push(r);
        const counts = `${r.passing} passing${r.failing ? `, ${r.failing} failing` : ""}${r.pending ? `, ${r.pending} pending` : ""}`;
        process.stdout.write(`${String(i + 1).padStart(3)}/${order.length} ${r.ok ? "pass" : "FAIL"} ${file} (${counts}, ${r.seconds.toFixed(1)}s)\n`);
        if (!r.ok) process.stdout.write(`${r.output.trimEnd().split("\n").slice(-60).map((l) => `      | ${l}`).join("\n")}\n`);
    }
    const failed = results.filter((r) => !r.ok);
    const sum = (k) => results.reduce((n, r) => n + r[k], 0);
    process.stdout.write(
        `random-order: seed ${seed}: ${results.length - failed.length}/${results.length} files passed alone; ` +
            `${sum("passing")} tests passing, ${sum("failing")} failing, ${sum("pending")} pending\n`,
    );
    for (const r of failed) process.stdout.write(`random-order: failed alone: ${r.file} (exit ${r.code})\n`);
    process.exitCode = failed.length === 0 ? 0 : 1;
}

main().catch((err) => {
    process.stderr.write(`random-order: ${err && err.stack ? err.stack : err}\n`);
    process.exitCode = 1;
});
