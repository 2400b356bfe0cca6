/**
 * `npm run bench`: every figure, printed as one table and written to `bench/results/latest.json`.
 * `--only <name>[,<name>]` runs some of them (names: overhead, size, cold, polling, many, memory,
 * and scale, which is slow and runs only when named);
 * `--quick` cuts iterations for a smoke run (its numbers are not the benchmark's);
 * `--profile <dir>` runs the overhead rows' hosts under the CPU profiler (`profiledHost.js`) and
 * leaves their `.cpuprofile` files there, for Chrome DevTools or any profile viewer.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

import { emulator, providerTexts, startHost, stopHost, type Figure } from "./common";
import { measureColdStart } from "./coldStart";
import { measureCreateOverhead } from "./createOverhead";
import { measureManyResources } from "./manyResources";
import { measureMemory } from "./memory";
import { measurePolling } from "./polling";
import { measureProviderSize } from "./providerSize";
import { measureScale } from "./scale";

const DEFAULT = ["overhead", "size", "cold", "polling", "many", "memory"] as const;
const ALL = [...DEFAULT, "scale"] as const;
type Name = (typeof ALL)[number];

function parseArgs(argv: string[]): { only: Set<Name>; quick: boolean; profileDir?: string } {
    const onlyAt = argv.indexOf("--only");
    const only = onlyAt >= 0 ? new Set(argv[onlyAt + 1].split(",") as Name[]) : new Set<Name>(DEFAULT);
    for (const n of only) if (!ALL.includes(n)) throw new Error(`unknown figure "${n}"; known: ${ALL.join(", ")}`);
    const profileAt = argv.indexOf("--profile");
    return { only, quick: argv.includes("--quick"), profileDir: profileAt >= 0 ? path.resolve(argv[profileAt + 1]) : undefined };
}

async function main(): Promise<void> {
    const { only, quick, profileDir } = parseArgs(process.argv.slice(2));
    const figures: Figure[] = [];
    const texts = await providerTexts();

    if (only.has("overhead")) {
        const emu = await emulator();
        const ours = await startHost(emu, { profileDir: profileDir && path.join(profileDir, "ours") });
        const minimal = await startHost(emu, { profileDir: profileDir && path.join(profileDir, "minimal") });
        try {
            const iterations = quick ? 20 : 120;
            const warmup = quick ? 5 : 20;
            figures.push(await measureCreateOverhead(emu, { ours: ours.host, minimal: minimal.host }, texts, { latencyMs: 20, iterations, warmup, goal: 1.05 }));
            figures.push(await measureCreateOverhead(emu, { ours: ours.host, minimal: minimal.host }, texts, { latencyMs: 0, iterations, warmup, goal: 1.15 }));
        } finally {
            await stopHost(ours);
            await stopHost(minimal);
            await emu.close();
        }
    }

    if (only.has("size")) figures.push(await measureProviderSize(texts.ours));
    if (only.has("polling")) figures.push(await measurePolling());

    if (only.has("cold") || only.has("many") || only.has("memory")) {
        const emu = await emulator();
        try {
            if (only.has("cold")) figures.push(await measureColdStart(emu, texts, { runs: quick ? 3 : 11, goal: 1.5 }));
            if (only.has("many")) figures.push(...(await measureManyResources(emu, texts, { goal: 1.3, unlimitedGoal: 1.2, unlimitedRuns: quick ? 1 : 7 })));
            if (only.has("memory")) figures.push(await measureMemory(emu, texts, { goal: 1.3 }));
        } finally {
            await emu.close();
        }
    }

    if (only.has("scale")) figures.push(...(await measureScale(texts, { goal: 1.3 })));

    printTable(figures);
    writeResults(figures, quick);
}

function fmt(x: number | null): string {
    if (x === null) return "-";
    return Math.abs(x) >= 100 ? x.toFixed(0) : Math.abs(x) >= 10 ? x.toFixed(1) : x.toFixed(2);
}

function printTable(figures: Figure[]): void {
    const rows = [["figure", "settings", "ours", "baseline", "ratio", "unit", "goal", "met?"]];
    for (const f of figures) rows.push([f.figure, settingsText(f.settings), fmt(f.ours), fmt(f.baseline), fmt(f.ratio), f.unit, f.goal, f.met ? "yes" : "NO"]);
    const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
    const line = (r: string[]): string => r.map((cell, c) => cell.padEnd(widths[c])).join("  ").trimEnd();
    console.log(line(rows[0]));
    console.log(widths.map((w) => "-".repeat(w)).join("  "));
    for (const r of rows.slice(1)) console.log(line(r));
    for (const f of figures) if (f.note) console.log(`\n${f.figure}: ${f.note}`);
}

/** A row's settings in a few words: "defaults", or the stack config it sets. */
export function settingsText(settings: Record<string, string>): string {
    const entries = Object.entries(settings);
    return entries.length === 0 ? "defaults" : entries.map(([k, v]) => `${k}=${v}`).join(", ");
}

/** The machine, not where it is: no paths, no host names. */
function machine(): Record<string, unknown> {
    const cpus = os.cpus();
    return { node: process.version, platform: `${os.platform()} ${os.arch()}`, cpuModel: cpus[0]?.model ?? "unknown", cores: cpus.length, memoryGiB: Math.round(os.totalmem() / 2 ** 30) };
}

function writeResults(figures: Figure[], quick: boolean): void {
    const dir = path.join(__dirname, "results");
    fs.mkdirSync(dir, { recursive: true });
    const pulumiVersion = (require("@pulumi/pulumi/package.json") as { version: string }).version;
    const sdkVersion = (require("@alicloud/openapi-client/package.json") as { version: string }).version;
    const doc = { date: new Date().toISOString(), quick, machine: machine(), versions: { "@pulumi/pulumi": pulumiVersion, "@alicloud/openapi-client": sdkVersion }, figures };
    fs.writeFileSync(path.join(dir, "latest.json"), JSON.stringify(doc, null, 2) + "\n");
}

main().then(
    () => process.exit(0),
    (err) => {
        console.error(err);
        process.exit(1);
    },
);
