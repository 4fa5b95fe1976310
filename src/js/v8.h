// The one place that includes the engine's headers. Only files under src/js/ include this;
// a ctest lint (tests/lint-v8-boundary) keeps it that way so a newer V8 can be swapped in.
#pragma once

#include <libplatform/libplatform.h>
#include <v8.h>
