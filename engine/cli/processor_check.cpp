// A binary built for AVX2 (CMakeLists.txt, SOCIALTWIN_SIMD) refuses to start on a processor
// without it: a message and exit code 1, where it would otherwise die of an illegal instruction
// somewhere in a run (a binary on shared storage, run by another machine of a cluster). This file
// is compiled without AVX2 and its check runs before the program's own constructors (priority
// 101; the C++ ones run at 65535), so no AVX2 instruction runs before it.

#include <unistd.h>

namespace {

#if defined(SOCIALTWIN_BUILT_FOR_AVX2)
__attribute__((constructor(101))) void refuse_a_processor_without_avx2() {
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx2")) return;
    static constexpr char message[] =
        "socialtwin: this build uses AVX2 vector instructions, which this processor does not "
        "have; build socialtwin again on this machine (SOCIALTWIN_SIMD=auto), or with "
        "-DSOCIALTWIN_SIMD=none for a build any x86-64 processor runs\n";
    // write(2) and _exit(2): nothing of the C++ runtime has started yet.
    [[maybe_unused]] const auto written = write(STDERR_FILENO, message, sizeof message - 1);
    _exit(1);
}
#endif

}  // namespace
