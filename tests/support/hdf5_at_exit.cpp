// As the command does in main() (engine/cli/main.cpp): HDF5 must not shut down at exit, where it
// would crash on a file a failed write left open (Hdf5WriterTest's full-disk test leaves one).
// Done at static initialisation, before any test makes its first HDF5 call, as H5dont_atexit
// requires.
#include "engine/formats/hdf5.hpp"

namespace {
const bool hdf5_shutdown_skipped = (socialtwin::hdf5::skip_library_shutdown_at_exit(), true);
}  // namespace
