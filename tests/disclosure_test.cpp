// The reports' disclosure control (SECURITY.md) played against as an attacker
// would: every figure the roles are shown, for every filter, date range and
// breakdown the pages offer, combined by bound propagation over the finest
// cells (service area x visit type x age band x practitioner code x month),
// then every small group (1 to 4 children: a cell, any filter's region, any
// difference of two nested regions) tried: is any of its counts pinned to
// one value? The attacker is sound: each bound it derives is checked to hold
// the truth, counted here from the seeded answers, not by the collector.
#include "collector_store.hpp"
#include "index.hpp"
#include "recode.hpp"
#include "store.hpp"
#include "support.hpp"
#include "views.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <array>
#include <bitset>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <vector>

using namespace sayso;
using test::TempDir;
namespace reports = sayso::collector::reports;

namespace {

constexpr std::int64_t kInf = std::int64_t{1} << 40;

// The vocabulary of the seeded council: every finest cell is one of each.
const std::vector<std::string> kAreas = {"children-in-care", "early-help"};
const std::vector<std::string> kVisits = {"review", "visit"};
const std::vector<std::string> kBands = {"12-17", "8-11"};
const std::string kNoCode = "(none)"; // a response given without a practitioner code
const std::vector<std::string> kCodes = {"SW-1", "SW-2", kNoCode};
const std::vector<std::string> kMonths = {"2026-10", "2026-11", "2026-12"};
const std::vector<std::string> kMeasures = {"keeps_promises", "listened"};

struct Record {
    std::string area, visit, band, code, month, child, case_ref;
    bool complete = true;
    std::string face;    // listened: a face, "" skipped, "-" not asked
    std::string promise; // keeps_promises: yes / no / not_sure, "" skipped, "-" not asked
};

int tone_of(const std::string& kind, const std::string& o) {
    if (kind == "faces") return o == "very_sad" || o == "sad" ? -1 : o == "ok" ? 0 : 1;
    return o == "no" ? -1 : o == "not_sure" ? 0 : 1;
}

// The finest cells, numbered.
struct Cells {
    std::vector<std::array<std::string, 5>> all; // area, visit, band, code, month
    std::map<std::array<std::string, 5>, int> index;
    Cells() {
        for (const auto& a : kAreas)
            for (const auto& v : kVisits)
                for (const auto& b : kBands)
                    for (const auto& c : kCodes)
                        for (const auto& m : kMonths) {
                            index[{a, v, b, c, m}] = static_cast<int>(all.size());
                            all.push_back({a, v, b, c, m});
                        }
    }
};
const Cells& cells() {
    static const Cells c;
    return c;
}
static_assert(2 * 2 * 2 * 3 * 3 <= 128, "a set of cells is two words");
// A set of cells, one bit each.
struct CellSet {
    std::uint64_t w[2] = {0, 0};
    std::size_t size() const { return cells().all.size(); }
    bool operator[](std::size_t i) const { return (w[i >> 6] >> (i & 63)) & 1; }
    void add(std::size_t i) { w[i >> 6] |= std::uint64_t{1} << (i & 63); }
    bool empty() const { return !w[0] && !w[1]; }
    bool holds(const CellSet& o) const { return !(o.w[0] & ~w[0]) && !(o.w[1] & ~w[1]); }
    CellSet minus(const CellSet& o) const {
        CellSet d;
        d.w[0] = w[0] & ~o.w[0];
        d.w[1] = w[1] & ~o.w[1];
        return d;
    }
    bool operator<(const CellSet& o) const { return w[0] != o.w[0] ? w[0] < o.w[0] : w[1] < o.w[1]; }
    bool operator==(const CellSet& o) const { return w[0] == o.w[0] && w[1] == o.w[1]; }
};

std::vector<std::string> whats();
const std::string kKept = "*"; // a value published kept together with others (recode.hpp)

// Where each finest cell's rows are published, for each figure ("responses",
// "measure M"): its area, visit, band, code and month as published, or none
// when they count in no figure. Without recoding, each cell as it is.
using Cut = std::array<std::string, 5>;
using Published = std::map<std::string, std::vector<std::optional<Cut>>>;

// Each cell published as it is.
const Published& as_is() {
    static const Published p = [] {
        Published out;
        for (const auto& w : whats())
            for (const auto& c : cells().all)
                out[w].push_back(c);
        return out;
    }();
    return p;
}

// What a figure covers: one value (as published) or any of each dimension,
// and a range of months, or all time (no range: months kept together too).
struct Region {
    std::string area, visit, band, code, from, to;
    CellSet set(const Published& published, const std::string& what) const {
        const auto& map = published.at(what);
        CellSet s;
        for (std::size_t i = 0; i < s.size(); ++i) {
            if (!map[i]) continue;
            const Cut& c = *map[i];
            auto dim = [](const std::string& mine, const std::string& theirs) {
                return mine.empty() || mine == theirs;
            };
            bool in_time = true;
            if (from == kKept)
                in_time = c[4] == kKept;
            else if (!from.empty() || !to.empty())
                in_time = c[4] != kKept && (from.empty() || from <= c[4]) && (to.empty() || c[4] <= to);
            if (dim(area, c[0]) && dim(visit, c[1]) && dim(band, c[2]) && dim(code, c[3]) && in_time) s.add(i);
        }
        return s;
    }
    std::string name() const {
        auto part = [](const char* what, const std::string& v) { return v.empty() ? "" : std::string(what) + v + " "; };
        return part("area ", area) + part("visit ", visit) + part("band ", band) + part("code ", code) +
               (from.empty() && to.empty() ? "all time" : from + ".." + to);
    }
};

// The figures an attacker reads: "responses" (children, responses, complete)
// and "measure M" (children, answers, positive, middling, negative, skipped, other).
int width(const std::string& what) {
    return what == "responses" ? 3 : 7;
}
std::vector<std::string> whats() {
    std::vector<std::string> w = {"responses"};
    for (const auto& m : kMeasures)
        w.push_back("measure " + m);
    return w;
}

// What is true in each cell, counted from the records.
struct Truth {
    // (what, cell) -> counts; children are counted per cell here, and per set by children_in().
    std::map<std::string, std::vector<std::vector<std::int64_t>>> counts;
    std::map<std::string, std::vector<std::set<std::string>>> children;
    explicit Truth(const std::vector<Record>& records) {
        for (const auto& w : whats()) {
            counts[w].assign(cells().all.size(), std::vector<std::int64_t>(static_cast<std::size_t>(width(w)), 0));
            children[w].assign(cells().all.size(), {});
        }
        for (const auto& r : records) {
            const auto i = static_cast<std::size_t>(cells().index.at({r.area, r.visit, r.band, r.code, r.month}));
            auto& resp = counts["responses"][i];
            resp[1] += 1;
            resp[2] += r.complete;
            children["responses"][i].insert(r.child);
            auto answer = [&](const std::string& measure, const std::string& kind, const std::string& o) {
                if (o == "-") return;
                auto& x = counts["measure " + measure][i];
                children["measure " + measure][i].insert(r.child);
                x[1] += 1;
                if (o.empty()) {
                    x[5] += 1;
                    return;
                }
                const int t = tone_of(kind, o);
                x[t == 1 ? 2 : t == 0 ? 3 : 4] += 1;
            };
            answer("listened", "faces", r.face);
            answer("keeps_promises", "yes_no", r.promise);
        }
        for (auto& [w, per_cell] : counts)
            for (std::size_t i = 0; i < per_cell.size(); ++i)
                per_cell[i][0] = static_cast<std::int64_t>(children[w][i].size());
        // Each child a bit, so the children of a set of cells are counted at once.
        std::map<std::string, std::size_t> number;
        for (const auto& r : records)
            number.emplace(r.child, number.size());
        REQUIRE(number.size() <= kMaxChildren);
        for (const auto& [w, per_cell] : children) {
            bits[w].resize(per_cell.size());
            for (std::size_t i = 0; i < per_cell.size(); ++i)
                for (const auto& c : per_cell[i])
                    bits[w][i].set(number.at(c));
        }
    }
    static constexpr std::size_t kMaxChildren = 512;
    std::map<std::string, std::vector<std::bitset<kMaxChildren>>> bits;
    std::int64_t children_in(const std::string& what, const CellSet& s) const {
        std::bitset<kMaxChildren> all;
        const auto& per_cell = bits.at(what);
        for (std::size_t i = 0; i < s.size(); ++i)
            if (s[i]) all |= per_cell[i];
        return static_cast<std::int64_t>(all.count());
    }
    std::int64_t sum(const std::string& what, const CellSet& s, std::size_t k) const {
        std::int64_t n = 0;
        for (std::size_t i = 0; i < s.size(); ++i)
            if (s[i]) n += counts.at(what)[i][k];
        return n;
    }
};

// One thing a reader was shown: a figure's counts, "fewer than 5" (hidden but
// listed), or nothing at all where a row would have been (absent).
enum class Seen { Shown, Hidden, Absent };
struct Observation {
    std::string what;
    Region region;
    Seen seen;
    std::vector<std::int64_t> counts;
    std::string where;         // the reader, filters and section it was read from
    bool may_be_empty = false; // hidden, and shown so even where there is nothing
};

std::vector<std::int64_t> counts_of(const reports::Figure& f) {
    return {f.children, f.answers, f.positive, f.middling, f.negative, f.skipped, f.other};
}
std::vector<std::int64_t> counts_of(const reports::Counts& c) {
    return {c.children, c.responses, c.complete};
}

// Everything one service view shows, as observations over regions.
void observe(collector::Store& s, const reports::Reader& reader, const reports::Filters& f, reports::Protection protect,
             std::vector<Observation>& out) {
    const auto v = test::held(reports::service_view(s, reader, f, protect, {}));
    Region base{f.service_area, f.visit_type, f.band, f.practitioner_code, f.month_from, f.month_to};
    if (reader.role == reports::Role::Manager) base.area = reader.service_area;
    if (reader.role == reports::Role::Practitioner) base.code = reader.practitioner_code;
    base.from = f.month_from;
    base.to = f.month_to;
    auto in_group = [&](const std::string& dim, const std::string& g) {
        Region r = base;
        if (dim == "band")
            r.band = g;
        else if (dim == "visit_type")
            r.visit = g;
        else if (dim == "service_area")
            r.area = g;
        else if (dim == "practitioner_code")
            r.code = g.empty() ? kNoCode : g;
        else if (dim == "month")
            r.from = r.to = g;
        return r;
    };
    const std::string view = reader.name + " " + f.service_area + "/" + f.visit_type + "/" + f.band + "/" +
                             f.practitioner_code + "/" + f.month_from + ".." + f.month_to + " by " + f.by;
    std::string section;
    auto add = [&](const std::string& what, const Region& r, bool hidden, std::vector<std::int64_t> counts) {
        out.push_back({what, r, hidden ? Seen::Hidden : Seen::Shown, std::move(counts), view + ": " + section});
    };
    auto absent = [&](const std::string& what, const Region& r) {
        out.push_back({what, r, Seen::Absent, {}, view + ": " + section});
    };
    // The values a breakdown could have had: a row not listed holds nothing.
    auto values_of = [&](const std::string& dim) -> std::vector<std::string> {
        auto kept = [](std::vector<std::string> v) {
            v.push_back(kKept);
            return v;
        };
        if (dim == "band") return kept(kBands);
        if (dim == "visit_type") return kept(kVisits);
        if (dim == "service_area") return kAreas;
        if (dim == "month") return kept(kMonths);
        return kept({"SW-1", "SW-2", ""});
    };
    // Within the view's months: a row outside them is never asked for.
    auto in_range = [&](const std::string& month) {
        if (base.from.empty() && base.to.empty()) return true;
        return month != kKept && (base.from.empty() || base.from <= month) && (base.to.empty() || month <= base.to);
    };
    std::set<std::string> listed_measures;
    section = "overall";
    for (const auto& m : v.measures) {
        add("measure " + m.measure, base, m.figure.suppressed, counts_of(m.figure));
        listed_measures.insert(m.measure);
    }
    for (const auto& m : kMeasures)
        if (!listed_measures.count(m)) absent("measure " + m, base);
    add("responses", base, v.counts.suppressed, counts_of(v.counts));
    out.back().may_be_empty = true; // the view's own count is there even when nothing is
    section = "months";
    for (const auto& mo : kMonths) {
        const Region r = in_group("month", mo);
        if (!in_range(mo)) continue;
        if (auto c = v.month_counts.find(mo); c != v.month_counts.end())
            add("responses", r, c->second.suppressed, counts_of(c->second));
        else
            absent("responses", r);
        for (const auto& m : kMeasures) {
            auto t = v.trend.find(m);
            if (t != v.trend.end() && t->second.count(mo))
                add("measure " + m, r, t->second.at(mo).suppressed, counts_of(t->second.at(mo)));
            else if (t != v.trend.end() || !listed_measures.count(m))
                absent("measure " + m, r);
        }
    }
    section = "breakdown";
    for (const auto& g : values_of(f.by)) {
        const Region r = in_group(f.by, g);
        if (f.by == "month" && !in_range(g)) continue;
        // Within a role's reach and the filters only: a row outside them is never asked for.
        if (!base.area.empty() && r.area != base.area) continue;
        if (!base.visit.empty() && r.visit != base.visit) continue;
        if (!base.band.empty() && r.band != base.band) continue;
        if (!base.code.empty() && r.code != base.code) continue;
        if (auto c = v.group_counts.find(g); c != v.group_counts.end())
            add("responses", r, c->second.suppressed, counts_of(c->second));
        else
            absent("responses", r);
        for (const auto& m : kMeasures) {
            auto b = v.breakdown.find(g);
            if (b != v.breakdown.end() && b->second.count(m))
                add("measure " + m, r, b->second.at(m).suppressed, counts_of(b->second.at(m)));
            else
                absent("measure " + m, r);
        }
    }
}

// Integer intervals, one per unknown: each cell's counts for each figure.
struct Bounds {
    std::vector<std::int64_t> lo, hi;
    int add() {
        lo.push_back(0);
        hi.push_back(kInf);
        return static_cast<int>(lo.size()) - 1;
    }
};

// sum(coef * var) within [low, high]
struct Linear {
    std::vector<std::pair<int, int>> terms;
    std::int64_t low = -kInf, high = kInf;
};

// Tightens every unknown by every constraint until nothing changes. Sound:
// it only removes values no assignment meeting all the constraints can take.
bool propagate(Bounds& b, const std::vector<Linear>& cons, const std::vector<std::pair<int, int>>& some_if_any) {
    for (int round = 0; round < 200; ++round) {
        bool changed = false;
        for (const auto& c : cons) {
            // The sum's least and greatest values, with its unbounded terms counted apart.
            std::int64_t smin = 0, smax = 0;
            int open_min = 0, open_max = 0;
            auto term_min = [&](int v, int k) {
                const auto vi = static_cast<std::size_t>(v);
                return k > 0 ? std::pair{b.lo[vi] * k, false} : std::pair{b.hi[vi] * k, b.hi[vi] >= kInf};
            };
            auto term_max = [&](int v, int k) {
                const auto vi = static_cast<std::size_t>(v);
                return k > 0 ? std::pair{b.hi[vi] * k, b.hi[vi] >= kInf} : std::pair{b.lo[vi] * k, false};
            };
            for (auto [v, k] : c.terms) {
                const auto [mn, mn_open] = term_min(v, k);
                const auto [mx, mx_open] = term_max(v, k);
                if (mn_open)
                    ++open_min;
                else
                    smin += mn;
                if (mx_open)
                    ++open_max;
                else
                    smax += mx;
            }
            for (auto [v, k] : c.terms) {
                const auto vi = static_cast<std::size_t>(v);
                const auto [mn, mn_open] = term_min(v, k);
                const auto [mx, mx_open] = term_max(v, k);
                const bool rest_max_open = open_max - (mx_open ? 1 : 0) > 0;
                const bool rest_min_open = open_min - (mn_open ? 1 : 0) > 0;
                const std::int64_t rest_max = smax - (mx_open ? 0 : mx), rest_min = smin - (mn_open ? 0 : mn);
                // k*x within [low - rest_max, high - rest_min]
                if (!rest_max_open && c.low > -kInf / 2) {
                    const std::int64_t t = c.low - rest_max;
                    if (k > 0 && t > b.lo[vi]) b.lo[vi] = t, changed = true;
                    if (k < 0 && -t < b.hi[vi]) b.hi[vi] = -t, changed = true;
                }
                if (!rest_min_open && c.high < kInf / 2) {
                    const std::int64_t t = c.high - rest_min;
                    if (k > 0 && t < b.hi[vi]) b.hi[vi] = t, changed = true;
                    if (k < 0 && -t > b.lo[vi]) b.lo[vi] = -t, changed = true;
                }
                if (b.lo[vi] > b.hi[vi]) return false; // no assignment fits: the model is wrong
            }
        }
        // A count of answers or responses above 0 means a child gave them, and none means no child.
        for (auto [count, kids] : some_if_any) {
            const auto ci = static_cast<std::size_t>(count), ki = static_cast<std::size_t>(kids);
            if (b.lo[ci] >= 1 && b.lo[ki] < 1) b.lo[ki] = 1, changed = true;
            if (b.hi[ki] == 0 && b.hi[ci] > 0) b.hi[ci] = 0, changed = true;
        }
        for (std::size_t i = 0; i < b.lo.size(); ++i)
            if (b.lo[i] > b.hi[i]) return false; // no assignment fits: the model is wrong
        if (!changed) return true;
    }
    return true;
}

// What a shown count may stand for, rounded to the nearest multiple of `base`.
std::pair<std::int64_t, std::int64_t> stands_for(std::int64_t shown, int base) {
    if (base <= 1) return {shown, shown};
    return {std::max<std::int64_t>(0, shown - base / 2), shown + (base - 1) / 2};
}

struct Attack {
    std::vector<std::string> worked_out; // small groups' counts pinned to one value
    std::size_t figures = 0, small_groups = 0;
    std::int64_t narrowest = kInf; // the fewest values left for any small group's count
};

// Plays the attacker over everything `observations` show, as published under `protect`.
Attack attack(const std::vector<Observation>& observations, const Published& published, const Truth& truth,
              reports::Protection protect, bool hidden_rows_hold_someone) {
    const int base = protect.round_to, threshold = protect.threshold;
    const std::size_t n = cells().all.size();
    Bounds b;
    std::map<std::string, std::vector<std::vector<int>>> var; // (what, cell) -> unknown per count
    std::vector<Linear> cons;
    std::vector<std::pair<int, int>> some_if_any;
    for (const auto& w : whats()) {
        var[w].resize(n);
        for (std::size_t i = 0; i < n; ++i)
            for (int k = 0; k < width(w); ++k)
                var[w][i].push_back(b.add());
    }
    // What holds in every cell, whatever is shown.
    for (std::size_t i = 0; i < n; ++i) {
        const auto& r = var["responses"][i];
        cons.push_back({{{r[1], 1}, {r[0], -1}}, 0, kInf}); // responses >= children
        cons.push_back({{{r[1], 1}, {r[2], -1}}, 0, kInf}); // responses >= complete
        some_if_any.push_back({r[1], r[0]});
        for (const auto& m : kMeasures) {
            const auto& x = var["measure " + m][i];
            // answers = positive + middling + negative + skipped + other
            cons.push_back({{{x[1], 1}, {x[2], -1}, {x[3], -1}, {x[4], -1}, {x[5], -1}, {x[6], -1}}, 0, 0});
            cons.push_back({{{x[1], 1}, {x[0], -1}}, 0, kInf}); // answers >= children
            cons.push_back({{{r[1], 1}, {x[1], -1}}, 0, kInf}); // one answer a measure a response
            cons.push_back({{{r[0], 1}, {x[0], -1}}, 0, kInf}); // who answered responded
            some_if_any.push_back({x[1], x[0]});
        }
    }
    // Each figure, as its shown counts allow.
    struct Known {
        std::int64_t lo = 0, hi = kInf;
    };
    std::map<std::pair<std::string, CellSet>, std::vector<Known>> known; // sums over a set, as shown
    for (const auto& o : observations) {
        const CellSet s = o.region.set(published, o.what);
        const auto& v = var[o.what];
        auto sum_of = [&](std::size_t k, std::int64_t lo, std::int64_t hi) {
            Linear c;
            for (std::size_t i = 0; i < n; ++i)
                if (s[i]) c.terms.push_back({v[i][k], 1});
            c.low = lo;
            c.high = hi;
            cons.push_back(c);
        };
        auto& kn = known[{o.what, s}];
        kn.resize(static_cast<std::size_t>(width(o.what)));
        if (o.seen == Seen::Absent) {
            for (std::size_t k = 1; k < kn.size(); ++k)
                kn[k] = {0, 0};
            sum_of(1, 0, 0);
            continue;
        }
        // Children: not additive (a child may answer in several cells), so
        // the set's children lie between its largest cell and its cells' sum.
        std::int64_t kids_lo, kids_hi;
        if (o.seen == Seen::Hidden) {
            kids_lo = hidden_rows_hold_someone && !o.may_be_empty ? 1 : 0;
            kids_hi = kInf; // fewer than the threshold, or hidden beside one that is
        } else {
            const auto [lo, hi] = stands_for(o.counts[0], base);
            kids_lo = std::max<std::int64_t>(lo, threshold);
            kids_hi = hi;
        }
        Linear kids;
        for (std::size_t i = 0; i < n; ++i)
            if (s[i]) {
                kids.terms.push_back({v[i][0], 1});
                if (kids_hi < kInf) cons.push_back({{{v[i][0], 1}}, 0, kids_hi});
            }
        kids.low = kids_lo;
        cons.push_back(kids);
        sum_of(1, kids_lo, kInf); // at least an answer (or response) a child
        if (o.seen == Seen::Hidden) continue;
        for (std::size_t k = 1; k < o.counts.size(); ++k) {
            const auto [lo, hi] = stands_for(o.counts[k], base);
            kn[k].lo = std::max(kn[k].lo, lo);
            kn[k].hi = std::min(kn[k].hi, hi);
            sum_of(k, lo, hi);
        }
    }
    Attack out;
    out.figures = observations.size();
    // Nothing the attacker derives may exclude the truth: else the attacker is unsound.
    const bool fits = propagate(b, cons, some_if_any);
    CHECK_MESSAGE(fits, "the attacker's model admits no assignment: it assumes something the reports don't say");
    for (const auto& w : whats())
        for (std::size_t i = 0; i < n; ++i)
            for (int k = 0; k < width(w); ++k) {
                const auto id = static_cast<std::size_t>(var[w][i][static_cast<std::size_t>(k)]);
                const auto t = truth.counts.at(w)[i][static_cast<std::size_t>(k)];
                if (b.lo[id] > t || t > b.hi[id])
                    FAIL_CHECK("unsound bound for " << w << " count " << k << " in cell " << i << ": [" << b.lo[id]
                                                    << ", " << b.hi[id] << "] but " << t);
            }
    // A set's sum of one count, as the cells' bounds and the figure shown for it allow.
    auto bound = [&](const std::string& w, const CellSet& s, std::size_t k) {
        std::int64_t lo = 0, hi = 0;
        for (std::size_t i = 0; i < n; ++i)
            if (s[i]) {
                const auto id = static_cast<std::size_t>(var[w][i][k]);
                lo += b.lo[id];
                hi = std::min(kInf, hi + b.hi[id]);
            }
        if (auto it = known.find({w, s}); it != known.end() && k < it->second.size()) {
            lo = std::max(lo, it->second[k].lo);
            hi = std::min(hi, it->second[k].hi);
        }
        return std::pair{lo, hi};
    };
    // Every region a filter can make, and every difference of two nested ones.
    std::vector<CellSet> regions;
    {
        std::set<CellSet> seen;
        auto opts = [](const std::vector<std::string>& v) {
            std::vector<std::string> o = {""};
            o.insert(o.end(), v.begin(), v.end());
            return o;
        };
        for (const auto& a : opts(kAreas))
            for (const auto& v : opts(kVisits))
                for (const auto& bd : opts(kBands))
                    for (const auto& c : opts(kCodes))
                        for (std::size_t f = 0; f < kMonths.size(); ++f)
                            for (std::size_t t = f; t < kMonths.size(); ++t) {
                                const CellSet s = Region{a, v, bd, c, kMonths[f], kMonths[t]}.set(as_is(), whats()[0]);
                                if (seen.insert(s).second) regions.push_back(s);
                            }
    }
    auto name = [&](const CellSet& s) {
        std::string out;
        for (std::size_t i = 0; i < s.size(); ++i)
            if (s[i]) {
                const auto& c = cells().all[i];
                out += (out.empty() ? "" : " + ") + c[0] + "/" + c[1] + "/" + c[2] + "/" + c[3] + "/" + c[4];
            }
        return out;
    };
    auto try_group = [&](const std::string& w, const CellSet& s,
                         const std::vector<std::pair<std::int64_t, std::int64_t>>& extra) {
        const auto kids = truth.children_in(w, s);
        if (kids < 1 || kids >= reports::kMinGroup) return;
        ++out.small_groups;
        for (std::size_t k = 1; k < static_cast<std::size_t>(width(w)); ++k) {
            auto [lo, hi] = bound(w, s, k);
            if (k - 1 < extra.size()) {
                lo = std::max(lo, extra[k - 1].first);
                hi = std::min(hi, extra[k - 1].second);
            }
            const auto t = truth.sum(w, s, k);
            if (lo > t || t > hi)
                FAIL_CHECK("unsound bound for " << w << " count " << k << " of " << name(s) << ": [" << lo << ", " << hi
                                                << "] but " << t);
            out.narrowest = std::min(out.narrowest, hi - lo + 1);
            if (lo == hi)
                out.worked_out.push_back(w + " count " + std::to_string(k) + " = " + std::to_string(t) + " for " +
                                         std::to_string(kids) + " children in " + name(s));
        }
    };
    for (const auto& w : whats()) {
        for (const auto& s : regions)
            try_group(w, s, {});
        // A region minus one inside it: the figures shown for both, subtracted.
        for (const auto& outer : regions)
            for (const auto& inner : regions) {
                if (&outer == &inner || !outer.holds(inner)) continue;
                const CellSet d = outer.minus(inner);
                if (truth.children_in(w, d) >= reports::kMinGroup) continue;
                std::vector<std::pair<std::int64_t, std::int64_t>> extra;
                for (std::size_t k = 1; k < static_cast<std::size_t>(width(w)); ++k) {
                    const auto [olo, ohi] = bound(w, outer, k);
                    const auto [ilo, ihi] = bound(w, inner, k);
                    extra.push_back({std::max<std::int64_t>(0, olo - ihi), ohi >= kInf ? kInf : ohi - ilo});
                }
                try_group(w, d, extra);
            }
    }
    return out;
}

} // namespace

