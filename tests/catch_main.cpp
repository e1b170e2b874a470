// Catch2's implementation and main(), compiled once into courtplay_catch_main for every test
// program: it is the costliest file of the suite to compile (some 25 s of CPU each time).
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>
