# Every C/C++ dependency comes from Debian packages (tools/apt-packages.txt); nothing is vendored.
find_package(Boost 1.81 REQUIRED CONFIG COMPONENTS json url)
find_package(SQLite3 REQUIRED)
find_package(spdlog REQUIRED)
find_package(Threads REQUIRED)
find_package(PkgConfig REQUIRED)
pkg_check_modules(SODIUM REQUIRED IMPORTED_TARGET libsodium)
pkg_check_modules(TOMLPP REQUIRED IMPORTED_TARGET tomlplusplus)
pkg_check_modules(CURL REQUIRED IMPORTED_TARGET libcurl)
# The PostgreSQL adapter: libpqxx 6.4 (Debian libpqxx-dev) over libpq.
pkg_check_modules(PQXX REQUIRED IMPORTED_TARGET libpqxx)
pkg_check_modules(PQ REQUIRED IMPORTED_TARGET libpq)
# The NATS adapter of the Bus: libnats 3.4 (Debian libnats-dev). Its CMake package (cnats) names a
# static library Debian does not ship, so pkg-config it is.
pkg_check_modules(NATS REQUIRED IMPORTED_TARGET libnats)
# Asio is used header-only; these keep every TU's Asio configuration identical.
add_library(kino_asio INTERFACE)
target_compile_definitions(kino_asio INTERFACE BOOST_ASIO_NO_DEPRECATED BOOST_BEAST_USE_STD_STRING_VIEW)
target_link_libraries(kino_asio INTERFACE Boost::headers Threads::Threads)
