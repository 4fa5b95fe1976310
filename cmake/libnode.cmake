# V8 comes from Debian's libnode (Node 18, V8 10.2). A system-wide libnode-dev wins; otherwise
# the copy scripts/setup.sh unpacked into third_party/libnode.
set(_sys_include /usr/include/node)
find_library(_sys_libnode NAMES node PATHS /usr/lib/x86_64-linux-gnu /usr/lib/aarch64-linux-gnu NO_DEFAULT_PATH)
if(EXISTS ${_sys_include}/v8.h AND _sys_libnode)
  set(LIBNODE_INCLUDE ${_sys_include})
  set(LIBNODE_LIBRARY ${_sys_libnode})
else()
  set(_local ${CMAKE_SOURCE_DIR}/third_party/libnode/usr)
  file(GLOB _local_lib ${_local}/lib/*/libnode.so.*)
  if(NOT EXISTS ${_local}/include/node/v8.h OR NOT _local_lib)
    message(FATAL_ERROR "libnode not found: run scripts/setup.sh first")
  endif()
  list(GET _local_lib 0 LIBNODE_LIBRARY)
  set(LIBNODE_INCLUDE ${_local}/include/node)
endif()
message(STATUS "V8 from libnode: ${LIBNODE_LIBRARY}")
get_filename_component(LIBNODE_DIR ${LIBNODE_LIBRARY} DIRECTORY)
add_library(libnode SHARED IMPORTED GLOBAL)
set_target_properties(libnode PROPERTIES IMPORTED_LOCATION ${LIBNODE_LIBRARY}
  INTERFACE_INCLUDE_DIRECTORIES ${LIBNODE_INCLUDE}
)
# The unpacked copy is not on the loader's path: bake its folder into every binary.
set(CMAKE_BUILD_RPATH ${LIBNODE_DIR})
set(CMAKE_INSTALL_RPATH ${LIBNODE_DIR})
