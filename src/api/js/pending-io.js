// Promises for asynchronous work done by C++ (io::Worker::awaitIo): C++ asks for a promise with
// internals.newIo(id) and later settles it with internals.settleIo(id, ok, value). Keeping the
// resolvers here means C++ holds no handle to JS across entries.
const pending = new Map();  // id -> { resolve, reject }

export function newIo(id) {
  return new Promise((resolve, reject) => pending.set(id, { resolve, reject }));
}

export function settleIo(id, ok, value) {
  const io = pending.get(id);
  if (io === undefined) return;
  pending.delete(id);
  (ok ? io.resolve : io.reject)(value);
}
