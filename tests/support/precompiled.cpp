// Nothing of its own: the target it belongs to (courtplay_test_pch, tests/CMakeLists.txt) exists
// to compile the test programs' common headers once, for all of them to reuse.