namespace {

// A small council's answers: the groups the reports must not give away
// (a band of 3 among 12 teenagers, one child alone at a visit, two hidden
// rows of 2, rows at the edges of the rounding, children coming back month
// after month, responses given without a practitioner code), then answers
// spread at random from `seed`.
std::vector<Record> council(unsigned seed) {
    std::vector<Record> out;
    unsigned state = seed * 2654435761u + 12345u;
    auto next = [&](unsigned n) {
        state = state * 1103515245u + 12345u;
        return (state >> 8) % n;
    };
    const std::vector<std::string> faces = {"very_sad", "sad", "ok", "happy", "very_happy"},
                                   promises = {"yes", "no", "not_sure"};
    int serial = 0;
    auto add = [&](const std::string& area, const std::string& visit, const std::string& band, const std::string& code,
                   const std::string& month, std::string child) {
        Record r{area, visit, band, code, month, child, child, true, "", ""};
        ++serial;
        if (child.empty()) r.child = "response:r" + std::to_string(serial);
        r.complete = next(8) != 0;
        const unsigned f = next(10), p = next(10);
        r.face = f == 0 ? "" : faces[next(5)];
        r.promise = p < 2 ? "-" : p == 2 ? "" : promises[next(3)];
        out.push_back(r);
    };
    auto many = [&](int count, const std::string& area, const std::string& visit, const std::string& band,
                    const std::string& code, const std::string& month, const std::string& who) {
        for (int i = 0; i < count; ++i)
            add(area, visit, band, code, month, who + "-" + std::to_string(i));
    };
    const std::string cic = "children-in-care", eh = "early-help";
    many(12, cic, "visit", "12-17", "SW-1", "2026-10", "teen");
    many(3, cic, "visit", "8-11", "SW-1", "2026-10", "young"); // 3 among 12
    many(6, eh, "review", "12-17", "SW-2", "2026-11", "reviewed");
    many(1, eh, "visit", "12-17", "SW-2", "2026-11", "alone"); // one child at a visit
    many(7, eh, "review", "12-17", "SW-2", "2026-12", "seven");
    many(2, eh, "review", "12-17", "SW-1", "2026-12", "two"); // two hidden rows of 2
    many(2, eh, "review", "12-17", kNoCode, "2026-12", "");
    many(7, cic, "visit", "12-17", "SW-1", "2026-12", "edge-a"); // 7 + 7 + 4 = 18, shown as 20
    many(7, cic, "visit", "12-17", "SW-2", "2026-12", "edge-b");
    many(4, cic, "visit", "12-17", kNoCode, "2026-12", "edge-c");
    many(5, cic, "review", "8-11", "SW-2", "2026-11", "five"); // 5, 1 and 1 under a total of 7
    many(1, cic, "review", "8-11", "SW-1", "2026-11", "one-a");
    many(1, cic, "review", "8-11", kNoCode, "2026-11", "");
    many(5, cic, "visit", "12-17", "SW-1", "2026-11", "teen"); // five of October's teenagers come back
    // The rest at random, from a few children each who come back.
    for (int i = 0; i < 40; ++i) {
        const auto& area = kAreas[next(2)];
        const auto& band = kBands[next(2)];
        const auto& code = kCodes[next(3)];
        const std::string child = next(6) == 0 ? "" : "c-" + area.substr(0, 2) + band + "-" + std::to_string(next(6));
        add(area, kVisits[next(2)], band, code, kMonths[next(3)], child);
    }
    return out;
}

collector::Response response_of(const Record& r, int n) {
    collector::Response x;
    x.id = "r" + std::to_string(n);
    x.device_id = "dev";
    x.pack_id = "after-my-visit";
    x.pack_version = "1.0.0";
    x.band = r.band;
    x.visit_type = r.visit;
    x.language = "en";
    x.started_at = r.month + "-07T10:00:00.000Z";
    x.ended_at = r.month + "-07T10:05:00.000Z";
    x.state = r.complete ? "complete" : "incomplete";
    x.practitioner_code = r.code == kNoCode ? "" : r.code;
    x.case_ref = r.case_ref;
    auto answer = [&](const std::string& qid, const std::string& kind, const std::string& measure,
                      const std::string& o) {
        if (o == "-") return;
        collector::Answer a;
        a.question_id = qid;
        a.position = static_cast<int>(x.answers.size());
        a.kind = kind;
        a.measure = measure;
        a.skipped = o.empty();
        if (!o.empty()) a.options = {o};
        a.answered_at = r.month + "-07T10:01:00.000Z";
        x.answers.push_back(a);
    };
    answer("listened", "faces", "listened", r.face);
    answer("promises", "yes_no", "keeps_promises", r.promise);
    return x;
}

// Everything every role is shown, for every filter, month range and breakdown the pages offer.
std::vector<Observation> everything_shown(collector::Store& s, reports::Protection protect, bool every_role = true) {
    std::vector<reports::Reader> readers = {{"ada", "admin", "", ""},
                                            {"meg", "manager", "early-help", ""},
                                            {"cat", "manager", "children-in-care", ""},
                                            {"sam", "practitioner", "", "SW-1"},
                                            {"sue", "practitioner", "", "SW-2"}};
    if (!every_role) readers.resize(1); // an admin's filters reach every region the others see
    auto opts = [](const std::vector<std::string>& v) {
        std::vector<std::string> o = {""};
        o.insert(o.end(), v.begin(), v.end());
        return o;
    };
    // All time, and every range of whole months.
    std::vector<std::pair<std::string, std::string>> ranges = {{"", ""}};
    for (std::size_t from = 0; from < kMonths.size(); ++from)
        for (std::size_t to = from; to < kMonths.size(); ++to)
            ranges.push_back({kMonths[from], kMonths[to]});
    std::vector<Observation> out;
    for (const auto& reader : readers)
        for (const auto& area : reader.role == reports::Role::Manager ? std::vector<std::string>{""} : opts(kAreas))
            for (const auto& visit : opts(kVisits))
                for (const auto& band : opts(kBands))
                    for (const auto& code : reader.role == reports::Role::Practitioner ? std::vector<std::string>{""}
                                                                                       : opts({"SW-1", "SW-2"}))
                        for (const auto& [from, to] : ranges)
                            for (const auto& by : reports::breakdown_dimensions()) {
                                reports::Filters f;
                                f.service_area = area;
                                f.visit_type = visit;
                                f.band = band;
                                f.practitioner_code = code;
                                f.month_from = from;
                                f.month_to = to;
                                f.by = by;
                                observe(s, reader, f, protect, out);
                            }
    return out;
}

// Delivers records [from, to) of a council's answers to the store and indexes
// them, as the collector would in `month_now`.
void deliver(collector::Store& s, const std::vector<Record>& records, const std::vector<std::size_t>& which,
             const std::string& month_now, std::size_t rows_per_run = reports::kRowsPerRun) {
    for (const auto& a : kAreas) {
        std::vector<collector::Response> rs;
        for (std::size_t i : which)
            if (records[i].area == a) rs.push_back(response_of(records[i], static_cast<int>(i) + 1));
        REQUIRE(s.insert("tab-" + a, rs));
    }
    const auto done = test::held(reports::index_new(s, {}, {}, reports::kMinGroup, month_now, rows_per_run));
    REQUIRE(done.responses == static_cast<std::int64_t>(which.size()));
}

std::unique_ptr<collector::Store> empty_store(const TempDir& tmp) {
    auto s = test::open_collector_store("sqlite:" + (tmp / "c.db").string());
    for (const auto& a : kAreas)
        REQUIRE(s->query("INSERT INTO device_services (name, service_area) VALUES (?, ?)", {"tab-" + a, a}));
    return s;
}

// A council's answers in a fresh store, indexed once every month is over.
std::unique_ptr<collector::Store> store_of(const TempDir& tmp, const std::vector<Record>& records) {
    auto s = empty_store(tmp);
    std::vector<std::size_t> all(records.size());
    for (std::size_t i = 0; i < all.size(); ++i)
        all[i] = i;
    deliver(*s, records, all, "2027-01");
    return s;
}

// The figures as counted (nothing hidden or rounded) agree with the truth
// counted here: the attacker's map of regions to cells is the collector's.
void check_counting(const std::vector<Observation>& exact, const Published& published, const Truth& truth) {
    for (const auto& o : exact) {
        const CellSet s = o.region.set(published, o.what);
        if (o.seen == Seen::Absent) {
            CHECK_MESSAGE(truth.sum(o.what, s, 1) == 0,
                          o.what << " absent but counted in " << o.region.name() << " (" << o.where << ")");
            continue;
        }
        CHECK_MESSAGE(o.counts[0] == truth.children_in(o.what, s), o.what << " children in " << o.region.name());
        for (std::size_t k = 1; k < o.counts.size(); ++k)
            CHECK_MESSAGE(o.counts[k] == truth.sum(o.what, s, k),
                          o.what << " count " << k << " in " << o.region.name());
    }
}

// Where the collector publishes each cell (report_recode), as the attacker is told.
Published published_of(collector::Store& s) {
    Published out;
    for (const auto& w : whats())
        out[w].assign(cells().all.size(), std::nullopt);
    const std::string columns = " service_area, visit_type, band, practitioner_code, month, p_visit, p_band, p_code,"
                                " p_month, counted FROM ";
    auto rows =
        test::held(s.query("SELECT DISTINCT ''," + columns + "report_responses UNION ALL SELECT DISTINCT measure," +
                               columns + "report_answers",
                           {}));
    std::set<std::pair<std::string, std::size_t>> seen;
    for (const auto& r : rows) {
        auto code = [](const std::string& c) { return c.empty() ? kNoCode : c; };
        const std::string what = r[0].empty() ? "responses" : "measure " + r[0];
        const auto i = static_cast<std::size_t>(cells().index.at({r[1], r[2], r[3], code(r[4]), r[5]}));
        // Indexed all at once, a cell's rows are all published in one cut, or none counted.
        CHECK_MESSAGE(seen.insert({what, i}).second, what << " of one cell published in two ways");
        if (r[10] == "1") out.at(what)[i] = Cut{r[1], r[6], r[7], code(r[8]), r[9]};
    }
    return out;
}

// The promise itself: every published cell holds at least `min_group` children, or none.
void check_cells(const Published& published, const Truth& truth, int min_group) {
    for (const auto& w : whats()) {
        std::map<Cut, CellSet> by_cut;
        for (std::size_t i = 0; i < cells().all.size(); ++i)
            if (const auto& c = published.at(w)[i]) {
                by_cut[*c].add(i);
            }
        for (const auto& [cut, set] : by_cut) {
            const auto n = truth.children_in(w, set);
            CHECK_MESSAGE((n == 0 || n >= min_group), w << " published in a cell of " << n << " children: " << cut[0]
                                                        << "/" << cut[1] << "/" << cut[2] << "/" << cut[3] << "/"
                                                        << cut[4]);
        }
        // A cell that counts in no figure: its children are too few to count anywhere.
    }
}

// How many councils the attack runs on (SAYSO_DISCLOSURE_COUNCILS for a long campaign).
unsigned councils() {
    if (const char* n = std::getenv("SAYSO_DISCLOSURE_COUNCILS"))
        return static_cast<unsigned>(std::max(1, std::atoi(n)));
    return 1;
}

} // namespace

