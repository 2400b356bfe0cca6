#!/usr/bin/env node
// `npm run build` starts from an empty dist/, so a module that was renamed or removed in the
// sources cannot linger in dist/ and be packed into the tarball.
"use strict";
const fs = require("fs");
const path = require("path");

fs.rmSync(path.resolve(__dirname, "..", "dist"), { recursive: true, force: true });
