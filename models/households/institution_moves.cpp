#include "models/households/institution_moves.hpp"

#include <algorithm>
#include <memory>
#include <string>

#include "engine/core/area_graph.hpp"

namespace socialtwin {

namespace {
constexpr std::size_t none = AreaGraph::none;
constexpr std::size_t cells_per_area = static_cast<std::size_t>(n_sexes) * n_ages;
constexpr std::size_t at(int i) { return static_cast<std::size_t>(i); }
constexpr std::size_t institution = at(index(Position::institution));
}  // namespace

const Parameters<InstitutionSettings>& institution_parameters() {
    static const Parameters<InstitutionSettings> parameters = [] {
        Parameters<InstitutionSettings> p;
        p.block({.path = "institutions", .meaning = "Where institution residents live."});
        p.choice(
            &InstitutionSettings::located, institution_location_names,
            InstitutionLocation::where_they_lived,
            {.path = "institutions.located",
             .meaning =
                 "`true`: a person who enters an institution moves to an area with "
                 "a nursing home (facility type `nursing_home`, capacity in "
                 "clients: the dataset's nursing_homes.csv and the scenario's "
                 "facility changes) -- in their gemeente in proportion to capacity, "
                 "else the nearest area with capacity -- as CBS registers "
                 "institution residents at the home's address. `false`: entrants "
                 "stay in the area where they lived (the default: the shipped nursing_homes.csv "
                 "holds each organisation's seat only, not its locations, and "
                 "moving entrants to the seats made the PC4 backtest of the 65+ "
                 "worse; docs/model.md). Set `true` with a nursing_homes.csv that "
                 "lists every home, e.g. the gemeente's own."});
        p.choice(&InstitutionSettings::without_home, without_home_names, WithoutHome::stay,
                 {.path = "institutions.without_home",
                  .meaning = "Where the entrants of a gemeente with no nursing home in the "
                             "dataset go. `nearest_home`: to the nearest area with capacity "
                             "(over the area graph), often in another gemeente. `stay`: they "
                             "stay in their own area -- the dataset places each organisation "
                             "at its seat only, so most gemeenten without a seat do have homes "
                             "of organisations seated elsewhere."});
        return p;
    }();
    return parameters;
}

void InstitutionMoves::configure(const Scenario& scenario) {
    institution_parameters().bind(settings_, scenario.parameters);
}

void InstitutionMoves::declare_indicators(IndicatorCatalog& catalog) {
    moves_out_ = catalog.add(
        {.name = "institution_moves_out",
         .units = "persons per year",
         .description = "Persons who entered an institution during the year and moved out of "
                        "the area to a nursing home in another area (part of migration_out).",
         .source = "household position transitions (CBS 71488ned) x nursing-home capacity "
                   "(Zorginstituut Nederland, clients per organisation seat)",
         .kind = IndicatorKind::count,
         .quantity = Quantity::flow});
    moves_in_ = catalog.add(
        {.name = "institution_moves_in",
         .units = "persons per year",
         .description = "Persons who entered an institution during the year and moved into "
                        "the area, to one of its nursing homes, from another area (part of "
                        "migration_in).",
         .source = "household position transitions (CBS 71488ned) x nursing-home capacity "
                   "(Zorginstituut Nederland, clients per organisation seat)",
         .kind = IndicatorKind::count,
         .quantity = Quantity::flow});
}

void InstitutionMoves::begin_run(const RunContext& run) {
    areas_ = run.areas;
    const std::size_t n = areas_->size();
    gemeente_of_ = areas_->groups("gemeente");
    leavers_.assign(run.agents ? n : 0, {});
    entrants_.assign(run.agents ? 0 : n * cells_per_area, 0.0);
    positions_.record_institution_entrants(!run.agents && located() ? &entrants_ : nullptr);
}

void InstitutionMoves::begin_year(int year) {
    year_ = year;
    const std::size_t n = areas_->size();
    const std::size_t n_gemeenten =
        gemeente_of_.empty() ? 0 : *std::max_element(gemeente_of_.begin(), gemeente_of_.end()) + 1;
    homes_.assign(n_gemeenten, {});
    cumulative_.assign(n_gemeenten, {});
    nearest_.assign(n, none);
    if (!located()) return;
    // Open capacity per area this year [clients], in area order.
    std::vector<double> capacity(n, 0.0);
    for (const Facility& f : facilities_)
        if (f.type == nursing_home_type && f.open_in(year)) capacity[f.area] += f.capacity_in(year);
    std::vector<double> total(n_gemeenten, 0.0);
    for (std::size_t a = 0; a < n; ++a)
        if (capacity[a] > 0) {
            homes_[gemeente_of_[a]].push_back(a);
            total[gemeente_of_[a]] += capacity[a];
            cumulative_[gemeente_of_[a]].push_back(total[gemeente_of_[a]]);
        }
    std::vector<std::size_t> sources;
    for (std::size_t g = 0; g < n_gemeenten; ++g) {
        for (double& c : cumulative_[g]) c /= total[g];
        if (!cumulative_[g].empty()) cumulative_[g].back() = 1.0;
        sources.insert(sources.end(), homes_[g].begin(), homes_[g].end());
    }
    std::sort(sources.begin(), sources.end());
    // A gemeente without capacity sends its entrants to the nearest area with capacity, over
    // the area graph (areas.csv positions), unless they are to stay; without positions they
    // stay.
    const bool some_without = std::any_of(gemeente_of_.begin(), gemeente_of_.end(),
                                          [&](std::size_t g) { return homes_[g].empty(); });
    const AreaQuantity *x = areas_->quantity("x_km"), *y = areas_->quantity("y_km"),
                       *access = areas_->quantity("access_km");
    if (settings_.without_home == WithoutHome::stay || sources.empty() || !some_without || !x ||
        !y || !access)
        return;
    const AreaGraph graph(x->values, y->values, access->values);
    const AreaGraph::Nearest found = graph.nearest(sources);
    for (std::size_t a = 0; a < n; ++a)
        if (homes_[gemeente_of_[a]].empty() && found.source[a] != none)
            nearest_[a] = sources[found.source[a]];
}

double InstitutionMoves::destination_share(std::size_t from, std::size_t to) const {
    const std::size_t g = gemeente_of_[from];
    if (homes_[g].empty()) return nearest_[from] == to ? 1.0 : 0.0;
    const auto it = std::find(homes_[g].begin(), homes_[g].end(), to);
    if (it == homes_[g].end()) return 0.0;
    const auto k = static_cast<std::size_t>(it - homes_[g].begin());
    return cumulative_[g][k] - (k == 0 ? 0.0 : cumulative_[g][k - 1]);
}

std::size_t InstitutionMoves::destination(std::size_t from, double u) const {
    const std::size_t g = gemeente_of_[from];
    if (homes_[g].empty()) return nearest_[from] == none ? from : nearest_[from];
    const auto& c = cumulative_[g];
    const auto k = static_cast<std::size_t>(std::upper_bound(c.begin(), c.end(), u) - c.begin());
    return homes_[g][std::min(k, c.size() - 1)];
}

// ---- Leaving: in the household positions phase ---------------------------------------------

void InstitutionMoves::apply(AreaStep& step) const {
    double leaving = 0;
    // The household positions model has written this area's entrants; those whose home lies in
    // another area leave now.
    const double away = located() ? 1.0 - destination_share(step.area, step.area) : 0.0;
    const bool somewhere = !homes_[gemeente_of_[step.area]].empty() || nearest_[step.area] != none;
    if (away > 0 && somewhere) {
        const double* entrants = entrants_.data() + step.area * cells_per_area;
        for (int s = 0; s < n_sexes; ++s)
            for (int a = 0; a < n_ages; ++a) {
                const double moving = entrants[at(s) * n_ages + at(a)] * away;
                step.next[at(CohortCell::offset(s, a, 0)) + institution] -= moving;
                leaving += moving;
            }
    }
    step.migration_out += leaving;
    step.values(moves_out_)[0] = leaving;
}

void InstitutionMoves::apply(AgentAreaStep& step) const {
    // Entrants: present, in an institution now and not on 1 January. Each draws a home (one
    // draw per person and year, so the order of visiting does not matter).
    const std::size_t here = step.counts.area;
    auto& leavers = leavers_[here];
    leavers.clear();
    if (located()) {
        AgentPopulation& persons = step.persons;
        for (const std::uint32_t id : step.residents) {
            if (persons.presence[id] != Presence::present ||
                persons.position[id] != Position::institution ||
                persons.position_on_1_january[id] == Position::institution)
                continue;
            const double u =
                step.random.uniforms(institution_moves_stream, persons.stable_id[id], year_)[0];
            const std::size_t to = destination(here, u);
            if (to == here) continue;
            persons.presence[id] = Presence::moved;
            leavers.push_back({id, static_cast<std::uint32_t>(to)});
        }
    }
    const auto leaving = static_cast<double>(leavers.size());
    step.counts.migration_out += leaving;
    step.counts.values(moves_out_)[0] = leaving;
}

void InstitutionMoves::expected_arrivals(std::vector<double>& into) const {
    // Each area's entrants times the share of each other area: per gemeente with homes, the
    // gemeente's entrants in proportion to capacity, less each home area's own who stay.
    std::fill(into.begin(), into.end(), 0.0);
    if (!located()) return;
    std::vector<double> pool(homes_.size() * cells_per_area, 0.0);  // per gemeente
    for (std::size_t from = 0; from < gemeente_of_.size(); ++from) {
        const double* entrants = entrants_.data() + from * cells_per_area;
        const std::size_t g = gemeente_of_[from];
        double* to = nullptr;
        if (!homes_[g].empty())
            to = pool.data() + g * cells_per_area;
        else if (nearest_[from] != none)
            to = into.data() + nearest_[from] * cells_per_area;
        if (to)
            for (std::size_t i = 0; i < cells_per_area; ++i) to[i] += entrants[i];
    }
    for (std::size_t g = 0; g < homes_.size(); ++g)
        for (const std::size_t home : homes_[g]) {
            const double share = destination_share(home, home);
            const double* own = entrants_.data() + home * cells_per_area;
            double* to = into.data() + home * cells_per_area;
            for (std::size_t i = 0; i < cells_per_area; ++i)
                to[i] += share * (pool[g * cells_per_area + i] - own[i]);
        }
}

// ---- Arriving: in the migration phase, settling with the housing market -------------------

void InstitutionArrivals::begin_run(const RunContext& run) {
    agents_ = run.agents;
    n_areas_ = run.areas->size();
    arrivals_.assign(agents_ ? 0 : n_areas_ * cells_per_area, 0.0);
    arriving_.assign(agents_ ? n_areas_ : 0, {});
}

void InstitutionArrivals::settle() {
    if (!agents_) {
        moves_.expected_arrivals(arrivals_);
        return;
    }
    for (auto& in : arriving_) in.clear();
    for (const auto& leavers : moves_.leavers())
        for (const auto& [id, to] : leavers) arriving_[to].push_back(id);
}

void InstitutionArrivals::complete(AreaStep& step) const {
    const double* arriving = arrivals_.data() + step.area * cells_per_area;
    double moved_in = 0;
    for (int s = 0; s < n_sexes; ++s)
        for (int a = 0; a < n_ages; ++a) {
            const double persons = arriving[at(s) * n_ages + at(a)];
            step.next[at(CohortCell::offset(s, a, 0)) + institution] += persons;
            moved_in += persons;
        }
    step.migration_in += moved_in;
    step.values(moves_.moves_in_indicator())[0] = moved_in;
}

void InstitutionArrivals::complete(AgentAreaStep& step) const {
    const AgentPopulation& persons = step.persons;
    const auto& arriving = arriving_[step.counts.area];
    for (const std::uint32_t id : arriving)
        step.arrivals.push_back({persons.birth_year[id], persons.sex[id], persons.position[id],
                                 persons.mother[id], id});
    const auto moved_in = static_cast<double>(arriving.size());
    step.counts.migration_in += moved_in;
    step.counts.values(moves_.moves_in_indicator())[0] = moved_in;
}

}  // namespace socialtwin
