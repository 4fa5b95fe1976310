# workerd serving the host of bench/loader-bench.py on a free port (the script learns which one
# through --control-fd).
# Its Worker Loader keeps every named dynamic Worker until the process exits.
using Workerd = import "/workerd/workerd.capnp";

const config :Workerd.Config = (
  services = [ (name = "host", worker = .host) ],
  sockets = [ (name = "http", address = "127.0.0.1:0", http = (), service = "host") ],
);

const host :Workerd.Worker = (
  modules = [ (name = "host.js", esModule = embed "host.js") ],
  compatibilityDate = "2025-06-01",
  bindings = [ (name = "LOADER", workerLoader = ()) ],
);