TEST_CASE("no figure about fewer than 5 children can be worked out from everything the roles are shown") {
    std::size_t before = 0, small_groups = 0, figures = 0;
    std::int64_t narrowest = kInf;
    for (unsigned seed = 1; seed <= councils(); ++seed) {
        CAPTURE(seed);
        TempDir tmp;
        const auto records = council(seed);
        const Truth truth(records);
        auto s = store_of(tmp, records);
        auto t0 = std::chrono::steady_clock::now();
        auto lap = [&](const std::string& what) {
            const auto t1 = std::chrono::steady_clock::now();
            MESSAGE(what << ": " << std::chrono::duration<double>(t1 - t0).count() << " s");
            t0 = t1;
        };
        // The attacker's map of regions to cells is the collector's: every figure as counted,
        // and as published before rounding, is the sum over the cells the attacker takes it for.
        check_counting(everything_shown(*s, reports::Protection::none(), false), as_is(), truth);
        const Published published = published_of(*s);
        check_cells(published, truth, reports::kMinGroup);
        check_counting(everything_shown(*s, reports::Protection::exact(), false), published, truth);
        lap("counting checked");
        // Rounding and suppression without recoding (the method before): the attack has teeth.
        const auto old = attack(everything_shown(*s, reports::Protection::without_recoding()), as_is(), truth,
                                reports::Protection::without_recoding(), true);
        lap("attack without recoding");
        CHECK_FALSE(old.worked_out.empty());
        before += old.worked_out.size();
        // As published.
        const auto now =
            attack(everything_shown(*s, reports::Protection()), published, truth, reports::Protection(), true);
        lap("attack as published");
        for (const auto& w : now.worked_out)
            FAIL_CHECK("worked out: " << w);
        small_groups += now.small_groups;
        figures += now.figures;
        narrowest = std::min(narrowest, now.narrowest);
    }
    MESSAGE(councils() << " councils, " << figures << " figures shown, " << small_groups
                       << " small groups tried; rounding and suppression alone gave away " << before
                       << " counts of small groups; as published none, the fewest values left for one being "
                       << narrowest);
}

