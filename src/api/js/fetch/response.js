// https://fetch.spec.whatwg.org/#response-class
//
// As in Workers: statusText defaults to the standard reason phrase of the status, `init` may be
// another Response, a zero-length body is allowed (as null) on a null body status, and
// Response.json() sets Content-Type "application/json". Also Workers' `webSocket`: a Response
// with status 101 that hands one end of a WebSocketPair to the client (websocket/ area).
import {
  configureInterface, constructPrefix, converters, illegalInvocation, internalKey, isObject,
  makeException, methodPrefix, requiredArguments,
} from "../webidl.js";
import { loadArea } from "../lazy.js";
import { parseRequestURL } from "./base-url.js";
import { Body, InnerBody, extractBody, innerOf, lockedMessage, utf8Encode } from "./body.js";
import { cloneHeaders, headersFromInit, headersFromList, setHeaderIfAbsent } from "./headers.js";

// https://fetch.spec.whatwg.org/#null-body-status (103 cannot be constructed)
const nullBodyStatuses = new Set([101, 204, 205, 304]);
// https://fetch.spec.whatwg.org/#redirect-status
const redirectStatuses = new Set([301, 302, 303, 307, 308]);

// Reason phrases (RFC 9110 and the RFCs that registered the rest), used when no statusText is
// given.
const reasonPhrases = {
  100: "Continue", 101: "Switching Protocols", 102: "Processing", 103: "Early Hints",
  200: "OK", 201: "Created", 202: "Accepted", 203: "Non-Authoritative Information",
  204: "No Content", 205: "Reset Content", 206: "Partial Content", 207: "Multi-Status",
  208: "Already Reported", 226: "IM Used",
  300: "Multiple Choices", 301: "Moved Permanently", 302: "Found", 303: "See Other",
  304: "Not Modified", 305: "Use Proxy", 307: "Temporary Redirect", 308: "Permanent Redirect",
  400: "Bad Request", 401: "Unauthorized", 402: "Payment Required", 403: "Forbidden",
  404: "Not Found", 405: "Method Not Allowed", 406: "Not Acceptable",
  407: "Proxy Authentication Required", 408: "Request Timeout", 409: "Conflict", 410: "Gone",
  411: "Length Required", 412: "Precondition Failed", 413: "Payload Too Large",
  414: "URI Too Long", 415: "Unsupported Media Type", 416: "Range Not Satisfiable",
  417: "Expectation Failed", 418: "I'm a teapot", 421: "Misdirected Request",
  422: "Unprocessable Entity", 423: "Locked", 424: "Failed Dependency", 426: "Upgrade Required",
  428: "Precondition Required", 429: "Too Many Requests", 431: "Request Header Fields Too Large",
  451: "Unavailable For Legal Reasons",
  500: "Internal Server Error", 501: "Not Implemented", 502: "Bad Gateway",
  503: "Service Unavailable", 504: "Gateway Timeout", 505: "HTTP Version Not Supported",
  506: "Variant Also Negotiates", 507: "Insufficient Storage", 508: "Loop Detected",
  510: "Not Extended", 511: "Network Authentication Required",
};
const statusClasses = { 2: "Successful", 3: "Redirection", 4: "Client Error", 5: "Server Error" };

export function defaultStatusText(status) {
  return reasonPhrases[status] ?? statusClasses[Math.floor(status / 100)] ?? "";
}

// https://fetch.spec.whatwg.org/#responseinit, read in lexicographic order; or, as in Workers,
// another Response whose status, statusText, headers and cf are taken over.
function convertResponseInit(init, prefix) {
  if (isResponse(init)) {
    const other = stateOf(init);
    const out = { status: other.status, headers: other.headers, cf: other.cf, webSocket: other.webSocket };
    if (other.statusText !== null) out.statusText = other.statusText;
    return out;
  }
  if (init === undefined || init === null) return {};
  if (!isObject(init)) throw makeException(TypeError, "is not of type 'ResponseInit'.", prefix, "parameter 2");
  const out = {};
  const read = (key, convert) => {
    const value = init[key];
    if (value !== undefined) out[key] = convert(value, prefix, `member '${key}' of 'ResponseInit'`);
  };
  read("cf", converters.any);
  read("headers", converters.any);
  read("status", converters["unsigned short"]);
  read("statusText", converters.ByteString);
  read("webSocket", convertWebSocket);
  return out;
}

// Workers' ResponseInit member `webSocket`: a WebSocket or null. The area loads only when one is given.
function convertWebSocket(value, prefix, context) {
  if (value === null) return null;
  if (!loadArea("websocket").isWebSocket(value)) {
    throw new TypeError(
      "Incorrect type for the 'webSocket' field on 'InitializerDict': the provided value is not of type 'WebSocket'.");
  }
  return value;
}

