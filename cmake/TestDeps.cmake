# What the test suite needs beyond what duet needs, each with its Debian package.
# duet_find_test_deps(OUT) sets OUT to TRUE when the tests are to be built:
#   DUET_BUILD_TESTS=OFF   never;
#   DUET_BUILD_TESTS=AUTO  when everything below is installed (otherwise a note);
#   DUET_BUILD_TESTS=ON    always, and a missing dependency stops the configure
#                          with the packages to install.
function(duet_find_test_deps out)
  string(TOUPPER "${DUET_BUILD_TESTS}" mode)
  if(mode STREQUAL "OFF" OR mode STREQUAL "FALSE" OR mode STREQUAL "NO" OR mode STREQUAL "0")
    message(STATUS "Tests: off (DUET_BUILD_TESTS=${DUET_BUILD_TESTS})")
    set(${out} FALSE PARENT_SCOPE)
    return()
  endif()

  set(missing "")
  find_package(doctest QUIET)
  if(NOT doctest_FOUND)
    list(APPEND missing doctest-dev)
  endif()
  # Debian's python3 first: that is where python3-pexpect lives.
  find_program(DUET_PYTHON NAMES python3 PATHS /usr/bin /bin NO_DEFAULT_PATH)
  if(NOT DUET_PYTHON)
    find_program(DUET_PYTHON NAMES python3)
  endif()
  if(NOT DUET_PYTHON)
    list(APPEND missing python3 python3-pexpect)
  else()
    execute_process(COMMAND ${DUET_PYTHON} -c "import pexpect" RESULT_VARIABLE no_pexpect
                    OUTPUT_QUIET ERROR_QUIET)
    if(no_pexpect)
      list(APPEND missing python3-pexpect)
    endif()
  endif()
  find_program(DUET_FAKETIME faketime)
  if(NOT DUET_FAKETIME)
    list(APPEND missing faketime)
  endif()
  # The shared folder through real sync engines (tests/e2e/test_sync.py).
  foreach(tool syncthing git)
    find_program(DUET_${tool}_PROGRAM ${tool})
    if(NOT DUET_${tool}_PROGRAM)
      list(APPEND missing ${tool})
    endif()
  endforeach()

  if(NOT missing)
    message(STATUS "Tests: on")
    set(${out} TRUE PARENT_SCOPE)
    return()
  endif()
  list(JOIN missing " " missing_text)
  if(mode STREQUAL "AUTO")
    message(STATUS "Tests: off (not installed: ${missing_text}; "
                   "`sh .ci/install-deps --test` installs them)")
    set(${out} FALSE PARENT_SCOPE)
  else()
    message(FATAL_ERROR "The tests were asked for (DUET_BUILD_TESTS=${DUET_BUILD_TESTS}), but "
                        "these Debian packages are missing: ${missing_text}. Install them with "
                        "`sh .ci/install-deps --test`, or configure with -DDUET_BUILD_TESTS=OFF.")
  endif()
endfunction()
