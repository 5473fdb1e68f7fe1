#pragma once
#include <string_view>

namespace socialtwin {
std::string_view engine_version() noexcept;
std::string_view engine_git_commit() noexcept;
// Where `dataset: NAME` is looked up when neither --data-dir nor SOCIALTWIN_DATA is set.
std::string_view default_data_dir() noexcept;
// Where `extends: NAME` finds a shipped scenario (NAME.yaml) when SOCIALTWIN_SCENARIOS is not set.
std::string_view shipped_scenario_dir() noexcept;
}  // namespace socialtwin
