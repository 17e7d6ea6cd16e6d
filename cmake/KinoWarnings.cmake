# kino_module(<name> SOURCES ... DEPS ...) declares the library kino_<name> for server/src/<name>.
# Folder = namespace = target; a module links only the modules it may depend on (docs/ARCHITECTURE.md).
add_library(kino_warnings INTERFACE)
target_compile_options(kino_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wold-style-cast -Wcast-align
  -Woverloaded-virtual -Wconversion -Wsign-conversion -Wno-sign-conversion -Wimplicit-fallthrough)
if(CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
  # Lock rules written as KINO_GUARDED_BY / KINO_REQUIRES (kino/common/mutex.hpp) are checked.
  target_compile_options(kino_warnings INTERFACE -Wthread-safety -Werror=thread-safety)
endif()
if(KINO_TSAN)
  target_compile_options(kino_warnings INTERFACE -fsanitize=thread -fno-omit-frame-pointer)
  target_link_options(kino_warnings INTERFACE -fsanitize=thread)
endif()
if(KINO_SANITIZE)
  target_compile_options(kino_warnings INTERFACE -fsanitize=address,undefined -fno-omit-frame-pointer
    -fno-sanitize-recover=undefined)
  target_link_options(kino_warnings INTERFACE -fsanitize=address,undefined)
endif()

function(kino_module name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_library(kino_${name} STATIC ${ARG_SOURCES})
  add_library(kino::${name} ALIAS kino_${name})
  target_include_directories(kino_${name} PUBLIC ${PROJECT_SOURCE_DIR}/server/include)
  target_link_libraries(kino_${name} PUBLIC ${ARG_DEPS} PRIVATE kino_warnings)
endfunction()
