// https://fetch.spec.whatwg.org/#request-class
//
// The members a Worker can use, plus Workers' `cf`. As in Workers, the members that only mean
// something to a browser (mode, credentials, referrer, referrerPolicy, priority, window) are
// ignored in init and absent from the object; `cache` takes only the modes Workers has, and
// `integrity` only "" (nothing is checked). Where Workers differs from the spec, it wins: a
// Request built from another Request shares its signal, a new `body` in init replaces the
// input's body instead of reading it, a GET or HEAD request passed through with its body
// unchanged keeps it, and init may be another Request.
import { AbortSignal, isAbortSignal } from "../abort.js";
import {
  configureInterface, constructPrefix, converters, createEnumConverter, illegalInvocation,
  internalKey, isObject, makeException, requiredArguments,
} from "../webidl.js";
import { parseRequestURL } from "./base-url.js";
import { Body, extractBody, innerOf, lockedMessage } from "./body.js";
import { cloneHeaders, headersFromInit, headersFromList, setHeaderIfAbsent } from "./headers.js";

// https://fetch.spec.whatwg.org/#concept-method
const methodPattern = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
// https://fetch.spec.whatwg.org/#concept-method-normalize
const normalizedMethods = new Set(["DELETE", "GET", "HEAD", "OPTIONS", "POST", "PUT"]);
// https://fetch.spec.whatwg.org/#forbidden-method
const forbiddenMethods = new Set(["CONNECT", "TRACE", "TRACK"]);

const convertRedirect = createEnumConverter("RequestRedirect", ["follow", "error", "manual"]);
// https://fetch.spec.whatwg.org/#requestcache: Workers' subset (the others throw).
const cacheModes = new Set(["no-store", "no-cache", "reload"]);
// As in Workers, a ReadableStream body does not need `duplex: "half"`; other values are refused.
const convertDuplex = createEnumConverter("RequestDuplex", ["half"]);

function convertMethod(value, prefix, context) {
  const method = converters.ByteString(value, prefix, context);
  const upper = method.toUpperCase();
  if (!methodPattern.test(method) || forbiddenMethods.has(upper)) {
    throw new TypeError(`Invalid HTTP method string: ${method}`);
  }
  return normalizedMethods.has(upper) ? upper : method;
}

function convertCache(value, prefix, context) {
  const mode = converters.DOMString(value, prefix, context);
  if (!cacheModes.has(mode)) throw new TypeError(`Unsupported cache mode: ${mode}`);
  return mode;
}

function convertIntegrity(value, prefix, context) {
  const integrity = converters.DOMString(value, prefix, context);
  if (integrity !== "") {
    throw new TypeError("Subrequest integrity checking is not implemented. The integrity option must be either " +
      "undefined or an empty string.");
  }
  return integrity;
}

function convertSignal(value, prefix, context) {
  if (value === null) return null;
  if (!isAbortSignal(value)) throw makeException(TypeError, "is not of type 'AbortSignal'.", prefix, context);
  return value;
}

// https://fetch.spec.whatwg.org/#requestinit: the members Workers supports, read in
// lexicographic order as Web IDL does. `body` and `headers` stay unconverted (unions handled
// by body.js and headers.js); a member is present when it is not undefined.
// As in Workers, init may also be another Request, whose members are taken over (with a copy
// of its body: `body` then holds an InnerBody).
function convertRequestInit(init, prefix) {
  if (isRequest(init)) {
    const other = stateOf(init);
    const body = innerOf(init);
    if (body !== null && body.unusable) throw body.unusableError();
    return {
      body: body === null ? null : body.clone(), bodyIsInner: true, cache: other.cache, cf: other.cf,
      headers: other.headers, method: other.method, redirect: other.redirect, signal: other.signal,
    };
  }
  if (init === undefined || init === null) return {};
  if (!isObject(init)) throw makeException(TypeError, "is not of type 'RequestInit'.", prefix, "parameter 2");
  const out = {};
  const read = (key, convert) => {
    const value = init[key];
    if (value !== undefined) out[key] = convert(value, prefix, `member '${key}' of 'RequestInit'`);
  };
  read("body", converters.any);
  read("cache", convertCache);
  read("cf", converters.any);
  read("duplex", convertDuplex);
  read("headers", converters.any);
  read("integrity", convertIntegrity);
  read("method", convertMethod);
  read("redirect", convertRedirect);
  read("signal", convertSignal);
  return out;
}

// Brand check and internals for fetch/internals.js.
let isRequest, createRequest, stateOf;

export class Request extends Body {
  #method;
  #url;
  #headers;
  #redirect;
  #signal;  // AbortSignal, or null until the getter makes a never-aborting one
  #cf;
  #cache;   // a mode of cacheModes, or undefined (Workers' default caching)

