// Mutation testing of the provider's core: `npm run mutation` (not part of `npm test`: it takes
// minutes). One file at a time: `npm run mutation -- --mutate provider/client/retry.ts`.
// The report is written to reports/mutation/ (HTML) and summarized on the console.

/** The files mutated: the provider's core and its lifecycle. */
const MUTATE = [
    "provider/client/retry.ts",
    "provider/client/throttle.ts",
    "provider/client/errors.ts",
    "provider/client/classify.ts",
    "provider/runs/adopt.ts",
    "provider/runs/waiter.ts",
    "provider/runs/journal.ts",
    "provider/runs/inputs.ts",
    "provider/runs/submit.ts",
    "provider/runs/stop.ts",
    "provider/adapter/*.ts",
];

/**
 * The unit specs that exercise those files in-process, each in well under a second: no provider
 * host, no emulator process, no Pulumi CLI (those load the compiled package by name, which
 * mutants never reach).
 */
const SPECS = [
    "test/client/retry.spec.ts",
    "test/client/throttle.spec.ts",
    "test/client/errors.spec.ts",
    "test/client/classify.spec.ts",
    "test/client/answers.spec.ts",
    "test/client/failuresDoc.spec.ts",
    "test/client/settings.spec.ts",
    "test/runs/waiter.spec.ts",
    "test/runs/submissionRecord.spec.ts",
    "test/runs/journal.spec.ts",
    "test/runs/adoptCorners.spec.ts",
    "test/adapter/dynamicProvider.spec.ts",
    "test/adapter/providerLifecycle.spec.ts",
];

/** @type {import("@stryker-mutator/api/core").PartialStrykerOptions} */
export default {
    packageManager: "npm",
    testRunner: "mocha",
    mutate: MUTATE,
    mochaOptions: {
        // The repository's .mocharc.json lists every spec; only the fast ones run here.
        "no-config": true,
        spec: SPECS,
        require: ["ts-node/register/transpile-only"],
    },
    coverageAnalysis: "perTest",
    // The machine running it is usually shared: two test processes at most.
    concurrency: 2,
    timeoutMS: 10000,
    ignorePatterns: ["dist", "reports", "bench", "examples", "*.tgz"],
    reporters: ["clear-text", "progress", "html"],
    htmlReporter: { fileName: "reports/mutation/index.html" },
    thresholds: { high: 85, low: 70, break: null },
    cleanTempDir: "always",
    tempDirName: ".stryker-tmp",
};
