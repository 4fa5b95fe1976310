// Errors crossing between C++ and JavaScript.
//
//  - C++ code that wants JS to see an error throws js::TypeError / RangeError / Error /
//    DOMException. The one trampoline in class.h turns it into the JS exception.
//  - A V8 call that failed leaves a JS exception pending; C++ unwinds with js::Pending{},
//    which only the trampoline and js::Lock::tryCatch-style entry points catch.
//  - A JS exception that reaches C++ at an entry point becomes js::JsException, carrying the
//    message, stack and source location as text (no V8 handles), so it can outlive the lock.
#pragma once

#include <exception>
#include <string>

namespace wisp::js {

enum class ErrorKind { Error, TypeError, RangeError, SyntaxError, DOMException };

// An error that C++ raises for JavaScript to catch.
class JsError : public std::exception {
 public:
  JsError(ErrorKind kind, std::string message, std::string domName = {})
      : kind_(kind), message_(std::move(message)), domName_(std::move(domName)) {}
  const char* what() const noexcept override { return message_.c_str(); }
  ErrorKind kind() const { return kind_; }
  const std::string& message() const { return message_; }
  // For DOMException: its name, such as "InvalidStateError".
  const std::string& domName() const { return domName_; }

 private:
  ErrorKind kind_;
  std::string message_;
  std::string domName_;
};

inline JsError Error(std::string m) { return {ErrorKind::Error, std::move(m)}; }
inline JsError TypeError(std::string m) { return {ErrorKind::TypeError, std::move(m)}; }
inline JsError RangeError(std::string m) { return {ErrorKind::RangeError, std::move(m)}; }
inline JsError SyntaxError(std::string m) { return {ErrorKind::SyntaxError, std::move(m)}; }
inline JsError DOMException(std::string name, std::string m) {
  return {ErrorKind::DOMException, std::move(m), std::move(name)};
}

// A JavaScript exception is pending in the isolate (or execution was terminated); unwind.
struct Pending {};

// A JavaScript exception caught at an entry point, as plain data.
class JsException : public std::exception {
 public:
  JsException(std::string name, std::string message, std::string stack, std::string location)
      : name_(std::move(name)), message_(std::move(message)), stack_(std::move(stack)),
        location_(std::move(location)) {
    summary_ = name_.empty() ? message_ : name_ + ": " + message_;
    if (!location_.empty()) summary_ = location_ + ": " + summary_;
  }
  const char* what() const noexcept override { return summary_.c_str(); }
  const std::string& name() const { return name_; }          // "TypeError", or empty for non-Errors
  const std::string& message() const { return message_; }
  const std::string& stack() const { return stack_; }        // V8's stack text, may be empty
  const std::string& location() const { return location_; }  // "file:line:column", may be empty

 private:
  std::string name_, message_, stack_, location_, summary_;
};

// Execution was stopped from outside (CPU or wall limit, heap limit, shutdown).
class Terminated : public std::exception {
 public:
  explicit Terminated(std::string reason) : reason_(std::move(reason)) {}
  const char* what() const noexcept override { return reason_.c_str(); }

 private:
  std::string reason_;
};

}  // namespace wisp::js
