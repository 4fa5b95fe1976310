// https://webidl.spec.whatwg.org/#idl-DOMException
import { configureInterface, converters, constructPrefix, defineConstants, illegalInvocation, isObject } from "./webidl.js";
import { defineSerializable, newPlatformObject } from "./structured-clone.js";

// https://webidl.spec.whatwg.org/#dfn-error-names-table: names with a legacy code.
const legacyCodes = {
  IndexSizeError: 1, HierarchyRequestError: 3, WrongDocumentError: 4, InvalidCharacterError: 5,
  NoModificationAllowedError: 7, NotFoundError: 8, NotSupportedError: 9, InUseAttributeError: 10,
  InvalidStateError: 11, SyntaxError: 12, InvalidModificationError: 13, NamespaceError: 14,
  InvalidAccessError: 15, TypeMismatchError: 17, SecurityError: 18, NetworkError: 19,
  AbortError: 20, URLMismatchError: 21, QuotaExceededError: 22, TimeoutError: 23,
  InvalidNodeTypeError: 24, DataCloneError: 25,
};

// Instance -> { name, message }. Serialisable, so an instance is a host object
// (newPlatformObject): its state cannot be #private fields of a base class, which would land on
// the `this` the constructor discards.
const fields = new WeakMap();

function fieldsOf(exception) {
  const f = isObject(exception) ? fields.get(exception) : undefined;
  if (!f) illegalInvocation();
  return f;
}

export class DOMException {
  constructor(message = undefined, name = undefined) {
    const prefix = constructPrefix("DOMException");
    message = message === undefined ? "" : converters.DOMString(message, prefix, "parameter 1");
    name = name === undefined ? "Error" : converters.DOMString(name, prefix, "parameter 2");
    const self = newPlatformObject(new.target);
    fields.set(self, { name, message });
    // After the fields: the stack's first line reads `name` and `message` through the getters.
    Error.captureStackTrace(self, DOMException);
    return self;
  }

  get name() {
    return fieldsOf(this).name;
  }

  get message() {
    return fieldsOf(this).message;
  }

  get code() {
    return legacyCodes[fieldsOf(this).name] ?? 0;
  }
}

configureInterface(DOMException, "DOMException");
Object.setPrototypeOf(DOMException.prototype, Error.prototype);

// https://webidl.spec.whatwg.org/#idl-DOMException: the serialization steps keep name and message.
defineSerializable(DOMException, "DOMException", {
  serialize(exception) {
    const f = fields.get(exception);
    if (!f) throw new DOMException("DOMException object could not be cloned.", "DataCloneError");
    return { name: f.name, message: f.message };
  },
  deserialize({ name, message }) {
    return new DOMException(message, name);
  },
});
defineConstants(DOMException, {
  INDEX_SIZE_ERR: 1, DOMSTRING_SIZE_ERR: 2, HIERARCHY_REQUEST_ERR: 3, WRONG_DOCUMENT_ERR: 4,
  INVALID_CHARACTER_ERR: 5, NO_DATA_ALLOWED_ERR: 6, NO_MODIFICATION_ALLOWED_ERR: 7,
  NOT_FOUND_ERR: 8, NOT_SUPPORTED_ERR: 9, INUSE_ATTRIBUTE_ERR: 10, INVALID_STATE_ERR: 11,
  SYNTAX_ERR: 12, INVALID_MODIFICATION_ERR: 13, NAMESPACE_ERR: 14, INVALID_ACCESS_ERR: 15,
  VALIDATION_ERR: 16, TYPE_MISMATCH_ERR: 17, SECURITY_ERR: 18, NETWORK_ERR: 19, ABORT_ERR: 20,
  URL_MISMATCH_ERR: 21, QUOTA_EXCEEDED_ERR: 22, TIMEOUT_ERR: 23, INVALID_NODE_TYPE_ERR: 24,
  DATA_CLONE_ERR: 25,
});
