// FinalizationRegistry: V8 runs its cleanup callbacks as tasks of its own; they are user JS and
// must run like any other (locked, in the context, under the limits), never crash the process.
import { assert } from "wisp:test";

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

export async function cleanupCallbacksRunAndTheWorkerCarriesOn() {
  let cleaned = 0;
  const registry = new FinalizationRegistry(() => { cleaned++; });
  for (let round = 0; round < 20 && cleaned === 0; round++) {
    for (let i = 0; i < 20000; i++) registry.register({ i }, i);
    const garbage = [];
    for (let i = 0; i < 200; i++) garbage.push(new Array(1000).fill(i));
    await sleep(1);  // a new entry into JS: V8's pending cleanup tasks run there
  }
  assert(cleaned > 0, "no cleanup callback ran after 400k collectable registrations");
}
