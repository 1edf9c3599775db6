#!/usr/bin/env node
// Runs the TypeScript CLI directly, so a fresh clone needs no build step.
require("tsx/cjs");
require("../cli/main.ts")
  .main(process.argv)
  .then((code) => {
    process.exitCode = code;
  });
