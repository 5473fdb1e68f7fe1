#include "engine/results/report.hpp"

#include <gtest/gtest.h>

#include <cctype>
#include <chrono>
#include <fstream>
#include <sstream>
#include <string_view>

#include "engine/core/errors.hpp"
#include "support/result_fixture.hpp"

namespace socialtwin {
namespace {

namespace fs = std::filesystem;
using testing::FixtureRun;

std::size_t count(const std::string& text, const std::string& what) {
    std::size_t n = 0;
    for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
    return n;
}

// The baseline is the fixture (155 inhabitants in 2025 over five areas of two buurten); the
// scenario has 1,000 more inhabitants in every area of buurt BU2 (A4, A5) in 2025.
class ReportTest : public testing::ResultFileTest {
protected:
    void SetUp() override {
        ResultFileTest::SetUp();
        FixtureRun baseline("baseline");
        baseline.write(dir_ / "baseline.h5");
        FixtureRun scenario("groei");
        scenario.scenario.source_text =
            "name: groei\ndescription: More births.\nrates:\n  fertility:\n    factor: 1.2\n";
        const auto base = scenario.value;
        scenario.value = [base](IndicatorId id, int year, std::size_t area, std::size_t k,
                                int replicate) {
            const double v = base(id, year, area, k, replicate);
            if (id == 0 && year == 2025 && area >= 3) return v + 1000;
            return v;
        };
        scenario.write(dir_ / "groei.h5");
    }
    ReportOptions options(ReportLanguage language = ReportLanguage::nl) const {
        ReportOptions o;
        o.results = {dir_ / "baseline.h5", dir_ / "groei.h5"};
        o.output = dir_ / "report.html";
        o.language = language;
        return o;
    }
};

// Whether an attribute src= or href= points at http(s): (the report must open offline). Plain
// string search: std::regex trips GCC 12's -Wmaybe-uninitialized under ASan at -O2.
bool refers_to_the_web(const std::string& html) {
    for (const std::string_view attribute : {"src", "href"}) {
        for (std::size_t at = html.find(attribute); at != std::string::npos;
             at = html.find(attribute, at + 1)) {
            std::size_t i = at + attribute.size();
            const auto skip_spaces = [&] {
                while (i < html.size() && std::isspace(static_cast<unsigned char>(html[i]))) ++i;
            };
            skip_spaces();
            if (i >= html.size() || html[i] != '=') continue;
            ++i;
            skip_spaces();
            if (i < html.size() && (html[i] == '"' || html[i] == '\'')) ++i;
            if (html.compare(i, 5, "http:") == 0 || html.compare(i, 6, "https:") == 0) return true;
        }
    }
    return false;
}

TEST_F(ReportTest, HeadlineTableGivesTheScenarioMinusTheBaselineInDutchNumbers) {
    const std::string html = report_html(options());
    const auto table = html.substr(html.find("id=\"headline-table\""));
    // 155 inhabitants in the baseline, 2,000 more in the scenario: +1.290,3% of it
    EXPECT_NE(table.find(">155<"), std::string::npos);
    EXPECT_NE(table.find("+2.000 (+1.290,3%)"), std::string::npos) << table.substr(0, 2000);
    EXPECT_NE(html.find("<html lang=\"nl\">"), std::string::npos);
    EXPECT_NE(html.find("Inwoners"), std::string::npos);
}

TEST_F(ReportTest, EnglishOnRequest) {
    const std::string html = report_html(options(ReportLanguage::en));
    EXPECT_NE(html.find("+2,000 (+1,290.3%)"), std::string::npos);
    EXPECT_NE(html.find("<html lang=\"en\">"), std::string::npos);
    EXPECT_EQ(html.find("Inwoners"), std::string::npos);
}

TEST_F(ReportTest, AChartWhoseIndicatorIsAbsentSaysSoAndTheRestIsDrawn) {
    ReportSummary summary;
    const std::string html = report_html(options(), &summary);
    // The fixture has no households, dwellings or district nursing.
    EXPECT_NE(html.find("Niet in de resultaten: households"), std::string::npos);
    EXPECT_FALSE(summary.not_drawn.empty());
    // Pyramids (2), population, 65+, 80+ and the Wmo cost bars are drawn.
    EXPECT_GE(summary.charts, 6u);
    EXPECT_GE(count(html, "data-chart=\"line\""), 3u);
    EXPECT_EQ(count(html, "data-chart=\"pyramid\""), 2u);
}

TEST_F(ReportTest, TheLargestChangesAreListedPerBuurtLargestFirst) {
    const std::string html = report_html(options());
    const auto table = html.substr(html.find("id=\"largest-changes\""));
    const auto bu2 = table.find("BU2 Zuid"), bu1 = table.find("BU1 Noord");
    ASSERT_NE(bu2, std::string::npos);
    ASSERT_NE(bu1, std::string::npos);
    EXPECT_LT(bu2, bu1);
    EXPECT_NE(table.find("+2.000"), std::string::npos);
}

TEST_F(ReportTest, SaysWhatEachScenarioAssumes) {
    const std::string html = report_html(options());
    const auto assumed = html.substr(html.find("id=\"assumptions\""));
    EXPECT_NE(assumed.find("More births."), std::string::npos);
    EXPECT_NE(assumed.find("<code>rates.fertility.factor: 1.2</code>"), std::string::npos);
}

TEST_F(ReportTest, IsSelfContainedWithoutScriptsOrExternalReferences) {
    const std::string html = report_html(options());
    EXPECT_FALSE(refers_to_the_web(html));
    ASSERT_TRUE(refers_to_the_web("<a href = 'https://cbs.nl'>"));  // the check itself catches
    ASSERT_TRUE(refers_to_the_web("<img src=http://x/y.png>"));
    EXPECT_EQ(html.find("url("), std::string::npos);
    EXPECT_EQ(html.find("<script"), std::string::npos);
    EXPECT_EQ(html.find("<img"), std::string::npos);
}

TEST_F(ReportTest, ReplicatesGiveABandAroundTheMean) {
    FixtureRun agent("agent");
    const auto base = agent.value;
    agent.value = [base](IndicatorId id, int year, std::size_t area, std::size_t k, int replicate) {
        return base(id, year, area, k, 0) * (1 + 0.1 * replicate);
    };
    agent.write(dir_ / "agent.h5", {}, 5);
    auto o = options();
    o.results.push_back(dir_ / "agent.h5");
    const std::string html = report_html(o);
    EXPECT_GE(count(html, "class=\"band\""), 1u);
    EXPECT_NE(html.find("p5–p95"), std::string::npos);
}

TEST_F(ReportTest, ResultsOfAnotherDatasetAreRefusedNamingTheFile) {
    FixtureRun other("elders");
    other.scenario.dataset = "other";
    other.write(dir_ / "other.h5");
    auto o = options();
    o.results.push_back(dir_ / "other.h5");
    try {
        report_html(o);
        FAIL() << "expected InputError";
    } catch (const InputError& e) {
        const std::string message = e.what();
        EXPECT_NE(message.find("other.h5"), std::string::npos) << message;
        EXPECT_NE(message.find("dataset 'other'"), std::string::npos) << message;
    }
}

TEST_F(ReportTest, AnUnknownLevelOrMapIndicatorIsRefused) {
    auto o = options();
    o.level = "provincie";
    EXPECT_THROW(report_html(o), InputError);
    o = options();
    o.map_indicator = "population_by_age_sex";  // not one value per area
    EXPECT_THROW(report_html(o), InputError);
}

TEST_F(ReportTest, WritesTheHtmlFileAndNeverOverAnInput) {
    const auto summary = write_report(options());
    std::ifstream in(summary.html);
    std::stringstream text;
    text << in.rdbuf();
    EXPECT_NE(text.str().find("</html>"), std::string::npos);
    auto o = options();
    o.output = dir_ / "baseline.h5";
    EXPECT_THROW(write_report(o), InputError);
}

TEST_F(ReportTest, APdfWithoutChromiumIsRefusedNamingThePackage) {
    ::setenv("SOCIALTWIN_CHROMIUM", (dir_ / "no-such-browser").c_str(), 1);
    auto o = options();
    o.pdf = dir_ / "report.pdf";
    EXPECT_THROW(write_report(o), InputError);
    ::unsetenv("SOCIALTWIN_CHROMIUM");
    const std::string path = ::getenv("PATH") ? ::getenv("PATH") : "";
    ::setenv("PATH", dir_.c_str(), 1);
    try {
        find_chromium();
        ADD_FAILURE() << "expected InputError";
    } catch (const InputError& e) {
        EXPECT_NE(std::string(e.what()).find("Debian package chromium"), std::string::npos);
    }
    ::setenv("PATH", path.c_str(), 1);
    EXPECT_FALSE(fs::exists(dir_ / "report.html"));  // nothing written before the check
}

// A stand-in for Chromium: a shell script doing `body` with the arguments it is given.
fs::path fake_browser(const fs::path& dir, const std::string& body) {
    const fs::path script = dir / "fake-chromium";
    std::ofstream(script) << "#!/bin/sh\n" << body << "\n";
    fs::permissions(script, fs::perms::owner_all);
    return script;
}

class PrintToPdfTest : public testing::ResultFileTest {
protected:
    void SetUp() override {
        ResultFileTest::SetUp();
        std::ofstream(dir_ / "report.html") << "<html></html>";
    }
    void TearDown() override {
        ::unsetenv("SOCIALTWIN_CHROMIUM");
        ResultFileTest::TearDown();
    }
    void use(const fs::path& browser) { ::setenv("SOCIALTWIN_CHROMIUM", browser.c_str(), 1); }
};

TEST_F(PrintToPdfTest, ThePdfAppearsUnderItsNameOnlyWhenChromiumWroteOne) {
    // Writes a PDF header to the file named by --print-to-pdf=...
    use(fake_browser(
        dir_,
        R"(for a; do case "$a" in --print-to-pdf=*) printf '%%PDF-1.4 fake' > "${a#--print-to-pdf=}";; esac; done)"));
    print_to_pdf(dir_ / "report.html", dir_ / "report.pdf");
    std::ifstream in(dir_ / "report.pdf");
    std::string head;
    in >> head;
    EXPECT_EQ(head, "%PDF-1.4");
}

TEST_F(PrintToPdfTest, AChromiumThatWritesNoPdfIsAnErrorAndLeavesNoFile) {
    use(fake_browser(dir_, "exit 0"));
    EXPECT_THROW(print_to_pdf(dir_ / "report.html", dir_ / "report.pdf"), std::runtime_error);
    EXPECT_FALSE(fs::exists(dir_ / "report.pdf"));
    EXPECT_EQ(files().size(), 2u);  // report.html and the script: no temporary left
}

TEST_F(PrintToPdfTest, AChromiumThatHangsIsStoppedAtTheTimeout) {
    use(fake_browser(dir_, "sleep 60"));
    const auto start = std::chrono::steady_clock::now();
    EXPECT_THROW(print_to_pdf(dir_ / "report.html", dir_ / "report.pdf", std::chrono::seconds(1)),
                 std::runtime_error);
    EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(20));
    EXPECT_FALSE(fs::exists(dir_ / "report.pdf"));
}

}  // namespace
}  // namespace socialtwin
