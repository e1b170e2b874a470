# Tests of the sample clip generator (assets/). Included from tests/CMakeLists.txt, which has
# already found Catch2 v2.
include(Catch)

add_executable(test_sample_clip ${CMAKE_CURRENT_LIST_DIR}/test_sample_clip.cpp)
target_link_libraries(test_sample_clip PRIVATE courtplay_assets courtplay_catch_main)
# The CLI is tested too: the test runs the real binary.
add_dependencies(test_sample_clip courtplay-sample)
target_compile_definitions(test_sample_clip PRIVATE
  COURTPLAY_SAMPLE_TOOL="$<TARGET_FILE:courtplay-sample>")
if(COURTPLAY_SANITIZE AND CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
  # GCC 12 under ASan warns "may be used uninitialized" inside <regex>, which Catch2 includes.
  target_compile_options(test_sample_clip PRIVATE -Wno-maybe-uninitialized)
endif()
catch_discover_tests(test_sample_clip)

# The demo's evidence clips: decoded, listened to (RMS and pitch) and read (tesseract).
# Label demo_clips: the sanitizer pass makes the same clips through test_kiosk_demo's demo court,
# and these took 46 s of its time; the sanitizer build does not compile them.
if(NOT COURTPLAY_SANITIZE)
  add_executable(test_demo_clips ${CMAKE_CURRENT_LIST_DIR}/test_demo_clips.cpp)
  target_link_libraries(test_demo_clips PRIVATE courtplay_assets courtplay_catch_main)
  add_dependencies(test_demo_clips courtplay-sample)
  target_compile_definitions(test_demo_clips PRIVATE COURTPLAY_SAMPLE_TOOL="$<TARGET_FILE:courtplay-sample>")
  catch_discover_tests(test_demo_clips PROPERTIES TIMEOUT 300 LABELS demo_clips)
endif()
