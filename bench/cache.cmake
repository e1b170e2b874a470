# The encrypted cache's benchmark program, run by bench/cache (docs/benchmarks.md, "Encrypted
# cache"). Included from bench/CMakeLists.txt; the binary always lands in <build>/bench/ so the
# script finds it wherever this file is included from.
add_executable(cache_bench ${CMAKE_CURRENT_LIST_DIR}/cache_bench.cpp)
target_link_libraries(cache_bench PRIVATE courtplay_cache courtplay_kiosk nlohmann_json::nlohmann_json OpenSSL::Crypto)
set_target_properties(cache_bench PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${PROJECT_BINARY_DIR}/bench)
