// As in Workers, time does not move while JavaScript computes without I/O (a side-channel
// defence); it moves again after the event loop ran (a timer here).
import { assert, assertEquals } from "wisp:test";

function spin(ms) {
  const start = globalThis.__realStart ?? 0;
  let x = 0;
  for (let i = 0; i < ms * 200000; i++) x += i % 7;
  return x + start;
}

export function dateNowIsFrozenDuringComputation() {
  const before = Date.now();
  spin(30);
  assertEquals(Date.now(), before);
}

export function performanceNowIsFrozenDuringComputation() {
  const before = performance.now();
  spin(30);
  assertEquals(performance.now(), before);
}

export async function timeMovesAfterATimer() {
  const before = Date.now();
  await new Promise((resolve) => setTimeout(resolve, 20));
  assert(Date.now() - before >= 15, `expected time to move by ~20ms, moved ${Date.now() - before}`);
}

export async function schedulerWaitResolvesAfterTheDelay() {
  const before = performance.now();
  await scheduler.wait(15);
  assert(performance.now() - before >= 10);
}

export async function microtasksRunBeforeTimers() {
  const order = [];
  setTimeout(() => order.push("timeout"), 0);
  queueMicrotask(() => order.push("microtask"));
  Promise.resolve().then(() => order.push("promise"));
  await new Promise((resolve) => setTimeout(resolve, 5));
  assertEquals(order, ["microtask", "promise", "timeout"]);
}
