// Linked into duet only with -DDUET_SANITIZE=ON (see the top-level CMakeLists.txt).
// The end-to-end tests run duet with a clean environment, so ASAN_OPTIONS and
// UBSAN_OPTIONS never reach it: these built-in defaults make every report fatal
// there too (SIGABRT, never mistaken for one of duet's exit codes). Options
// in the environment still override them.

// libfaketime, the tests' clock, deadlocks ASan's allocator on its first
// clock_gettime unless the allocator leaves releasing memory to the OS alone.
extern "C" __attribute__((visibility("default"), used)) const char* __asan_default_options() {
    return "allocator_release_to_os_interval_ms=-1:detect_leaks=1:abort_on_error=1";
}

extern "C" __attribute__((visibility("default"), used)) const char* __ubsan_default_options() {
    return "print_stacktrace=1:halt_on_error=1:abort_on_error=1";
}
