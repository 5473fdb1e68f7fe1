#pragma once
// The words and number formats of `socialtwin report` (engine/results/report.hpp), Dutch and
// English in one table, so that a label added for one language is added for both (a unit test
// checks that no entry is left empty).

#include <optional>
#include <string>
#include <string_view>

namespace socialtwin {

enum class ReportLanguage { nl, en };

// "nl" or "en"; nullopt otherwise.
std::optional<ReportLanguage> report_language(std::string_view code);

// The text of `key` in `language`: a label of the report ("title", "source", ...) or of an
// indicator or headline figure by its name ("population", "share_65", "wmo_clients_home_help").
// An unknown key gives nullopt: the caller falls back to the result file's own description.
std::optional<std::string_view> report_label(std::string_view key, ReportLanguage language);
// The same, for the report's own labels, which are all in the table: throws std::logic_error
// for a key that is not (a programming error, not bad input).
std::string_view report_text(std::string_view key, ReportLanguage language);

// Numbers as a reader of `language` writes them: Dutch "81.060" and "1,5" (a point between
// thousands, a decimal comma), English "81,060" and "1.5"; `sign` puts "+" before positive
// numbers; NaN gives "–".
std::string local_number(double value, int decimals, ReportLanguage language, bool sign = false);
// Euros: "€ 1,2 mln" / "€ 3,4 mld" in Dutch, "€1.2 million" / "€3.4 billion" in English; below a
// million the whole amount ("€ 12.345").
std::string local_euros(double euros, ReportLanguage language, bool sign = false);
// "+1,2%" / "+1.2%"; "" for NaN.
std::string local_percent(double percent, ReportLanguage language, int decimals = 1);

}  // namespace socialtwin
