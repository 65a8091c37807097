# The packaging tests: the header compiles cleanly as C99 and C++11, the
# libraries export exactly the header's functions, nothing needs the Swift
# runtime at run time, and installed copies work for outside projects through
# pkg-config and find_package(MMModel). Scripts in Tests/packaging and
# Tests/consumer.
set(_pkg "${CMAKE_SOURCE_DIR}/Tests/packaging")
set(_consumer "${CMAKE_SOURCE_DIR}/Tests/consumer")

add_test(NAME header_c99
  COMMAND "${CMAKE_C_COMPILER}" -std=c99 -Wall -Wextra -Werror -pedantic
          -Wstrict-prototypes -Wmissing-prototypes -Wshadow -Wundef -Wcast-qual
          "-I${CMAKE_SOURCE_DIR}/include" -c "${_pkg}/header_c99.c"
          -o "${CMAKE_CURRENT_BINARY_DIR}/header_c99.o")
# No -Wshadow for C++: the function mmm_arch_info() hides struct
# mmm_arch_info's implicit constructor there (like stat() and struct stat).
add_test(NAME header_cxx
  COMMAND "${CMAKE_CXX_COMPILER}" -std=c++11 -Wall -Wextra -Werror -pedantic
          -Wundef -Wold-style-cast -Wzero-as-null-pointer-constant
          "-I${CMAKE_SOURCE_DIR}/include" -c "${_pkg}/header_cxx.cpp"
          -o "${CMAKE_CURRENT_BINARY_DIR}/header_cxx.o")

add_test(NAME exports_match_header
  COMMAND sh "${_pkg}/check_exports.sh" "${MMM_HEADER}"
          "$<TARGET_FILE:mmmodel_shared>" "$<TARGET_FILE:mmmodel_static>"
          "${CMAKE_C_COMPILER}")

# consumer.c linked in the build tree, statically and against the .so.
add_executable(mmm_consumer_static "${_consumer}/consumer.c")
target_link_libraries(mmm_consumer_static PRIVATE MMModel::mmmodel)
add_executable(mmm_consumer_shared "${_consumer}/consumer.c")
target_link_libraries(mmm_consumer_shared PRIVATE MMModel::mmmodel_shared)
add_test(NAME consumer_build_tree_static COMMAND mmm_consumer_static)
add_test(NAME consumer_build_tree_shared COMMAND mmm_consumer_shared)

set(_programs mmm_consumer_shared mmm_consumer_static)
foreach(_t swap_batch decode_pte c_test_present_shared)   # examples, Tests/c
  if(TARGET ${_t})
    list(APPEND _programs ${_t})
  endif()
endforeach()
list(TRANSFORM _programs REPLACE "(.+)" "$<TARGET_FILE:\\1>")
add_test(NAME no_swift_runtime_deps
  COMMAND sh "${_pkg}/check_no_swift_deps.sh" "$<TARGET_FILE:mmmodel_shared>" ${_programs})

# Out-of-tree consumers of an installed copy (each in its own prefix).
add_test(NAME consumer_pkgconfig
  COMMAND sh "${_consumer}/test_pkgconfig.sh" "${CMAKE_BINARY_DIR}"
          "${CMAKE_BINARY_DIR}/consumer-pkgconfig" "${_consumer}/consumer.c"
          "${CMAKE_C_COMPILER}")
add_test(NAME consumer_find_package
  COMMAND sh "${_consumer}/test_find_package.sh" "${CMAKE_BINARY_DIR}"
          "${CMAKE_BINARY_DIR}/consumer-find-package" "${_consumer}")
# cmake --install writes <build>/install_manifest.txt: one install at a time.
set_tests_properties(consumer_pkgconfig consumer_find_package PROPERTIES
  ENVIRONMENT "CMAKE=${CMAKE_COMMAND}" RESOURCE_LOCK mmm_install TIMEOUT 600)