namespace {

// Every indexed row: whether it counts, where it is published, and whose it is.
struct Row {
    std::string what, area, child;
    bool counted;
    std::array<std::string, 4> cut;
};
std::map<std::string, Row> rows_of(collector::Store& s) {
    auto rows = test::held(
        s.query("SELECT 'r' || response_id, '', service_area, child, counted, p_month, p_visit, p_band, p_code"
                " FROM report_responses UNION ALL SELECT 'a' || rowid, measure, service_area, child, counted,"
                " p_month, p_visit, p_band, p_code FROM report_answers",
                {}));
    std::map<std::string, Row> out;
    for (const auto& r : rows)
        out[r[0]] = {r[1], r[2], r[3], r[4] == "1", {r[5], r[6], r[7], r[8]}};
    return out;
}

std::map<std::string, Observation> by_place(std::vector<Observation> all) {
    std::map<std::string, Observation> out;
    for (auto& o : all) {
        const std::string key = o.where + " | " + o.what + " | " + o.region.name();
        out.emplace(key, std::move(o));
    }
    return out;
}

// The figures added up as rows are counted (report_sums) are what counting
// the published rows one by one gives: for an admin, a manager (their area),
// a filter and a month range, read from the sums or counted, as each needs.
struct SumsCase {
    reports::Reader reader;
    reports::Filters filters;
    std::string where; // the same, over the published rows
};
void check_sums(collector::Store& s) {
    reports::Filters band, months;
    band.band = "12-17";
    months.month_from = "2026-10";
    months.month_to = "2026-11";
    const std::vector<SumsCase> cases = {
        {{"ada", "admin", "", ""}, {}, ""},
        {{"ada", "admin", "", ""}, band, " AND p_band = '12-17'"},
        {{"meg", "manager", "early-help", ""}, {}, " AND service_area = 'early-help'"},
        {{"ada", "admin", "", ""}, months, " AND p_month >= '2026-10' AND p_month <= '2026-11' AND p_month <> '*'"}};
    for (const auto& c : cases)
        for (const std::string by : {"band", "visit_type", "service_area", "month"}) {
            CAPTURE(by);
            CAPTURE(c.where);
            CAPTURE(c.reader.name);
            const auto& admin = c.reader;
            reports::Filters f = c.filters;
            f.by = by;
            auto v = test::held(reports::service_view(s, admin, f, reports::Protection::exact(), {}));
            static const std::map<std::string, std::string> column = {
                {"band", "p_band"}, {"visit_type", "p_visit"}, {"service_area", "service_area"}, {"month", "p_month"}};
            auto rows =
                test::held(s.query("SELECT measure, " + column.at(by) +
                                       ", COUNT(DISTINCT child), COUNT(*), SUM(CASE WHEN tone = 1 THEN 1 ELSE 0 END)"
                                       " FROM report_answers WHERE counted = 1" +
                                       c.where + " GROUP BY measure, " + column.at(by),
                                   {}));
            std::size_t listed = 0;
            for (const auto& r : rows) {
                CAPTURE(r[0]);
                CAPTURE(r[1]);
                const auto& f = v.breakdown[r[1]][r[0]];
                CHECK(f.children == std::stoll(r[2]));
                CHECK(f.answers == std::stoll(r[3]));
                CHECK(f.positive == std::stoll(r[4]));
                if (by == "month" && r[1] != kKept) CHECK(v.trend[r[0]][r[1]].children == std::stoll(r[2]));
                ++listed;
            }
            std::size_t shown = 0;
            for (const auto& [g, by_measure] : v.breakdown)
                shown += by_measure.size();
            CHECK(shown == listed);
            // And the responses.
            rows = test::held(s.query("SELECT " + column.at(by) +
                                          ", COUNT(*), COUNT(DISTINCT child), SUM(complete) FROM report_responses"
                                          " WHERE counted = 1" +
                                          c.where + " GROUP BY " + column.at(by),
                                      {}));
            CHECK(v.group_counts.size() == rows.size());
            for (const auto& r : rows) {
                CAPTURE(r[0]);
                const auto& c = v.group_counts[r[0]];
                CHECK(c.responses == std::stoll(r[1]));
                CHECK(c.children == std::stoll(r[2]));
                CHECK(c.complete == std::stoll(r[3]));
                if (by == "month" && r[0] != kKept) CHECK(v.month_counts[r[0]].children == std::stoll(r[2]));
            }
            rows = test::held(s.query(
                "SELECT COUNT(*), COUNT(DISTINCT child) FROM report_responses WHERE counted = 1" + c.where, {}));
            CHECK(v.counts.responses == std::stoll(rows[0][0]));
            CHECK(v.counts.children == std::stoll(rows[0][1]));
            if (by != "band") continue;
            rows = test::held(
                s.query("SELECT measure, COUNT(DISTINCT child), COUNT(*) FROM report_answers WHERE counted = 1" +
                            c.where + " GROUP BY measure",
                        {}));
            const auto overall =
                test::held(reports::measure_figures(s, admin, c.filters, reports::Protection::exact()));
            REQUIRE(overall.size() == rows.size());
            for (const auto& r : rows)
                for (const auto& m : overall)
                    if (m.measure == r[0]) {
                        CHECK(m.figure.children == std::stoll(r[1]));
                        CHECK(m.figure.answers == std::stoll(r[2]));
                    }
        }
}

} // namespace

