#include "js/snapshot.h"

#include <memory>
#include <stdexcept>

#include "js/class.h"
#include "js/engine.h"
#include "js/isolate.h"
#include "js/v8.h"

// Defined by the generated snapshot object in the `wisp` binary; absent (null) in the generator.
extern "C" {
extern const char wisp_snapshot_blob[] __attribute__((weak));
extern const char wisp_snapshot_blob_end[] __attribute__((weak));
}

namespace wisp::js {

std::span<const char> embeddedSnapshot() {
  if (!wisp_snapshot_blob || !wisp_snapshot_blob_end) return {};
  return {wisp_snapshot_blob, static_cast<size_t>(wisp_snapshot_blob_end - wisp_snapshot_blob)};
}

namespace {

// Wrapped objects that exist at snapshot time are stateless singletons (console, crypto...):
// only their class id (a Smi) is kept; the C++ pointer field is saved as empty.
v8::StartupData serializeField(v8::Local<v8::Object> holder, int index, void*) {
  if (index == kObjectField && holder->GetAlignedPointerFromInternalField(index) != nullptr) {
    // A wrapped C++ object with state cannot be snapshotted. Fail the build loudly.
    fprintf(stderr, "wisp-mksnapshot: a stateful wrapped object is reachable from the global scope\n");
    std::abort();
  }
  return {nullptr, 0};
}

}  // namespace

class SnapshotBuilder {
 public:
  static std::string build(const InstallGlobals& install) {
    auto& refs = Registry::get().externalReferences();
    v8::SnapshotCreator creator(refs.data());
    v8::Isolate* isolate = creator.GetIsolate();
    {
      IsolateData data;
      isolate->SetData(0, &data);
      v8::HandleScope scope(isolate);
      // Class templates first, in registry order: their snapshot data index is the class id.
      for (ClassInfo* cls : Registry::get().classes()) {
        auto tmpl = data.templateFor(isolate, *cls);
        size_t index = creator.AddData(tmpl);
        if (index != static_cast<size_t>(cls->id)) throw std::runtime_error("snapshot: template order");
      }
      auto context = v8::Context::New(isolate);
      {
        v8::Context::Scope cs(context);
        Lock js(isolate, context);
        v8::TryCatch tc(isolate);
        try {
          install(js);
        } catch (const Pending&) {
        }
        if (tc.HasCaught()) {
          auto e = js.toException(tc);
          throw std::runtime_error(std::string("snapshot: global scope setup failed: ") + e.what() +
                                   "\n" + e.stack());
        }
      }
      creator.SetDefaultContext(context, {serializeField, nullptr});
      data.templates_.clear();
      data.internals.Reset();
      isolate->SetData(0, nullptr);
    }
    auto blob = creator.CreateBlob(v8::SnapshotCreator::FunctionCodeHandling::kClear);
    if (!blob.data) throw std::runtime_error("snapshot: V8 could not serialise the isolate");
    std::string out(blob.data, static_cast<size_t>(blob.raw_size));
    delete[] blob.data;  // V8 hands ownership of the blob to the caller
    return out;
  }
};

std::string buildSnapshot(const InstallGlobals& install) { return SnapshotBuilder::build(install); }

}  // namespace wisp::js
