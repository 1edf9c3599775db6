#!/usr/bin/env node
// Runs the TypeScript CLI directly, so a fresh clone needs no build step.
require("tsx/cjs");
// `sluice … | head` closes the pipe early: that is not an error.
process.stdout.on("error", (err) => {
  if (err.code === "EPIPE") process.exit(0);
  throw err;
});
require("../cli/main.ts")
  .main(process.argv)
  .then((code) => {
    process.exitCode = code;
  });
