#include "engine/formats/output_file.hpp"

#include <fcntl.h>
#include <pthread.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <random>
#include <stdexcept>
#include <string_view>
#include <thread>

#include <fmt/format.h>

#include "engine/core/errors.hpp"

namespace socialtwin {

namespace fs = std::filesystem;

namespace {

constexpr std::string_view temporary_prefix = ".socialtwin-";
constexpr std::string_view temporary_suffix = ".tmp";

// ---- the registry of unfinished files -----------------------------------------------------
// Fixed size and no allocation on the interrupt's path: the interrupt thread only reads these
// arrays and calls unlink(2), write(2) and _exit(2). A command has at most a couple of files open
// for writing at once; 32 leaves room for library users.
constexpr std::size_t registry_slots = 32;
constexpr std::size_t registry_path_size = 4096;  // PATH_MAX on Linux

struct Registry {
    std::mutex lock;  // held by the interrupt from the moment it starts until _exit
    std::array<bool, registry_slots> used{};
    std::array<std::array<char, registry_path_size>, registry_slots> paths{};
};

Registry& registry() {
    static Registry instance;
    return instance;
}

// Under registry().lock.
std::size_t register_path(const fs::path& path) {
    Registry& r = registry();
    const std::string& text = path.native();
    if (text.size() >= registry_path_size)
        throw std::runtime_error(fmt::format("path too long: '{}'", text));
    for (std::size_t slot = 0; slot < registry_slots; ++slot) {
        if (r.used[slot]) continue;
        std::memcpy(r.paths[slot].data(), text.c_str(), text.size() + 1);
        r.used[slot] = true;
        return slot;
    }
    throw std::logic_error(
        fmt::format("more than {} files written at once (writing '{}')", registry_slots, text));
}

// Under registry().lock.
void deregister_path(const fs::path& path) {
    Registry& r = registry();
    for (std::size_t slot = 0; slot < registry_slots; ++slot)
        if (r.used[slot] && path.native() == r.paths[slot].data()) {
            r.used[slot] = false;
            return;
        }
}

[[noreturn]] void remove_unfinished_files_and_exit(int signal_number) {
    // Taken for good: a commit in progress finishes its rename first, and no file is created or
    // renamed after this point.
    registry().lock.lock();
    const char* name = signal_number == SIGINT ? "SIGINT" : "SIGTERM";
    char message[128];
    const int length =
        std::snprintf(message, sizeof message,
                      "socialtwin: interrupted (%s): unfinished output files removed\n", name);
    if (length > 0) {
        [[maybe_unused]] const auto ignored =
            ::write(STDERR_FILENO, message, static_cast<std::size_t>(length));
    }
    Registry& r = registry();
    for (std::size_t slot = 0; slot < registry_slots; ++slot)
        if (r.used[slot]) ::unlink(r.paths[slot].data());
    ::_exit(128 + signal_number);
}

[[noreturn]] void fail(const fs::path& target, const std::string& option, std::string message,
                       std::string hint = {}) {
    throw InputError(
        problem_at(where_in(target.string(), 0, 0, option), std::move(message), std::move(hint)));
}

bool same_inode(const struct stat& a, const struct stat& b) {
    return a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

// True when `target` lies in `folder` or a folder below it.
bool inside(const fs::path& target, const struct stat& folder) {
    std::error_code error;
    fs::path dir = fs::canonical(fs::absolute(target, error).parent_path(), error);
    if (error) return false;
    while (true) {
        struct stat st {};
        if (::stat(dir.c_str(), &st) == 0 && same_inode(st, folder)) return true;
        if (!dir.has_relative_path()) return false;
        dir = dir.parent_path();
    }
}

void fsync_path(const fs::path& path, int flags, std::string_view what) {
    const int fd = ::open(path.c_str(), flags | O_CLOEXEC);
    const bool ok = fd >= 0 && ::fsync(fd) == 0;
    const int error_number = errno;
    if (fd >= 0) ::close(fd);
    if (!ok)
        throw std::runtime_error(fmt::format("cannot flush {} '{}' to disk: {}", what,
                                             path.string(), std::strerror(error_number)));
}

// This machine, as 8 hex digits of a hash of its host name. A folder on a shared file system
// holds the temporaries of processes on other machines, whose pids mean nothing here: only this
// machine's may be judged stale by their pid.
std::uint32_t this_host() {
    static const std::uint32_t host = [] {
        std::array<char, 256> name{};
        if (::gethostname(name.data(), name.size() - 1) != 0) return std::uint32_t{0};
        std::uint32_t hash = 2166136261u;  // FNV-1a
        for (const char* c = name.data(); *c != '\0'; ++c)
            hash = (hash ^ static_cast<unsigned char>(*c)) * 16777619u;
        return hash;
    }();
    return host;
}

bool is_hex8(std::string_view text) {
    return text.size() == 8 && std::all_of(text.begin(), text.end(), [](char c) {
               return std::isxdigit(static_cast<unsigned char>(c)) != 0;
           });
}

// The owner of a temporary name of ours: "<pid>-<8 hex>-<8 hex host>", or "<pid>-<8 hex>" as
// written before names held the host (taken for this machine's). pid 0 when `name` is not one.
struct TemporaryOwner {
    long pid = 0;
    bool this_host = true;
};
TemporaryOwner temporary_owner(std::string_view name) {
    if (name.size() <= temporary_prefix.size() + temporary_suffix.size() ||
        name.substr(0, temporary_prefix.size()) != temporary_prefix ||
        name.substr(name.size() - temporary_suffix.size()) != temporary_suffix)
        return {};
    name.remove_prefix(temporary_prefix.size());
    name.remove_suffix(temporary_suffix.size());
    const auto dash = name.find('-');
    if (dash == std::string_view::npos) return {};
    std::string_view rest = name.substr(dash + 1);
    TemporaryOwner owner;
    if (rest.size() == 17 && rest[8] == '-' && is_hex8(rest.substr(9))) {
        owner.this_host = rest.substr(9) == fmt::format("{:08x}", this_host());
        rest = rest.substr(0, 8);
    }
    if (!is_hex8(rest)) return {};
    const auto [end, error] = std::from_chars(name.data(), name.data() + dash, owner.pid);
    if (error != std::errc{} || end != name.data() + dash || owner.pid <= 0) return {};
    return owner;
}

}  // namespace

void check_output_target(const fs::path& target, std::span<const ProtectedInput> inputs,
                         const std::string& option) {
    if (!target.has_filename() || target.filename() == "." || target.filename() == "..")
        fail(target, option, "names a folder, not a file");
    struct stat st {};
    if (::lstat(target.c_str(), &st) != 0) return;  // a new file (or a path that fails later)
    if (S_ISLNK(st.st_mode)) {
        std::error_code error;
        const fs::path to = fs::read_symlink(target, error);
        fail(target, option,
             fmt::format("is a symbolic link{}; socialtwin writes a new file and renames it onto "
                         "the name it is given, which would replace the link",
                         error ? std::string{} : fmt::format(" (to '{}')", to.string())),
             "name the file itself");
    }
    if (S_ISDIR(st.st_mode)) fail(target, option, "is a folder, not a regular file");
    if (!S_ISREG(st.st_mode))
        fail(target, option,
             "not a regular file (a device, FIFO or socket); socialtwin writes only regular files");
    for (const auto& input : inputs) {
        struct stat in {};
        if (input.path.empty() || ::stat(input.path.c_str(), &in) != 0) continue;
        if (S_ISDIR(in.st_mode) ? inside(target, in) : same_inode(st, in))
            fail(target, option,
                 fmt::format("is {} ('{}'); a command never replaces one of its inputs", input.role,
                             input.path.string()),
                 "write to a file of its own");
    }
}

fs::path temporary_name_in(const fs::path& folder) {
    static std::mutex lock;
    static std::mt19937 random{std::random_device{}()};
    std::lock_guard guard(lock);
    return folder / fmt::format("{}{}-{:08x}-{:08x}{}", temporary_prefix,
                                static_cast<long>(::getpid()), static_cast<std::uint32_t>(random()),
                                this_host(), temporary_suffix);
}

std::size_t remove_stale_temporaries(const fs::path& folder) {
    std::size_t removed = 0;
    std::error_code error;
    const fs::path dir = folder.empty() ? fs::path(".") : folder;
    for (fs::directory_iterator it(dir, error), end; !error && it != end; it.increment(error)) {
        const std::string name = it->path().filename().string();
        const auto [pid, here] = temporary_owner(name);
        if (pid == 0 || !here || pid == static_cast<long>(::getpid())) continue;
        struct stat st {};
        // Only our own user's regular files, and only when their process is gone: a live run
        // (kill succeeds) and a process we may not signal (EPERM: another user's) keep theirs.
        if (::lstat(it->path().c_str(), &st) != 0 || !S_ISREG(st.st_mode) ||
            st.st_uid != ::geteuid())
            continue;
        if (::kill(static_cast<pid_t>(pid), 0) == 0 || errno != ESRCH) continue;
        if (::unlink(it->path().c_str()) == 0) ++removed;
    }
    return removed;
}

AtomicOutput::AtomicOutput(fs::path target, std::span<const ProtectedInput> inputs)
    : target_(std::move(target)) {
    check_output_target(target_, inputs);
    const fs::path dir = target_.parent_path();
    std::error_code error;
    if (!dir.empty()) fs::create_directories(dir, error);
    if (error)
        throw std::runtime_error(fmt::format("cannot create folder '{}' for '{}': {}", dir.string(),
                                             target_.string(), error.message()));
    remove_stale_temporaries(dir);
    // Listed before it exists, so an interrupt between open(2) and the listing cannot leave it.
    std::lock_guard guard(registry().lock);
    temporary_ = temporary_name_in(dir);
    register_path(temporary_);
    const int fd = ::open(temporary_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (fd < 0) {
        const int error_number = errno;
        deregister_path(temporary_);
        throw std::runtime_error(fmt::format("cannot write '{}': cannot create '{}': {}",
                                             target_.string(), temporary_.string(),
                                             std::strerror(error_number)));
    }
    ::close(fd);
}

AtomicOutput::~AtomicOutput() {
    if (committed_) return;
    std::lock_guard guard(registry().lock);
    ::unlink(temporary_.c_str());
    deregister_path(temporary_);
}

void AtomicOutput::commit() {
    if (committed_) throw std::logic_error("AtomicOutput::commit called twice");
    fsync_path(temporary_, O_RDONLY, "file");
    {
        // The rename and the deregistration together: an interrupt waits for both, so it finds
        // either a registered temporary (and removes it) or a complete target.
        std::lock_guard guard(registry().lock);
        if (::rename(temporary_.c_str(), target_.c_str()) != 0) {
            const int error_number = errno;
            throw std::runtime_error(fmt::format("cannot move finished file '{}' to '{}': {}",
                                                 temporary_.string(), target_.string(),
                                                 std::strerror(error_number)));
        }
        deregister_path(temporary_);
        committed_ = true;
    }
    // The rename itself is durable only once the folder is on disk.
    const fs::path dir = target_.parent_path();
    fsync_path(dir.empty() ? fs::path(".") : dir, O_RDONLY | O_DIRECTORY, "folder");
}

void install_interrupt_handling() {
    sigset_t signals;
    sigemptyset(&signals);
    for (const int signal_number : {SIGINT, SIGTERM}) {
        struct sigaction current {};
        if (::sigaction(signal_number, nullptr, &current) == 0 && current.sa_handler == SIG_IGN)
            continue;
        sigaddset(&signals, signal_number);
    }
    if (sigisemptyset(&signals)) return;
    pthread_sigmask(SIG_BLOCK, &signals, nullptr);
    std::thread([signals] {
        int signal_number = 0;
        while (sigwait(&signals, &signal_number) != 0) {
        }
        remove_unfinished_files_and_exit(signal_number);
    }).detach();
}

}  // namespace socialtwin