  static {
    isRequest = (value) => isObject(value) && #method in value;
    // state: { method, url, headers, redirect, signal, cf, cache, body: InnerBody | null }
    // `this`, not `Request`: esbuild renames a class that names itself, which changes its .name.
    createRequest = (state) => new this(internalKey, state);
    stateOf = (request) => ({
      method: request.#method, url: request.#url, headers: request.#headers,
      redirect: request.#redirect, signal: request.#signal, cf: request.#cf, cache: request.#cache,
    });
  }

  constructor(input, init = undefined) {
    if (input === internalKey) {
      super(internalKey, init.body);
      this.#setState(init);
      return;
    }
    const prefix = constructPrefix("Request");
    requiredArguments(arguments.length, 1, prefix);
    const state = requestState(input, init, prefix);
    super(internalKey, state.body);
    this.#setState(state);
  }

  #setState({ method, url, headers, redirect, signal, cf, cache }) {
    this.#method = method;
    this.#url = url;
    this.#headers = headers;
    this.#redirect = redirect;
    this.#signal = signal;
    this.#cf = cf;
    this.#cache = cache;
  }

  get method() { return checked(this).#method; }
  get url() { return checked(this).#url; }
  get headers() { return checked(this).#headers; }
  get redirect() { return checked(this).#redirect; }
  get cache() { return checked(this).#cache; }
  // As in Workers: no subresource integrity, no keepalive.
  get integrity() { checked(this); return ""; }
  get keepalive() { checked(this); return false; }

  get signal() {
    const request = checked(this);
    // Made on first use: most requests never look at their signal.
    if (request.#signal === null) request.#signal = new AbortSignal(internalKey);
    return request.#signal;
  }

  // Workers: the `cf` object given at construction (or by the runtime), else undefined.
  get cf() { return checked(this).#cf; }

  clone() {
    const request = checked(this);
    const body = innerOf(request);
    if (body !== null && body.used) {
      throw new TypeError("Failed to execute 'clone' on 'Request': Request body is already used.");
    }
    if (body !== null && body.unusable) throw new TypeError(lockedMessage);
    return createRequest({
      method: request.#method,
      url: request.#url,
      headers: cloneHeaders(request.#headers),
      redirect: request.#redirect,
      signal: request.#signal,
      cf: request.#cf,
      cache: request.#cache,
      body: body === null ? null : body.clone(),
    });
  }
}

function checked(request) {
  if (!isRequest(request)) illegalInvocation();
  return request;
}

// https://fetch.spec.whatwg.org/#dom-request: the new request's state from (input, init).
function requestState(input, init, prefix) {
  let state;
  const inputRequest = isRequest(input) ? input : null;
  if (inputRequest !== null) {
    state = stateOf(inputRequest);
  } else {
    const href = converters.USVString(input, prefix, "parameter 1");
    const url = parseRequestURL(href);
    if (url === null) throw new TypeError(`Invalid URL: ${href}`);
    state = { method: "GET", url, headers: null, redirect: "follow", signal: null, cf: undefined, cache: undefined };
  }
  const options = convertRequestInit(init, prefix);

  if ("method" in options) state.method = options.method;
  if ("redirect" in options) state.redirect = options.redirect;
  if ("signal" in options) state.signal = options.signal;
  if ("cf" in options) state.cf = options.cf;
  if ("cache" in options) state.cache = options.cache;

  if ("headers" in options) {
    state.headers = headersFromInit(options.headers, prefix);
  } else if (inputRequest !== null) {
    state.headers = headersFromInit(state.headers, prefix);  // a copy, guard "none"
  } else {
    state.headers = headersFromList([]);
  }

  // Workers: a body in init replaces the input's body, which is then left untouched.
  const initBody = "body" in options ? options.body : undefined;
  const inputBody = inputRequest !== null && initBody === undefined ? innerOf(inputRequest) : null;
  if (inputBody !== null && inputBody.unusable) {
    throw new TypeError("Cannot reconstruct a Request with a used body.");
  }
  if (("method" in options || "body" in options) && (state.method === "GET" || state.method === "HEAD") &&
      ((initBody !== undefined && initBody !== null) || inputBody !== null)) {
    throw new TypeError("Request with a GET or HEAD method cannot have a body.");
  }

  let contentType = null;
  if (options.bodyIsInner) {
    state.body = initBody;
  } else if (initBody !== undefined && initBody !== null) {
    const extracted = extractBody(initBody, prefix, "member 'body' of 'RequestInit'");
    state.body = extracted.body;
    contentType = extracted.type;
  } else {
    state.body = inputBody === null ? null : inputBody.transfer();
  }
  if (contentType !== null) setHeaderIfAbsent(state.headers, "content-type", contentType);
  return state;
}

configureInterface(Request);

export { isRequest, createRequest };
