#include "engine/core/version.hpp"

namespace socialtwin {
std::string_view engine_version() noexcept { return SOCIALTWIN_VERSION; }
std::string_view engine_git_commit() noexcept { return SOCIALTWIN_GIT_COMMIT; }
std::string_view default_data_dir() noexcept { return SOCIALTWIN_DATA_DIR; }
std::string_view shipped_scenario_dir() noexcept { return SOCIALTWIN_SCENARIO_DIR; }
}  // namespace socialtwin
