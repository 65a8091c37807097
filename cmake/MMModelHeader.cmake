# mmm_header_functions(<header> <out-var>)
#
# Sets <out-var> to the sorted list of the functions declared in <header>
# (include/mmmodel.h): every line that starts at column 0 with a return type
# and names an mmm_ identifier followed by "(". Comment lines start with "/*"
# or " *", macro lines with "#" and struct members with a tab, so none of them
# match. The list is the library's export list (objcopy --keep-global-symbols,
# the linker version script) and is checked against the built libraries by the
# exports_match_header test, which finds the names a second, independent way.
function(mmm_header_functions header out_var)
  file(READ "${header}" text)
  # CMake regexes have no multi-line anchors: match from the preceding newline.
  string(REGEX MATCHALL "\n[A-Za-z_][A-Za-z0-9_ \t*]*[ \t*]mmm_[A-Za-z0-9_]+\\("
         decls "${text}")
  set(names "")
  foreach(decl IN LISTS decls)
    string(REGEX REPLACE ".*[ \t*](mmm_[A-Za-z0-9_]+)\\($" "\\1" name "${decl}")
    list(APPEND names "${name}")
  endforeach()
  list(REMOVE_DUPLICATES names)
  list(SORT names)
  if(NOT names)
    message(FATAL_ERROR "no mmm_ function declarations found in ${header}")
  endif()
  set(${out_var} "${names}" PARENT_SCOPE)
endfunction()
