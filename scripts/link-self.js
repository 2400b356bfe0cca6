#!/usr/bin/env node
// Pulumi's dynamic provider host loads FlowSubmission's provider with
// require("pulumi-emr-flow/provider"), resolved from the Pulumi project's directory. A program
// that installed the package has it in node_modules; this repository's own examples and tests
// need the same name to resolve here, so link node_modules/pulumi-emr-flow to the repository.
"use strict";
const fs = require("fs");
const path = require("path");

const root = path.resolve(__dirname, "..");
const link = path.join(root, "node_modules", "pulumi-emr-flow");
fs.mkdirSync(path.dirname(link), { recursive: true });
try {
    const stat = fs.lstatSync(link);
    if (stat.isSymbolicLink() && path.resolve(path.dirname(link), fs.readlinkSync(link)) === root) process.exit(0);
    fs.rmSync(link, { recursive: true, force: true });
} catch (err) {
    if (err.code !== "ENOENT") throw err;
}
fs.symlinkSync(path.relative(path.dirname(link), root), link, "dir");
