// The built-in module "cloudflare:sockets" (https://developers.cloudflare.com/workers/runtime-apis/tcp-sockets/).
// wisp has no TCP sockets yet, so connect() always throws: in a Worker whose outbound is blocked
// (a dynamic Worker created with `globalOutbound: null`) with the error Workers gives there,
// elsewhere with one that says sockets are not supported. Importing the module works, so code
// that only imports it (a database driver that also speaks HTTP) still loads.
import { ops } from "./ops.js";

export function connect(address, options = undefined) {
  ops.socketConnect();  // throws
  throw new Error("connect() is not supported by wisp.");  // not reached
}

export const socketsModule = Object.freeze({ connect });