// https://fetch.spec.whatwg.org/#initialize-a-response. `extracted` is { body, type } or null.
function responseState(init, extracted, prefix) {
  const status = init.status ?? 200;
  const webSocket = init.webSocket ?? null;
  if (webSocket === null && (status < 200 || status > 599)) {
    throw new RangeError("Responses may only be constructed with status codes in the range 200 to 599, inclusive.");
  }
  if (webSocket !== null && status !== 101) {
    throw new RangeError("Responses with a WebSocket must have status code 101.");
  }
  const statusText = init.statusText ?? null;
  // https://httpwg.org/specs/rfc9112.html#status.line: no control characters (no header
  // injection through the status line).
  if (statusText !== null && /[\0-\x1F\x7F]/.test(statusText)) throw new TypeError("Invalid statusText");
  const headers = "headers" in init ? headersFromInit(init.headers, prefix) : headersFromList([]);

  let body = null;
  if (extracted !== null) {
    if (nullBodyStatuses.has(status)) {
      if (extracted.body.length !== 0) {
        throw new TypeError("Response with null body status (101, 204, 205, or 304) cannot have a body.");
      }
    } else {
      body = extracted.body;
      if (extracted.type !== null) setHeaderIfAbsent(headers, "content-type", extracted.type);
    }
  }
  return { type: "default", status, statusText, headers, urlList: [], cf: init.cf, webSocket, body };
}

// Brand check and internals for fetch/internals.js.
let isResponse, createResponse, stateOf;

export class Response extends Body {
  #type;
  #status;
  #statusText;  // null: the default reason phrase of #status
  #headers;
  #urlList;
  #cf;
  #webSocket;

  static {
    isResponse = (value) => isObject(value) && #type in value;
    // state: { type, status, statusText, headers, urlList, cf, webSocket?, body: InnerBody | null }
    // `this`, not `Response`: esbuild renames a class that names itself, which changes its .name.
    createResponse = (state) => new this(internalKey, state);
    stateOf = (response) => ({
      type: response.#type, status: response.#status, statusText: response.#statusText,
      headers: response.#headers, urlList: response.#urlList, cf: response.#cf, webSocket: response.#webSocket,
    });
  }

  constructor(body = null, init = undefined) {
    if (body === internalKey) {
      super(internalKey, init.body);
      this.#setState(init);
      return;
    }
    const prefix = constructPrefix("Response");
    const extracted = body === null || body === undefined ? null : extractBody(body, prefix, "parameter 1");
    const state = responseState(convertResponseInit(init, prefix), extracted, prefix);
    super(internalKey, state.body);
    this.#setState(state);
  }

  #setState({ type, status, statusText, headers, urlList, cf, webSocket = null }) {
    this.#type = type;
    this.#status = status;
    this.#statusText = statusText;
    this.#headers = headers;
    this.#urlList = urlList;
    this.#cf = cf;
    this.#webSocket = webSocket;
  }

  // https://fetch.spec.whatwg.org/#dom-response-error
  static error() {
    return createResponse({
      type: "error", status: 0, statusText: "", headers: headersFromList([], "immutable"),
      urlList: [], cf: undefined, body: null,
    });
  }

  // https://fetch.spec.whatwg.org/#dom-response-redirect
  static redirect(url, status = 302) {
    const prefix = methodPrefix("Response", "redirect");
    requiredArguments(arguments.length, 1, prefix);
    url = converters.USVString(url, prefix, "parameter 1");
    status = converters["unsigned short"](status, prefix, "parameter 2");
    if (!redirectStatuses.has(status)) {
      throw new RangeError(`${status} is not a redirect status code. It must be one of: 301, 302, 303, 307, or 308.`);
    }
    const href = parseRequestURL(url);
    if (href === null) throw new TypeError(`Unable to parse URL: ${url}`);
    return createResponse({
      type: "default", status, statusText: null,
      headers: headersFromList([["location", href]], "immutable"),
      urlList: [], cf: undefined, body: null,
    });
  }

  // https://fetch.spec.whatwg.org/#dom-response-json
  static json(data, init = undefined) {
    const prefix = methodPrefix("Response", "json");
    requiredArguments(arguments.length, 1, prefix);
    const text = JSON.stringify(data);
    if (text === undefined) throw new TypeError(`${prefix}: The data is not JSON serializable.`);
    const extracted = { body: new InnerBody(utf8Encode(text)), type: "application/json" };
    return createResponse(responseState(convertResponseInit(init, prefix), extracted, prefix));
  }

  get type() { return checked(this).#type; }

  get url() {
    const urlList = checked(this).#urlList;
    return urlList.length === 0 ? "" : urlList[urlList.length - 1];
  }

  get redirected() { return checked(this).#urlList.length > 1; }
  get status() { return checked(this).#status; }

  get ok() {
    const status = checked(this).#status;
    return status >= 200 && status <= 299;
  }

  get statusText() {
    const response = checked(this);
    return response.#statusText ?? defaultStatusText(response.#status);
  }

  get headers() { return checked(this).#headers; }

  // Workers: the `cf` object given at construction, else undefined.
  get cf() { return checked(this).#cf; }

  // Workers: the WebSocket end handed to the client by a 101 response, else null.
  get webSocket() { return checked(this).#webSocket; }

  clone() {
    const response = checked(this);
    if (response.#webSocket !== null) throw new TypeError("Cannot clone a response to a WebSocket handshake.");
    const body = innerOf(response);
    if (body !== null && body.used) {
      throw new TypeError("Failed to execute 'clone' on 'Response': Response body is already used.");
    }
    if (body !== null && body.unusable) throw new TypeError(lockedMessage);
    return createResponse({
      ...stateOf(response),
      headers: cloneHeaders(response.#headers),
      urlList: response.#urlList.slice(),
      body: body === null ? null : body.clone(),
    });
  }
}

function checked(response) {
  if (!isResponse(response)) illegalInvocation();
  return response;
}

configureInterface(Response);

export { isResponse, createResponse, stateOf as responseStateOf };
