#!/usr/bin/env node
// The dynamic provider host loads `pulumi-emr-flow/provider` on the first call of every
// deployment, and that load is most of a fresh host's first create: unbundled, it is about 30
// of this package's modules and about 95 of zod's, each resolved, read and compiled apart. This
// writes the same code as one file, `dist/provider/host.js`, with the parts of zod the schemas
// use (zod's ES modules, tree-shaken), which loads in a fraction of the time. The Alibaba Cloud
// SDK stays external: it is loaded from node_modules, as by any provider built on it. Nothing
// else changes: the file is built from the same sources as `dist/provider/adapter/index.js`
// (still there, with its declarations, for `pulumi-emr-flow/client` users and the types).
"use strict";
const fs = require("fs");
const path = require("path");
const esbuild = require("esbuild");

const root = path.resolve(__dirname, "..");
const zodDir = path.dirname(require.resolve("zod/package.json", { paths: [root] }));
const zod = JSON.parse(fs.readFileSync(path.join(zodDir, "package.json"), "utf8"));
const zodLicence = fs.readFileSync(path.join(zodDir, "LICENSE"), "utf8").trim();

esbuild.buildSync({
    absWorkingDir: root,
    entryPoints: ["provider/adapter/index.ts"],
    outfile: "dist/provider/host.js",
    bundle: true,
    platform: "node",
    target: "node20",
    format: "cjs",
    external: ["@alicloud/*"],
    // Readable code and names: a stack trace from the host points at code one can read.
    minify: false,
    legalComments: "eof",
    banner: {
        js: [
            "// pulumi-emr-flow: the FlowSubmission dynamic provider (provider/adapter and what it uses), bundled by scripts/bundle-provider.js.",
            `// It includes parts of zod ${zod.version} (https://github.com/colinhacks/zod), under this licence:`,
            ...zodLicence.split("\n").map((line) => `// ${line}`.trimEnd()),
        ].join("\n"),
    },
    logLevel: "warning",
});
