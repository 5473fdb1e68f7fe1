#include "engine/formats/input_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yaml-cpp/yaml.h>

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>

#include "engine/core/large_table.hpp"

namespace socialtwin {

namespace fs = std::filesystem;

namespace {

// Closes the descriptor on every way out.
class Descriptor {
public:
    explicit Descriptor(int fd) noexcept : fd_(fd) {}
    Descriptor(const Descriptor&) = delete;
    Descriptor& operator=(const Descriptor&) = delete;
    ~Descriptor() {
        if (fd_ >= 0) ::close(fd_);
    }
    int get() const noexcept { return fd_; }

private:
    int fd_;
};

std::string kind_of(mode_t mode) {
    if (S_ISDIR(mode)) return "a directory";
    if (S_ISCHR(mode)) return "a character device";
    if (S_ISBLK(mode)) return "a block device";
    if (S_ISFIFO(mode)) return "a FIFO";
    if (S_ISSOCK(mode)) return "a socket";
    return "not a file";
}

std::string size_limit_text(InputSizeLimit limit) {
    return fmt::format("larger than {} MB, the limit for this kind of input",
                       limit.max_bytes / bytes_per_mb);
}

// The length of the UTF-8 sequence starting at text[i], or 0 when it is not a valid one
// (overlong forms, surrogates and code points past U+10FFFF are not valid).
std::size_t utf8_length(std::string_view text, std::size_t i) {
    const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(text[k]); };
    const unsigned char b0 = byte(i);
    if (b0 < 0x80) return 1;
    std::size_t n = 0;
    unsigned char lo = 0x80;
    unsigned char hi = 0xBF;
    if (b0 >= 0xC2 && b0 <= 0xDF) {
        n = 2;
    } else if (b0 >= 0xE0 && b0 <= 0xEF) {
        n = 3;
        if (b0 == 0xE0) lo = 0xA0;  // overlong
        if (b0 == 0xED) hi = 0x9F;  // surrogates
    } else if (b0 >= 0xF0 && b0 <= 0xF4) {
        n = 4;
        if (b0 == 0xF0) lo = 0x90;  // overlong
        if (b0 == 0xF4) hi = 0x8F;  // past U+10FFFF
    } else {
        return 0;
    }
    if (i + n > text.size()) return 0;
    if (byte(i + 1) < lo || byte(i + 1) > hi) return 0;
    for (std::size_t k = 2; k < n; ++k)
        if (byte(i + k) < 0x80 || byte(i + k) > 0xBF) return 0;
    return n;
}

// Walks a YAML document as its reader will expand it, aliases included.
class YamlLimitCheck {
public:
    YamlLimitCheck(const std::string& file, YamlLimits limits) : file_(file), limits_(limits) {}

    void visit(const YAML::Node& node, const std::string& path, int depth) {
        if (depth > limits_.max_depth)
            fail(node, path,
                 fmt::format("nested deeper than {} levels, the limit for a YAML document",
                             limits_.max_depth),
                 "does an alias *name refer to the anchor &name it is inside?");
        if (++values_ > limits_.max_values)
            fail(node, path,
                 fmt::format("the document expands to more than {} values, the limit for a YAML "
                             "document",
                             limits_.max_values),
                 "each alias *name counts as a copy of what its anchor &name names");
        if (node.IsSequence()) {
            std::size_t i = 0;
            for (const YAML::Node& item : node)
                visit(item, fmt::format("{}[{}]", path, i++), depth + 1);
        } else if (node.IsMap()) {
            for (auto it = node.begin(); it != node.end(); ++it) {
                const std::string key = it->first.IsScalar() ? it->first.Scalar() : "?";
                const std::string child = path.empty() ? key : path + "." + key;
                visit(it->first, child, depth + 1);
                visit(it->second, child, depth + 1);
            }
        }
    }

private:
    [[noreturn]] void fail(const YAML::Node& node, const std::string& path, std::string message,
                           std::string hint) const {
        // A path 64 levels deep is mostly repetition; its start says where to look.
        constexpr std::size_t max_shown = 80;
        std::string shown = path;
        if (shown.size() > max_shown) shown = shown.substr(0, max_shown) + "...";
        const YAML::Mark mark = node.Mark();
        const int line = mark.line < 0 ? 0 : mark.line + 1;
        const int column = mark.line < 0 ? 0 : mark.column + 1;
        throw InputError(problem_at(where_in(file_, line, column, std::move(shown)),
                                    std::move(message), std::move(hint)));
    }

    const std::string& file_;
    YamlLimits limits_;
    std::size_t values_ = 0;
};

}  // namespace

