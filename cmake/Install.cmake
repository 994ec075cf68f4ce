# What `cmake --install` puts in place, and the Debian package `cpack -G DEB` makes of it.

install(DIRECTORY share/prompts/ DESTINATION ${CMAKE_INSTALL_DATADIR}/duet/prompts
        FILES_MATCHING PATTERN "*.prompts")
install(FILES share/completions/duet.bash DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions
        RENAME duet)
install(FILES share/completions/_duet DESTINATION ${CMAKE_INSTALL_DATADIR}/zsh/vendor-completions)
install(FILES share/completions/duet.fish DESTINATION ${CMAKE_INSTALL_DATADIR}/fish/vendor_completions.d)

# Man pages and the changelog go in gzipped, at gzip's best and without a timestamp,
# as Debian policy asks; man(1) reads them either way.
set(DUET_GZIP_SCRIPT ${PROJECT_SOURCE_DIR}/cmake/gzip.cmake)
function(duet_gzip source output)
  add_custom_command(OUTPUT ${output}
                     COMMAND ${CMAKE_COMMAND} -DIN=${source} -DOUT=${output} -P ${DUET_GZIP_SCRIPT}
                     DEPENDS ${source} ${DUET_GZIP_SCRIPT}
                     COMMENT "Compressing ${output}" VERBATIM)
endfunction()

set(DUET_MAN_PAGES duet.1 duet-reflect.1 duet-review.1 duet-invite.1 duet-share.1 duet-prompts.5)
set(DUET_COMPRESSED "")
foreach(page IN LISTS DUET_MAN_PAGES)
  set(gz ${PROJECT_BINARY_DIR}/man/${page}.gz)
  duet_gzip(${PROJECT_SOURCE_DIR}/man/${page} ${gz})
  list(APPEND DUET_COMPRESSED ${gz})
  string(REGEX MATCH "[0-9]$" section ${page})
  install(FILES ${gz} DESTINATION ${CMAKE_INSTALL_MANDIR}/man${section})
endforeach()

# /usr/share/doc/duet: the copyright notice and a Debian changelog for this version.
set(DUET_DEB_RELEASE 1)
configure_file(share/doc/changelog.Debian.in ${PROJECT_BINARY_DIR}/doc/changelog.Debian @ONLY)
duet_gzip(${PROJECT_BINARY_DIR}/doc/changelog.Debian ${PROJECT_BINARY_DIR}/doc/changelog.Debian.gz)
list(APPEND DUET_COMPRESSED ${PROJECT_BINARY_DIR}/doc/changelog.Debian.gz)
install(FILES share/doc/copyright ${PROJECT_BINARY_DIR}/doc/changelog.Debian.gz
        DESTINATION ${CMAKE_INSTALL_DOCDIR})
add_custom_target(duet_docs ALL DEPENDS ${DUET_COMPRESSED})

# `cpack -G DEB` in the build folder makes the .deb; `.ci/install-deps --package`
# installs the tools it needs, and cmake/CPackChecks.cmake refuses to go on without
# them rather than make a package that lists no dependencies.
set(CPACK_GENERATOR "DEB")
set(CPACK_PACKAGE_NAME "duet")
set(CPACK_PACKAGE_CONTACT "duet developers <dev@duet.invalid>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "consent-first encrypted journal for couples, in the terminal")
string(JOIN "\n" CPACK_PACKAGE_DESCRIPTION
  "duet gives each partner of a couple a private, encrypted journal, fed by"
  "gentle prompts from plain-text prompt packs. Every prompt can be skipped."
  "Nothing leaves a journal unless its writer shares that one entry with the"
  "linked partner, and either partner can export a summary to bring to a"
  "therapy session. No network, no accounts, no scores.")
set(CPACK_DEBIAN_PACKAGE_RELEASE ${DUET_DEB_RELEASE})
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_SECTION "utils")
set(CPACK_DEBIAN_PACKAGE_PRIORITY "optional")
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_PACKAGING_INSTALL_PREFIX "/usr")
set(CPACK_STRIP_FILES ON)
set(CPACK_PROJECT_CONFIG_FILE ${PROJECT_SOURCE_DIR}/cmake/CPackChecks.cmake)
include(CPack)
