// https://webidl.spec.whatwg.org/#idl-DOMException
import { configureInterface, converters, constructPrefix, defineConstants, illegalInvocation, isObject } from "./webidl.js";

// https://webidl.spec.whatwg.org/#dfn-error-names-table: names with a legacy code.
const legacyCodes = {
  IndexSizeError: 1, HierarchyRequestError: 3, WrongDocumentError: 4, InvalidCharacterError: 5,
  NoModificationAllowedError: 7, NotFoundError: 8, NotSupportedError: 9, InUseAttributeError: 10,
  InvalidStateError: 11, SyntaxError: 12, InvalidModificationError: 13, NamespaceError: 14,
  InvalidAccessError: 15, TypeMismatchError: 17, SecurityError: 18, NetworkError: 19,
  AbortError: 20, URLMismatchError: 21, QuotaExceededError: 22, TimeoutError: 23,
  InvalidNodeTypeError: 24, DataCloneError: 25,
};

export class DOMException {
  #message;
  #name;

  constructor(message = undefined, name = undefined) {
    const prefix = constructPrefix("DOMException");
    this.#message = message === undefined ? "" : converters.DOMString(message, prefix, "parameter 1");
    this.#name = name === undefined ? "Error" : converters.DOMString(name, prefix, "parameter 2");
    // After the fields: the stack's first line reads `name` and `message` through the getters.
    Error.captureStackTrace(this, DOMException);
  }

  get name() {
    if (!isObject(this) || !(#name in this)) illegalInvocation();
    return this.#name;
  }

  get message() {
    if (!isObject(this) || !(#message in this)) illegalInvocation();
    return this.#message;
  }

  get code() {
    if (!isObject(this) || !(#name in this)) illegalInvocation();
    return legacyCodes[this.#name] ?? 0;
  }
}

configureInterface(DOMException, "DOMException");
Object.setPrototypeOf(DOMException.prototype, Error.prototype);
defineConstants(DOMException, {
  INDEX_SIZE_ERR: 1, DOMSTRING_SIZE_ERR: 2, HIERARCHY_REQUEST_ERR: 3, WRONG_DOCUMENT_ERR: 4,
  INVALID_CHARACTER_ERR: 5, NO_DATA_ALLOWED_ERR: 6, NO_MODIFICATION_ALLOWED_ERR: 7,
  NOT_FOUND_ERR: 8, NOT_SUPPORTED_ERR: 9, INUSE_ATTRIBUTE_ERR: 10, INVALID_STATE_ERR: 11,
  SYNTAX_ERR: 12, INVALID_MODIFICATION_ERR: 13, NAMESPACE_ERR: 14, INVALID_ACCESS_ERR: 15,
  VALIDATION_ERR: 16, TYPE_MISMATCH_ERR: 17, SECURITY_ERR: 18, NETWORK_ERR: 19, ABORT_ERR: 20,
  URL_MISMATCH_ERR: 21, QUOTA_EXCEEDED_ERR: 22, TIMEOUT_ERR: 23, INVALID_NODE_TYPE_ERR: 24,
  DATA_CLONE_ERR: 25,
});
