// The "urlpattern" area: loaded on first use (see ../lazy.js). Exports its globals by name.
//
// https://urlpattern.spec.whatwg.org/ from the npm package urlpattern-polyfill (bundled at build
// time; its module entry without the part that installs a global). Known differences from the
// current spec are listed in tests/wpt/expectations/urlpattern.json.
import { URLPattern } from "urlpattern-polyfill/urlpattern";
import { configureInterface } from "../webidl.js";

// Web IDL shape: enumerable members (console.log then shows the components, as for URL).
configureInterface(URLPattern, "URLPattern");

export { URLPattern };
