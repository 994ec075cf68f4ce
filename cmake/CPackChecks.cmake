# Read by cpack once per generator. A .deb made without dpkg-shlibdeps would
# list no dependencies, install cleanly and then fail on every run: refuse instead.
if(CPACK_GENERATOR STREQUAL "DEB")
  set(duet_missing "")
  find_program(DUET_CPACK_SHLIBDEPS dpkg-shlibdeps)
  if(NOT DUET_CPACK_SHLIBDEPS)
    list(APPEND duet_missing "dpkg-dev (for dpkg-shlibdeps)")
  endif()
  find_program(DUET_CPACK_FILE file)
  if(NOT DUET_CPACK_FILE)
    list(APPEND duet_missing "file")
  endif()
  if(duet_missing)
    list(JOIN duet_missing ", " duet_missing)
    message(FATAL_ERROR "duet: a .deb needs ${duet_missing}, which is not installed; "
                        "`sh .ci/install-deps --package` installs it. No package was made.")
  endif()
endif()
