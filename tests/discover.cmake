# Writes a CTest file with one test per doctest case of EXE, so `ctest -R`
# picks one case and a failure names it. Run after each build of EXE
# (tests/CMakeLists.txt). Unlike doctest's own doctest_discover_tests, names
# may hold ";" (ours are sentences). Cases matching EXCLUDE (a doctest
# wildcard) are left to a test of their own.
# usage: cmake -DEXE=<binary> -DLABEL=<name> -DOUT=<file> [-DEXCLUDE=<pattern>] -P discover.cmake
# Listing runs no test; leaks at exit are not what it is for.
set(ENV{ASAN_OPTIONS} "detect_leaks=0")
set(args --list-test-cases --no-intro=true)
if(EXCLUDE)
  list(APPEND args "--test-case-exclude=${EXCLUDE}")
endif()
execute_process(COMMAND "${EXE}" ${args} OUTPUT_VARIABLE out RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "can't list the test cases of ${EXE} (exit ${rc})")
endif()
# Keep ";" out of CMake's list splitting until each name is written.
# Keep brackets out of it too: CMake groups list items inside [ ].
string(REPLACE ";" "<semicolon>" out "${out}")
string(REPLACE "[" "<open>" out "${out}")
string(REPLACE "]" "<close>" out "${out}")
string(REPLACE "\n" ";" lines "${out}")
set(script "")
set(n 0)
foreach(line IN LISTS lines)
  if(line STREQUAL "" OR line MATCHES "^=+$" OR line MATCHES "^<open>doctest<close>")
    continue()
  endif()
  string(REPLACE "<semicolon>" ";" name "${line}")
  string(REPLACE "<open>" "[" name "${name}")
  string(REPLACE "<close>" "]" name "${name}")
  if(name MATCHES "\\]==\\]")
    message(FATAL_ERROR "a test case name can't hold ]==]: ${name}")
  endif()
  # doctest's filters split on commas: escape them; the name is matched whole.
  string(REPLACE "," "\\," filter "${name}")
  string(APPEND script "add_test([==[${LABEL}: ${name}]==] [==[${EXE}]==] [==[--test-case=${filter}]==])\n")
  string(APPEND script "set_tests_properties([==[${LABEL}: ${name}]==] PROPERTIES LABELS ${LABEL})\n")
  math(EXPR n "${n} + 1")
endforeach()
if(n EQUAL 0)
  message(FATAL_ERROR "${EXE} lists no test cases")
endif()
file(WRITE "${OUT}" "${script}")