InputText read_input_file(const fs::path& file, InputSizeLimit limit) {
    InputText result;
    // O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer for ever.
    const int fd = ::open(file.c_str(), O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
    if (fd < 0) {
        const int error = errno;
        if (error == ENOENT || error == ENOTDIR)
            result.why_not = "no such file";
        else if (error == EACCES)
            result.why_not = "not readable: permission denied";
        else
            result.why_not = fmt::format("not readable: {}", std::strerror(error));
        return result;
    }
    const Descriptor descriptor{fd};
    struct stat status {};
    if (::fstat(fd, &status) != 0) {
        result.why_not = fmt::format("not readable: {}", std::strerror(errno));
        return result;
    }
    // Checked on the opened descriptor: a link to /dev/zero is a character device here.
    if (!S_ISREG(status.st_mode)) {
        result.why_not = fmt::format("not a regular file: {}", kind_of(status.st_mode));
        return result;
    }
    const auto size = static_cast<std::uintmax_t>(status.st_size);
    if (size > limit.max_bytes) {
        result.why_not = size_limit_text(limit);
        return result;
    }
    // Read up to one byte past the limit: a file can grow after fstat, and some (in /proc)
    // report a size of 0.
    std::string text;
    text.reserve(static_cast<std::size_t>(size));
    // A PC6 country's population.csv is 530 MB: in 2 MB pages, not 130,000 faults of 4 KB.
    advise_huge_pages(text.data(), text.capacity());
    char buffer[65536];
    for (;;) {
        const ssize_t n = ::read(fd, buffer, sizeof buffer);
        if (n < 0) {
            if (errno == EINTR) continue;
            if (errno == EAGAIN) continue;  // not for regular files, but harmless
            result.why_not = fmt::format("not readable: {}", std::strerror(errno));
            return result;
        }
        if (n == 0) break;
        text.append(buffer, static_cast<std::size_t>(n));
        if (text.size() > limit.max_bytes) {
            result.why_not = size_limit_text(limit);
            return result;
        }
    }
    result.text = std::move(text);
    return result;
}

std::string read_input_text_or_throw(const fs::path& file, InputSizeLimit limit) {
    InputText input = read_input_file(file, limit);
    if (!input.ok())
        throw InputError(problem_at(where_in(file.string()),
                                    fmt::format("cannot open the file ({})", input.why_not)));
    check_utf8_text(input.text, file.string());
    return std::move(input.text);
}

namespace {
// The first byte from `i` on that is NUL or not ASCII (text.size() if none): ASCII other than
// NUL is valid text as it is, so most files are checked eight bytes at a time.
std::size_t next_byte_to_check(std::string_view text, std::size_t i) noexcept {
    constexpr std::uint64_t ones = 0x0101010101010101u, highs = 0x8080808080808080u;
    for (; i + 8 <= text.size(); i += 8) {
        std::uint64_t word = 0;
        std::memcpy(&word, text.data() + i, 8);
        const bool has_zero = ((word - ones) & ~word & highs) != 0;
        if (has_zero || (word & highs) != 0) break;
    }
    while (i < text.size() && text[i] != 0 && static_cast<unsigned char>(text[i]) < 0x80) ++i;
    return i;
}
}  // namespace

std::optional<TextFault> first_text_fault(std::string_view text) {
    const std::size_t first = text.starts_with("\xEF\xBB\xBF") ? 3 : 0;
    // Where a fault is, in lines and characters: counted only once one is found (the text
    // before it is valid UTF-8, so a character starts at every byte that does not continue one).
    auto fault_at = [&](std::size_t at, std::string what) {
        const std::string_view before = text.substr(first, at - first);
        const std::size_t last_newline = before.rfind('\n');
        const std::string_view on_its_line =
            last_newline == std::string_view::npos ? before : before.substr(last_newline + 1);
        const auto line = 1 + std::count(before.begin(), before.end(), '\n');
        const auto column = 1 + std::count_if(on_its_line.begin(), on_its_line.end(), [](char c) {
                                return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
                            });
        return TextFault{static_cast<int>(line), static_cast<int>(column), std::move(what)};
    };
    std::size_t i = first;
    while ((i = next_byte_to_check(text, i)) < text.size()) {
        const auto byte = static_cast<unsigned char>(text[i]);
        if (byte == 0) return fault_at(i, "a NUL byte");
        const std::size_t n = utf8_length(text, i);
        if (n == 0) return fault_at(i, fmt::format("byte 0x{:02X}, which is not UTF-8", byte));
        i += n;
    }
    return std::nullopt;
}

void check_utf8_text(std::string_view text, const std::string& file) {
    if (const auto fault = first_text_fault(text))
        throw InputError(problem_at(where_in(file, fault->line, fault->column),
                                    "expected UTF-8 text, found " + fault->what,
                                    "is it a text file saved as UTF-8?"));
}

void check_yaml_limits(const YAML::Node& root, const std::string& file, YamlLimits limits) {
    YamlLimitCheck check{file, limits};
    check.visit(root, "", 1);
}

}  // namespace socialtwin
