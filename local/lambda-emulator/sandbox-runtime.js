/**
 * The Node.js runtime inside one execution environment (a worker thread) of
 * the Lambda emulator: loads the function's module (TypeScript through tsx),
 * then runs one invocation at a time, as Lambda does, answering each with its
 * result or the runtime's error payload. Terminating the thread is how the
 * emulator resets a timed-out environment: nothing the function started
 * (timers, sockets, pending writes) goes on after that.
 */
"use strict";
const { parentPort, workerData } = require("node:worker_threads");

if (workerData.clockOffsetMs) {
  // The environment's wall clock, shifted like the pipeline's (sluice local starts providers at their next open window).
  const realNow = Date.now.bind(Date);
  Date.now = () => realNow() + workerData.clockOffsetMs;
}
require("tsx/cjs");

let handler;
try {
  const loaded = require(workerData.module)[workerData.export];
  if (typeof loaded !== "function") throw new TypeError(`${workerData.module} does not export a function "${workerData.export}"`);
  handler = workerData.factory ? loaded(workerData.config) : loaded;
  if (typeof handler !== "function") throw new TypeError(`${workerData.module}'s "${workerData.export}" did not return a handler`);
} catch (error) {
  parentPort.postMessage({ type: "init-error", errorType: "Runtime.ImportModuleError", errorMessage: String(error && error.message ? error.message : error) });
  handler = undefined;
}

parentPort.on("message", async (m) => {
  if (m.type !== "invoke" || !handler) return;
  const deadline = Date.now() + m.remainingMs;
  const context = { ...m.context, callbackWaitsForEmptyEventLoop: true, getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()) };
  try {
    const value = await handler(m.event, context);
    const text = JSON.stringify(value);
    parentPort.postMessage({ type: "result", id: m.id, value: text === undefined ? null : JSON.parse(text) });
  } catch (error) {
    const e = error instanceof Error ? error : new Error(String(error));
    parentPort.postMessage({ type: "error", id: m.id, errorType: e.name, errorMessage: e.message, trace: String(e.stack || "").split("\n").filter(Boolean) });
  }
});
parentPort.postMessage({ type: "ready" });
