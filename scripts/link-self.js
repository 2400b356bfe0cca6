#!/usr/bin/env node
// Pulumi's dynamic provider host loads FlowSubmission's provider with
// require("pulumi-emr-flow/provider"), resolved from the Pulumi project's directory. A program
// that installed the package has it in node_modules; this repository's own examples and tests
// need the same name to resolve here, so link node_modules/pulumi-emr-flow to the repository.
//
// `npm install <anything>` prunes that link (it is in no lockfile), so the build makes it and the
// mocha configs require this file too: the tests make it again before any of them runs.
"use strict";
const fs = require("fs");
const path = require("path");

function linkSelf() {
    const root = path.resolve(__dirname, "..");
    const link = path.join(root, "node_modules", "pulumi-emr-flow");
    fs.mkdirSync(path.dirname(link), { recursive: true });
    try {
        const stat = fs.lstatSync(link);
        if (stat.isSymbolicLink() && path.resolve(path.dirname(link), fs.readlinkSync(link)) === root) return;
        fs.rmSync(link, { recursive: true, force: true });
    } catch (err) {
        if (err.code !== "ENOENT") throw err;
    }
    try {
        fs.symlinkSync(path.relative(path.dirname(link), root), link, "dir");
    } catch (err) {
        // Two test processes started at once: the other one made it.
        if (err.code !== "EEXIST") throw err;
    }
}

linkSelf();
