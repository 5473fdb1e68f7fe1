#pragma once
// Every file socialtwin writes (run, synthesise, compare, export, aggregate) goes through
// AtomicOutput: the target is checked before any work starts, the content is written under a
// temporary name beside it and renamed onto it only when complete, so the target is either the
// whole new file or what it was before. What it promises:
//
// - Only regular files are written. An existing target that is a device, FIFO, socket or
//   directory is refused (InputError "not a regular file"), and so is a symbolic link: renaming
//   onto a link would replace the link, not the file it points to, and writing through it would
//   let a link in an output folder redirect a run onto any file. Naming the file itself is
//   explicit and costs the user nothing.
// - A writer never replaces one of its own inputs (the scenario and the files it extends, the
//   dataset's files, a start population, the results it reads), compared by device and inode,
//   so another spelling or a hard link of the same file is caught too.
// - Temporary names are short and fixed in length, ".socialtwin-<pid>-<8 hex>.tmp", so any target
//   name the file system accepts works, and they say whose they are: a writer starting in a
//   folder removes those its own user left there from processes that no longer exist (kill -9,
//   power loss), never a live run's or another user's.
// - Before the rename the file is flushed to disk, and after it the folder, so a crash just after
//   a run finished cannot leave an empty file under the target's name.
// - Every temporary file is listed in a fixed-size registry for the process, so that the CLI's
//   interrupt handling (install_interrupt_handling below) removes every unfinished file on
//   SIGINT / SIGTERM and exits 130 / 143. The rename and the removal from the registry happen
//   under the registry's lock, which the interrupt takes first, so an interrupt leaves each file
//   either complete or absent.

#include <cstddef>
#include <filesystem>
#include <span>
#include <string>

namespace socialtwin {

// A file a command reads, which its output must never replace; `role` says which input it is,
// e.g. "the scenario" or "a file of dataset 'denhaag-2019'", for the message.
struct ProtectedInput {
    std::filesystem::path path;
    std::string role;
};

// Throws InputError naming `target` (key `option`, e.g. "-o") when writing it would destroy
// something: it exists and is a symbolic link or not a regular file, or it is the same file as
// one of `inputs` (an input that is a folder protects every file in it). Missing inputs and a
// missing target are fine.
void check_output_target(const std::filesystem::path& target,
                         std::span<const ProtectedInput> inputs = {},
                         const std::string& option = "-o");

// The temporary name of this process's next file in `folder`:
// ".socialtwin-<pid>-<8 hex random>-<8 hex of the host name>.tmp".
std::filesystem::path temporary_name_in(const std::filesystem::path& folder);

// Removes, in `folder`, the temporaries (named as temporary_name_in makes them) that belong to
// this user and whose process is gone (kill(pid, 0) fails with ESRCH); only this machine's, since
// on a shared file system another machine's pid means nothing here (a sweep over MPI or a job
// array writes into one folder from many machines). Returns how many. Never
// throws: cleaning up after others is not worth failing a run for.
std::size_t remove_stale_temporaries(const std::filesystem::path& folder);

// A file written under a temporary name beside `target` and renamed onto it by commit(), after
// flushing it to disk; destroyed uncommitted, it removes the temporary file, so a failure leaves
// the target as it was. The constructor checks the target (check_output_target with `inputs`),
// creates the target's folder if missing, removes stale temporaries there and creates the empty
// temporary file (which HDF5 or a copy then overwrites); it throws InputError for a target that
// must not be written and std::runtime_error naming the target when the folder or file cannot be
// created.
class AtomicOutput {
public:
    explicit AtomicOutput(std::filesystem::path target,
                          std::span<const ProtectedInput> inputs = {});
    ~AtomicOutput();
    AtomicOutput(const AtomicOutput&) = delete;
    AtomicOutput& operator=(const AtomicOutput&) = delete;

    const std::filesystem::path& target() const noexcept { return target_; }
    const std::filesystem::path& temporary() const noexcept { return temporary_; }
    bool committed() const noexcept { return committed_; }
    void commit();  // the temporary file must be closed

private:
    std::filesystem::path target_;
    std::filesystem::path temporary_;
    bool committed_ = false;
};

// For the command line: from now on SIGINT and SIGTERM remove every registered temporary file,
// print one line on stderr and end the process with 128 + the signal's number (130, 143).
// Blocks both signals in the calling thread and waits for them in a thread of its own, so call it
// first in main, before any other thread starts (threads inherit the blocked mask, so no worker
// runs the handling while holding a half-made file). A signal the parent process ignored (a
// background job of a non-interactive shell) stays ignored.
void install_interrupt_handling();

}  // namespace socialtwin
