// setTimeout, setInterval, queueMicrotask (https://html.spec.whatwg.org/#timers) and Workers'
// scheduler.wait().
import { assert, assertEquals, assertThrows } from "wisp:test";

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

export async function setTimeoutPassesArguments() {
  const args = await new Promise((resolve) => setTimeout((...a) => resolve(a), 1, "a", 2));
  assertEquals(args, ["a", 2]);
}

export async function timeoutsRunInOrder() {
  const order = [];
  setTimeout(() => order.push(2), 10);
  setTimeout(() => order.push(1), 0);
  await sleep(30);
  assertEquals(order, [1, 2]);
}

export async function negativeDelayIsZero() {
  let fired = false;
  setTimeout(() => { fired = true; }, -100);
  await sleep(5);
  assert(fired);
}

export function idsArePositiveAndDistinct() {
  const a = setTimeout(() => {}, 1000);
  const b = setInterval(() => {}, 1000);
  assert(Number.isInteger(a) && a > 0);
  assert(b > a);
  clearTimeout(a);
  clearInterval(b);
}

export async function clearTimeoutCancels() {
  let fired = false;
  const id = setTimeout(() => { fired = true; }, 1);
  clearTimeout(id);
  await sleep(10);
  assertEquals(fired, false);
}

export function clearIgnoresUnknownIds() {
  clearTimeout(123456);
  clearInterval(-1);
  clearTimeout();
  clearTimeout("nonsense");
  clearTimeout(null);
}

export async function intervalsRepeatUntilCleared() {
  let count = 0;
  await new Promise((resolve) => {
    const id = setInterval(() => {
      if (++count === 3) {
        clearInterval(id);
        resolve();
      }
    }, 1);
  });
  await sleep(10);
  assertEquals(count, 3);
}

export async function clearTimeoutAlsoClearsIntervals() {
  let count = 0;
  const id = setInterval(() => count++, 1);
  clearTimeout(id);  // one list for both, as in HTML
  await sleep(10);
  assertEquals(count, 0);
}

export function callbacksMustBeFunctions() {
  assertThrows(() => setTimeout("globalThis.evaluated = true", 1), TypeError);
  assertThrows(() => setInterval({}, 1), TypeError);
  assertThrows(() => setTimeout(), TypeError, "1 argument required, but only 0 present.");
  assertEquals(globalThis.evaluated, undefined);
}

export async function queueMicrotaskRunsBeforeTimers() {
  const order = [];
  setTimeout(() => order.push("timeout"), 0);
  queueMicrotask(() => order.push("microtask"));
  Promise.resolve().then(() => order.push("promise"));
  order.push("sync");
  await sleep(5);
  assertEquals(order, ["sync", "microtask", "promise", "timeout"]);
}

export function queueMicrotaskChecksItsArgument() {
  assertThrows(() => queueMicrotask(), TypeError, "1 argument required");
  assertThrows(() => queueMicrotask("code"), TypeError);
}

export async function schedulerWait() {
  const start = Date.now();
  const result = await scheduler.wait(5);
  assertEquals(result, undefined);
  assert(Date.now() >= start);
  assertEquals(Object.prototype.toString.call(scheduler), "[object Scheduler]");
}