TEST_CASE("between a page read one day and the same page read later, no figure changes by fewer than 5 children") {
    for (unsigned seed = 1; seed <= councils(); ++seed) {
        CAPTURE(seed);
        TempDir tmp;
        const auto records = council(seed);
        auto s = empty_store(tmp);
        // Delivered over three months, most answers as they are given, some late (a tablet offline).
        const std::vector<std::string> days = {"2026-11", "2026-12", "2027-01"};
        std::vector<std::vector<std::size_t>> batches(days.size());
        for (std::size_t i = 0; i < records.size(); ++i) {
            const bool late = i % 3 == 0;
            const auto month = records[i].month;
            std::size_t day = month <= "2026-11" ? 0 : month == "2026-12" ? 1 : 2;
            if (late) ++day;
            batches[std::min(day, days.size() - 1)].push_back(i);
        }
        std::map<std::string, Row> before;
        std::map<std::string, Observation> seen_before;
        std::size_t grew = 0, compared = 0;
        for (std::size_t d = 0; d < days.size(); ++d) {
            CAPTURE(days[d]);
            deliver(*s, records, batches[d], days[d]);
            const auto after = rows_of(*s);
            // What was counted stays counted, where it was.
            std::map<std::tuple<std::string, std::string, std::array<std::string, 4>>, std::set<std::string>> added;
            for (const auto& [id, r] : after) {
                const auto was = before.find(id);
                if (was != before.end() && was->second.counted) {
                    CHECK_MESSAGE(r.counted, id << " was counted and is not");
                    CHECK_MESSAGE(r.cut == was->second.cut, id << " moved to another published cell");
                } else if (r.counted) {
                    added[{r.what, r.area, r.cut}].insert(r.child);
                }
            }
            // A published cell grows by 5 children or more at a time.
            for (const auto& [cell, children] : added) {
                CHECK_MESSAGE(children.size() >= static_cast<std::size_t>(reports::kMinGroup),
                              "\"" << std::get<0>(cell) << "\" grew by " << children.size() << " children in "
                                   << std::get<1>(cell) << " " << std::get<2>(cell)[0] << "/" << std::get<2>(cell)[1]
                                   << "/" << std::get<2>(cell)[2] << "/" << std::get<2>(cell)[3]);
                ++grew;
            }
            // And so does every figure an admin's filters can reach (all the others see are among them).
            auto seen = by_place(everything_shown(*s, reports::Protection::exact(), false));
            for (const auto& [key, o] : seen) {
                const auto was = seen_before.find(key);
                auto total = [](const Observation& x) { return x.counts.size() > 1 ? x.counts[1] : 0; };
                const std::int64_t change = total(o) - (was == seen_before.end() ? 0 : total(was->second));
                CHECK_MESSAGE((change == 0 || change >= reports::kMinGroup), key << " changed by " << change);
                ++compared;
            }
            check_sums(*s);
            before = after;
            seen_before = std::move(seen);
        }
        CHECK(grew > 0);
        MESSAGE(grew << " published cells grew, " << compared << " figures compared day to day");
    }
}

