# Install rules and the Debian package (deploy/debian/, deploy/systemd/).
# `cmake --install` / the .deb lay out: <prefix>/bin/vitals, /etc/vitals/
# gateway.yaml and scorer.yaml (absolute: conffiles), and the systemd units in
# <prefix>/lib/systemd/system (the .deb's prefix is /usr; Debian 12 is
# merged-/usr, so that is /lib/systemd/system too). CPack only where
# VITALS_PACKAGE is on: the release preset sets it, asan and fuzz do not.
# Build, install and check the .deb with scripts/package.

option(VITALS_PACKAGE "Configure CPack's Debian package (the release preset turns it on)" OFF)

if(NOT TARGET vitals)
  return()
endif()

install(TARGETS vitals RUNTIME DESTINATION bin)
install(FILES ${PROJECT_SOURCE_DIR}/deploy/config/gateway.yaml
              ${PROJECT_SOURCE_DIR}/deploy/config/scorer.yaml
        DESTINATION /etc/vitals)
install(FILES ${PROJECT_SOURCE_DIR}/deploy/systemd/vitals-gateway.service
              ${PROJECT_SOURCE_DIR}/deploy/systemd/vitals-scorer.service
        DESTINATION lib/systemd/system)

if(NOT VITALS_PACKAGE)
  return()
endif()

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME vitals)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "Metrics gateway and job-health scorer for Apache Flink")
set(CPACK_PACKAGE_DESCRIPTION
    "vitals gateway: a per-node gateway for Flink's metric reporters (Pushgateway, StatsD, Influx, scrape) publishing to Kafka and Prometheus.\nvitals scorer: grades every Flink job 0-10 from its metrics.\nShips systemd units vitals-gateway.service and vitals-scorer.service (not enabled).")
set(CPACK_PACKAGE_CONTACT "Vitals maintainers <maintainers@users.noreply.h-seed-517f48ab.example>")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
# Runtime libraries from dpkg-shlibdeps (dpkg-dev); adduser for postinst.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "adduser")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    ${PROJECT_SOURCE_DIR}/deploy/debian/postinst
    ${PROJECT_SOURCE_DIR}/deploy/debian/prerm
    ${PROJECT_SOURCE_DIR}/deploy/debian/postrm
    ${PROJECT_SOURCE_DIR}/deploy/debian/conffiles)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
include(CPack)