TEST_CASE("a recoding counted a group a transaction publishes exactly what one counted at once does") {
    // The same council delivered over three months to two stores: one counts
    // each run's groups in one transaction, the other one group a
    // transaction. Every published cell, counted row, first mark and sum is
    // the same.
    const auto records = council(3);
    TempDir a_dir, b_dir;
    auto a = empty_store(a_dir);
    auto b = empty_store(b_dir);
    const std::vector<std::string> days = {"2026-11", "2026-12", "2027-01"};
    for (std::size_t d = 0; d < days.size(); ++d) {
        std::vector<std::size_t> which;
        for (std::size_t i = 0; i < records.size(); ++i)
            if ((records[i].month <= days[d] && (d == 0 || records[i].month > days[d - 1])) ||
                (d == days.size() - 1 && records[i].month > days[d]))
                which.push_back(i);
        deliver(*a, records, which, days[d], 1'000'000);
        deliver(*b, records, which, days[d], 1);
    }
    std::size_t counted = 0;
    for (const std::string sql :
         {"SELECT * FROM report_recode ORDER BY 1, 2, 3, 4, 5", "SELECT * FROM report_sums ORDER BY 1, 2, 3, 4, 5",
          "SELECT * FROM report_response_sums ORDER BY 1, 2, 3, 4",
          "SELECT measure, month, service_area, visit_type, band, practitioner_code, child, tone, skipped, p_month,"
          " p_visit, p_band, p_code, counted FROM report_answers ORDER BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, "
          "14",
          "SELECT response_id, p_month, p_visit, p_band, p_code, counted FROM report_responses ORDER BY 1"}) {
        CAPTURE(sql);
        const auto in_a = test::held(a->query(sql, {}));
        const auto in_b = test::held(b->query(sql, {}));
        CHECK(in_a.size() == in_b.size());
        CHECK(in_a == in_b);
        counted += in_a.size();
    }
    CHECK(counted > 300); // a council, not an empty store
    const auto published = test::held(a->query("SELECT COUNT(*) FROM report_responses WHERE counted = 1", {}));
    CHECK(std::stoll(published[0][0]) > 50);
}
