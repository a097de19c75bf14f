#include "views.hpp"

#include "index.hpp"
#include "recode.hpp"
#include "vocabulary.hpp"

#include "formats/base64.hpp"
#include "formats/formats.hpp"

#include <algorithm>
#include <atomic>
#include <functional>
#include <future>
#include <set>

namespace sayso::collector::reports {

namespace {

using Params = std::vector<Store::Param>;

std::int64_t num(const std::string& s) {
    if (s.empty()) return 0;
    try {
        return std::stoll(s);
    } catch (...) {
        return 0;
    }
}

// What the reader may see, as a condition over report_answers or
// report_responses: the one place a role's reach is written. An admin sees
// everything; a manager their service area; a practitioner responses with
// their own code; any other role nothing.
std::string scope(const Reader& reader, Params& p) {
    switch (reader.role) {
    case Role::Admin: return "";
    case Role::Manager: p.emplace_back(reader.service_area); return " AND service_area = ?";
    case Role::Practitioner: p.emplace_back(reader.practitioner_code); return " AND practitioner_code = ?";
    case Role::None: break;
    }
    return " AND 1 = 0";
}

// The rows a view counts: as indexed, or (as published) each under its
// published cut (recode.hpp), with the same columns, leaving out rows not
// counted yet.
struct Tables {
    std::string answers, responses, comments;
};

const Tables& tables_of(const Protection& protect) {
    static const Tables indexed{"report_answers", "report_responses", "report_comments"};
    static const Tables recoded{
        "(SELECT measure, p_month AS month, service_area, p_visit AS visit_type, p_band AS band,"
        " p_code AS practitioner_code, child, pack_id, pack_version, tone, skipped FROM report_answers"
        " WHERE counted = 1) AS "
        "published_answers",
        "(SELECT p_month AS month, service_area, p_visit AS visit_type, p_band AS band,"
        " p_code AS practitioner_code, child, complete FROM report_responses WHERE counted = 1) AS published_responses",
        "(SELECT response_id, question_id, p_month AS month, service_area, p_visit AS visit_type,"
        " p_band AS band, p_code AS practitioner_code FROM report_comments WHERE counted = 1) AS published_comments"};
    return protect.recoded ? recoded : indexed;
}

// The WHERE clause for the filters and the reader's role, over report_answers
// or report_responses (both carry the same columns).
std::string where(const Reader& reader, const Filters& f, Params& p) {
    std::string w = " WHERE 1 = 1";
    auto add = [&](const char* sql, const std::string& v) {
        if (v.empty()) return;
        w += sql;
        p.emplace_back(v);
    };
    add(" AND service_area = ?", f.service_area);
    add(" AND visit_type = ?", f.visit_type);
    add(" AND band = ?", f.band);
    add(" AND practitioner_code = ?", f.practitioner_code);
    add(" AND month >= ?", f.month_from);
    add(" AND month <= ?", f.month_to);
    // Rows kept together across months are in no range of months.
    if (!f.month_from.empty() || !f.month_to.empty()) w += std::string(" AND month <> '") + kKeptTogether + "'";
    return w + scope(reader, p);
}

// Figures grouped by `group` ("" for overall, else a dimension) can be read
// from the published rows already added up (report_sums, report_response_sums)
// when the group's cells are set by at most one dimension D (filters, the
// reader's role and the grouping together) and D is not the practitioner
// code: each child's first row in each value of D is marked there, so its
// children are the sum of the marks. The mark to add up, or "" when children
// must be counted one by one.
std::string mark_of(const Reader& reader, const Filters& f, const std::string& group, const Protection& protect) {
    if (!protect.recoded) return "";
    std::set<std::string> dims;
    if (!f.service_area.empty() || reader.role == Role::Manager) dims.insert("service_area");
    if (!f.visit_type.empty()) dims.insert("visit_type");
    if (!f.band.empty()) dims.insert("band");
    if (!f.practitioner_code.empty() || reader.role == Role::Practitioner) dims.insert("practitioner_code");
    if (!f.month_from.empty() || !f.month_to.empty()) dims.insert("month");
    if (!group.empty()) dims.insert(group);
    static const std::map<std::string, std::string> mark = {{"", "first_all"},
                                                            {"month", "first_month"},
                                                            {"band", "first_band"},
                                                            {"visit_type", "first_visit"},
                                                            {"service_area", "first_area"}};
    const std::string d = dims.empty() ? "" : *dims.begin();
    // A range of months is one value of month only when each group is one month.
    if (dims.size() > 1 || !mark.count(d) || (d == "month" && group != "month")) return "";
    return mark.at(d);
}

// Where a figure is counted, and its seven columns: children, answers, each kind of answer.
struct Source {
    std::string table;
    std::string columns;
};

Source source_of(const Reader& reader, const Filters& f, const std::string& group, const Protection& protect) {
    const std::string m = mark_of(reader, f, group, protect);
    if (!m.empty())
        return {"report_sums",
                "SUM(" + m + "), SUM(answers), SUM(positive), SUM(middling), SUM(negative), SUM(skipped), SUM(other)"};
    return {tables_of(protect).answers,
            "COUNT(DISTINCT child), COUNT(*), SUM(CASE WHEN tone = 1 THEN 1 ELSE 0 END),"
            " SUM(CASE WHEN tone = 0 THEN 1 ELSE 0 END), SUM(CASE WHEN tone = -1 THEN 1 ELSE 0 END),"
            " SUM(skipped), SUM(CASE WHEN tone IS NULL AND skipped = 0 THEN 1 ELSE 0 END)"};
}

// The same for the responses: responses, children, complete.
Source response_source_of(const Reader& reader, const Filters& f, const std::string& group, const Protection& protect) {
    const std::string m = mark_of(reader, f, group, protect);
    if (!m.empty()) return {"report_response_sums", "SUM(responses), SUM(" + m + "), SUM(complete)"};
    return {tables_of(protect).responses, "COUNT(*), COUNT(DISTINCT child), SUM(complete)"};
}

// A count as shown: to the nearest multiple of `base` (1, 2 to 0; 3 to 7 to 5...).
std::int64_t rounded(std::int64_t n, int base) {
    if (base <= 1 || n <= 0) return std::max<std::int64_t>(n, 0);
    return (n + base / 2) / base * base;
}

// Reads the seven figure columns starting at `at`; hides small groups and rounds the rest.
Figure figure(const Store::Row& r, std::size_t at, const Protection& protect) {
    Figure f;
    f.children = num(r[at]);
    if (f.children < protect.threshold) {
        f.suppressed = true;
        return f;
    }
    const int b = protect.round_to;
    f.children = rounded(f.children, b);
    f.answers = rounded(num(r[at + 1]), b);
    f.positive = rounded(num(r[at + 2]), b);
    f.middling = rounded(num(r[at + 3]), b);
    f.negative = rounded(num(r[at + 4]), b);
    f.skipped = rounded(num(r[at + 5]), b);
    f.other = rounded(num(r[at + 6]), b);
    return f;
}

void suppress(Figure& f) {
    const auto children = f.children;
    f = Figure{};
    f.suppressed = true;
    f.children = children;
}

// Complementary suppression: when one figure of a set is hidden, the set's
// total would give it away by subtraction, so the next smallest is hidden too.
template <class Get> void complement(const std::vector<std::string>& keys, Get get) {
    int hidden = 0;
    Figure* smallest = nullptr;
    for (const auto& k : keys) {
        Figure* f = get(k);
        if (!f) continue;
        if (f->suppressed)
            ++hidden;
        else if (!smallest || f->children < smallest->children)
            smallest = f;
    }
    if (hidden == 1 && smallest) suppress(*smallest);
}

// Never a threshold below 5 or rounding below 5, but for the tests' own
// Protection::none() and unrounded().
Protection published(Protection p) {
    if (p.none_at_all) return p;
    Protection q(std::max(p.threshold, kMinGroup), p.exact_counts ? 1 : std::max(p.round_to, kRoundTo));
    q.exact_counts = p.exact_counts;
    q.recoded = p.recoded;
    return q;
}

bool valid_dimension(const std::string& d) {
    const auto& all = breakdown_dimensions();
    return std::find(all.begin(), all.end(), d) != all.end();
}

} // namespace

Role role_named(const std::string& words) {
    if (words == "admin") return Role::Admin;
    if (words == "manager") return Role::Manager;
    if (words == "practitioner") return Role::Practitioner;
    return Role::None;
}

const char* role_name(Role role) {
    switch (role) {
    case Role::Admin: return "admin";
    case Role::Manager: return "manager";
    case Role::Practitioner: return "practitioner";
    case Role::None: break;
    }
    return "none";
}

const std::vector<std::string>& breakdown_dimensions() {
    static const std::vector<std::string> d = {"band", "visit_type", "service_area", "practitioner_code", "month"};
    return d;
}

Stored<std::vector<MeasureFigure>> measure_figures(Store& store, const Reader& reader, const Filters& filters,
                                                   Protection protect) {
    protect = published(protect);
    Params p;
    const std::string w = where(reader, filters, p);
    const Source src = source_of(reader, filters, "", protect);
    auto rows = store.query(
        "SELECT measure, " + src.columns + " FROM " + src.table + w + " GROUP BY measure ORDER BY measure", p);
    if (!rows) return rows.problem();
    std::vector<MeasureFigure> out;
    for (const auto& r : *rows)
        out.push_back({r[0], figure(r, 1, protect)});
    return out;
}

namespace {

// Hides the smallest shown count when exactly one other is hidden (see complement()).
void complement_counts(std::map<std::string, Counts>& counts) {
    int hidden = 0;
    Counts* smallest = nullptr;
    for (auto& [g, c] : counts) {
        if (c.suppressed)
            ++hidden;
        else if (!smallest || c.children < smallest->children)
            smallest = &c;
    }
    if (hidden == 1 && smallest) *smallest = Counts{true, 0, 0, 0};
}

Counts counts_of(const Store::Row& r, std::size_t at, const Protection& protect) {
    const int b = protect.round_to;
    Counts c{false, num(r[at]), num(r[at + 1]), num(r[at + 2])};
    if (c.children < protect.threshold) return Counts{true, 0, 0, 0};
    return Counts{false, rounded(c.responses, b), rounded(c.children, b), rounded(c.complete, b)};
}

// The sections of the service view, each its own part of it. Each reads on
// the store it is given, so the view can run them at once on several
// connections.
struct Trend {
    std::vector<std::string> months;
    std::map<std::string, std::map<std::string, Figure>> trend;
};

Stored<Trend> trend_section(Store& store, const Reader& reader, const Filters& filters, const Protection& protect) {
    Params p;
    const std::string w = where(reader, filters, p);
    const Source src = source_of(reader, filters, "month", protect);
    auto rows = store.query("SELECT measure, month, " + src.columns + " FROM " + src.table + w +
                                " GROUP BY measure, month ORDER BY measure, month",
                            p);
    if (!rows) return rows.problem();
    Trend out;
    std::set<std::string> months;
    for (const auto& r : *rows) {
        if (r[1] == kKeptTogether) continue; // in no month
        out.trend[r[0]][r[1]] = figure(r, 2, protect);
        months.insert(r[1]);
    }
    out.months.assign(months.begin(), months.end());
    for (auto& entry : out.trend) {
        auto& by_month = entry.second;
        complement(out.months, [&](const std::string& m) -> Figure* {
            auto it = by_month.find(m);
            return it == by_month.end() ? nullptr : &it->second;
        });
    }
    return out;
}

struct Breakdown {
    std::vector<std::string> groups;
    std::map<std::string, std::map<std::string, Figure>> breakdown;
    std::map<std::string, Counts> group_counts;
};

Stored<Breakdown> breakdown_section(Store& store, const Reader& reader, const Filters& filters,
                                    const Protection& protect) {
    Params p;
    const std::string w = where(reader, filters, p);
    const std::string& d = filters.by; // one of breakdown_dimensions(): safe to name in SQL
    // Grouped measure first, in the order of the index for `d`: no sorting.
    const Source src = source_of(reader, filters, d, protect);
    auto rows = store.query("SELECT " + d + ", measure, " + src.columns + " FROM " + src.table + w +
                                " GROUP BY measure, " + d + " ORDER BY measure, " + d,
                            p);
    if (!rows) return rows.problem();
    Breakdown out;
    std::set<std::string> groups, measures;
    for (const auto& r : *rows) {
        out.breakdown[r[0]][r[1]] = figure(r, 2, protect);
        groups.insert(r[0]);
        measures.insert(r[1]);
    }
    out.groups.assign(groups.begin(), groups.end());
    for (const auto& m : measures)
        complement(out.groups, [&](const std::string& g) -> Figure* {
            auto it = out.breakdown[g].find(m);
            return it == out.breakdown[g].end() ? nullptr : &it->second;
        });
    Params q;
    const std::string wq = where(reader, filters, q);
    const Source counted = response_source_of(reader, filters, d, protect);
    auto counts =
        store.query("SELECT " + d + ", " + counted.columns + " FROM " + counted.table + wq + " GROUP BY " + d, q);
    if (!counts) return counts.problem();
    for (const auto& r : *counts)
        out.group_counts[r[0]] = counts_of(r, 1, protect);
    complement_counts(out.group_counts);
    return out;
}

struct Totals {
    Counts counts;
    std::map<std::string, Counts> month_counts;
};

Stored<Totals> counts_section(Store& store, const Reader& reader, const Filters& filters, const Protection& protect) {
    Params p;
    const std::string w = where(reader, filters, p);
    const Source all = response_source_of(reader, filters, "", protect);
    auto rows = store.query("SELECT " + all.columns + " FROM " + all.table + w, p);
    if (!rows) return rows.problem();
    Totals out;
    out.counts = rows->empty() ? Counts{true, 0, 0, 0} : counts_of((*rows)[0], 0, protect);
    Params q;
    const std::string wq = where(reader, filters, q);
    const Source by_month = response_source_of(reader, filters, "month", protect);
    auto months = store.query(
        "SELECT month, " + by_month.columns + " FROM " + by_month.table + wq + " GROUP BY month ORDER BY month", q);
    if (!months) return months.problem();
    for (const auto& r : *months)
        if (r[0] != kKeptTogether) out.month_counts[r[0]] = counts_of(r, 1, protect);
    complement_counts(out.month_counts);
    return out;
}

// The newest 200 written comments, opened; whether they may be shown is decided after.
Stored<std::vector<Comment>> comments_section(Store& store, const Reader& reader, const Filters& filters,
                                              const Protection& protect, const std::vector<SealKeyPair>& keys) {
    Params p;
    const std::string w = where(reader, filters, p);
    auto rows = store.query("SELECT response_id, question_id, month, band, visit_type, service_area FROM " +
                                tables_of(protect).comments + w + " ORDER BY month DESC, response_id LIMIT 200",
                            p);
    if (!rows) return rows.problem();
    std::vector<Comment> out;
    for (const auto& r : *rows) {
        auto text = store.query(std::string("SELECT ") + kAnswerColumns +
                                    " FROM answers WHERE response_id = ? AND question_id = ?",
                                {r[0], r[1]});
        if (!text) return text.problem();
        if (text->empty()) continue;
        Answer a;
        (void)read_answer((*text)[0], 0, keys, a); // one that can't be opened holds no words
        if (a.skipped || a.text.empty()) continue;
        out.push_back({r[2], r[3], r[4], r[5], a.text});
    }
    return out;
}

// Which packs and versions each measure's answers come from, within the filters and the reader's reach.
Stored<std::map<std::string, std::vector<PackVersion>>>
sources_section(Store& store, const Reader& reader, const Filters& filters, const Protection& protect) {
    Params p;
    const std::string w = where(reader, filters, p);
    // A pack version is named only when it holds answers of as many children
    // as a figure needs: that one child used an older version is not shown.
    // (A number the code set, written in: bound, SQLite would compare it as text.)
    auto rows = store.query("SELECT measure, pack_id, pack_version FROM " + tables_of(protect).answers + w +
                                " GROUP BY measure, pack_id, pack_version HAVING COUNT(DISTINCT child) >= " +
                                std::to_string(protect.threshold),
                            p);
    if (!rows) return rows.problem();
    std::map<std::string, std::vector<PackVersion>> out;
    for (const auto& r : *rows)
        out[r[0]].push_back({r[1], r[2]});
    for (auto& [m, from] : out)
        std::sort(from.begin(), from.end(), [](const PackVersion& a, const PackVersion& b) {
            return a.id != b.id ? a.id < b.id : version_before(a.version, b.version);
        });
    return out;
}

// For admins: the answers left unopened, by key id.
Stored<std::vector<std::pair<std::string, std::int64_t>>> unopened_section(Store& store, const Reader& reader) {
    std::vector<std::pair<std::string, std::int64_t>> out;
    if (reader.role != Role::Admin) return out;
    auto rows = store.query("SELECT seal_key, COUNT(*) FROM report_unopened GROUP BY seal_key ORDER BY seal_key", {});
    if (!rows) return rows.problem();
    for (const auto& r : *rows)
        out.push_back({r[0], num(r[1])});
    return out;
}

} // namespace

Stored<ServiceView> service_view(Store& store, const Reader& reader, const Filters& filters, Protection protect,
                                 const std::vector<SealKeyPair>& keys) {
    return service_view(store, {}, reader, filters, protect, keys);
}

Stored<ServiceView> service_view(Store& store, const std::vector<Store*>& more, const Reader& reader,
                                 const Filters& filters_in, Protection protect, const std::vector<SealKeyPair>& keys) {
    ServiceView out;
    protect = published(protect);
    out.threshold = protect.threshold;
    out.round_to = protect.round_to;
    Filters filters = filters_in;
    if (!valid_dimension(filters.by)) filters.by = "band";
    // Each section gives its own part of `out`; with more connections they run at once.
    std::vector<std::function<Stored<void>(Store&)>> sections = {
        [&](Store& s) -> Stored<void> {
            auto got = breakdown_section(s, reader, filters, protect);
            if (!got) return got.problem();
            out.groups = std::move(got->groups);
            out.breakdown = std::move(got->breakdown);
            out.group_counts = std::move(got->group_counts);
            return {};
        },
        [&](Store& s) -> Stored<void> {
            auto got = measure_figures(s, reader, filters, protect);
            if (!got) return got.problem();
            out.measures = std::move(*got);
            return {};
        },
        [&](Store& s) -> Stored<void> {
            auto got = trend_section(s, reader, filters, protect);
            if (!got) return got.problem();
            out.months = std::move(got->months);
            out.trend = std::move(got->trend);
            return {};
        },
        [&](Store& s) -> Stored<void> {
            auto got = counts_section(s, reader, filters, protect);
            if (!got) return got.problem();
            out.counts = got->counts;
            out.month_counts = std::move(got->month_counts);
            return {};
        },
        [&](Store& s) -> Stored<void> {
            auto got = comments_section(s, reader, filters, protect, keys);
            if (!got) return got.problem();
            out.comments = std::move(*got);
            return {};
        },
        [&](Store& s) -> Stored<void> {
            auto got = sources_section(s, reader, filters, protect);
            if (!got) return got.problem();
            out.sources = std::move(*got);
            return {};
        },
        [&](Store& s) -> Stored<void> {
            auto got = unopened_section(s, reader);
            if (!got) return got.problem();
            out.unopened = std::move(*got);
            return {};
        }};
    std::vector<Stored<void>> ran(sections.size());
    if (more.empty()) {
        for (std::size_t i = 0; i < sections.size(); ++i)
            ran[i] = sections[i](store);
    } else {
        // One thread a connection, each taking the next section not yet
        // taken; the heaviest come first.
        std::vector<Store*> pool = {&store};
        pool.insert(pool.end(), more.begin(), more.end());
        std::atomic<std::size_t> next{0};
        std::vector<std::future<void>> runs;
        for (std::size_t c = 0; c < pool.size() && c < sections.size(); ++c)
            runs.push_back(std::async(std::launch::async, [&, c] {
                for (std::size_t i; (i = next++) < sections.size();)
                    ran[i] = sections[i](*pool[c]);
            }));
        for (auto& r : runs)
            r.get();
    }
    for (const auto& section : ran)
        if (!section) return section.problem();
    // Children's own words, only where the group is large enough.
    out.comments_shown = !out.counts.suppressed;
    if (!out.comments_shown) out.comments.clear();
    return out;
}

namespace {

// The responses `where` picks (with its parameters) that the reader may see,
// safeguarding flags first, then newest first, each with its answers opened.
Stored<std::vector<ChildResponse>> responses_where(Store& store, const Reader& reader, const std::string& where,
                                                   Params p, const std::vector<SealKeyPair>& keys) {
    const std::string mine = scope(reader, p);
    auto rows = store.query("SELECT response_id, case_ref, started_at, visit_type, band, pack_id, language,"
                            " service_area, practitioner_code, complete, asked_to_talk,"
                            " (SELECT pack_version FROM responses WHERE responses.id = report_responses.response_id),"
                            " (SELECT visit_id FROM responses WHERE responses.id = report_responses.response_id)"
                            " FROM report_responses WHERE " +
                                where + mine + " ORDER BY asked_to_talk DESC, started_at DESC",
                            p);
    if (!rows) return rows.problem();
    std::vector<ChildResponse> out;
    for (const auto& r : *rows) {
        ChildResponse c{r[0], r[1], r[2],        r[3],         r[4], r[5],  r[6],
                        r[7], r[8], truth(r[9]), truth(r[10]), {},   r[11], r[12]};
        auto as = store.query(std::string("SELECT question_id, position, kind, measure, ") + kAnswerColumns +
                                  ", clip_type FROM answers WHERE response_id = ? ORDER BY position",
                              {r[0]});
        if (!as) return as.problem();
        for (const auto& a : *as) {
            Answer x;
            const auto open = read_answer(a, 4, keys, x);
            std::string why = open ? std::string() : open.words(); // shown beside the answer
            c.answers.push_back(
                {a[0], a[2], a[3], static_cast<int>(num(a[1])), x.skipped, x.options, x.text, std::move(why), a[9]});
        }
        out.push_back(std::move(c));
    }
    return out;
}

} // namespace

Stored<ChildView> child_view(Store& store, const Reader& reader, const std::vector<std::string>& case_refs,
                             const std::vector<SealKeyPair>& keys) {
    ChildView out;
    if (case_refs.empty()) return out;
    const std::string in = " IN (" + placeholders(case_refs.size()) + ")";
    const Params refs(case_refs.begin(), case_refs.end());
    auto counted = store.query("SELECT COUNT(*) FROM report_responses WHERE case_ref" + in, refs);
    if (!counted) return counted.problem();
    const std::int64_t total = counted->empty() ? 0 : num((*counted)[0][0]);
    auto rows = responses_where(store, reader, "case_ref" + in, refs, keys);
    if (!rows) return rows.problem();
    if (rows->empty()) {
        out.access = reader.role == Role::Admin && total == 0 ? Access::NotFound : Access::Denied;
        return out;
    }
    out.access = Access::Allowed;
    out.responses = std::move(*rows);
    return out;
}

Stored<ClipView> clip_view(Store& store, const Reader& reader, const std::string& response_id,
                           const std::string& question_id, const std::vector<SealKeyPair>& keys) {
    ClipView out;
    auto counted = store.query("SELECT COUNT(*) FROM report_responses WHERE response_id = ?", {response_id});
    if (!counted) return counted.problem();
    const std::int64_t total = counted->empty() ? 0 : num((*counted)[0][0]);
    Params p{response_id};
    const std::string mine = scope(reader, p);
    auto seen = store.query("SELECT 1 FROM report_responses WHERE response_id = ?" + mine, p);
    if (!seen) return seen.problem();
    if (seen->empty()) {
        out.access = reader.role == Role::Admin && total == 0 ? Access::NotFound : Access::Denied;
        return out;
    }
    auto rows = store.query("SELECT clip_type, clip, sealed, seal_key FROM answers"
                            " WHERE response_id = ? AND question_id = ? AND clip <> ''",
                            {response_id, question_id});
    if (!rows) return rows.problem();
    if (rows->empty()) return out; // NotFound
    const auto& r = (*rows)[0];
    Answer a;
    a.clip_type = r[0];
    a.clip = r[1];
    a.sealed = r[2];
    a.seal_key = r[3];
    out.access = Access::Allowed;
    out.type = a.clip_type;
    if (auto open = open_sealed(keys, a); !open) {
        out.unopened = open.words();
        return out;
    }
    std::vector<unsigned char> bytes;
    if (!formats::from_base64(a.clip, bytes)) {
        out.unopened = "it is damaged";
        return out;
    }
    out.bytes.assign(bytes.begin(), bytes.end());
    return out;
}

namespace {

Stored<void> add_siblings(Store& store, const Reader& reader, FamilyView& family,
                          const std::vector<SealKeyPair>& keys) {
    // The visits the family's children answered in, and who else answered in them without a case reference.
    std::vector<std::string> visits;
    for (const auto& r : family.responses)
        if (!r.visit_id.empty() && std::find(visits.begin(), visits.end(), r.visit_id) == visits.end())
            visits.push_back(r.visit_id);
    if (visits.empty()) return {};
    const Params ids(visits.begin(), visits.end());
    auto rows = responses_where(store, reader,
                                "case_ref = '' AND response_id IN (SELECT id FROM responses WHERE visit_id IN (" +
                                    placeholders(visits.size()) + "))",
                                ids, keys);
    if (!rows) return rows.problem();
    family.siblings = std::move(*rows);
    return {};
}

} // namespace

Stored<FamilyView> family_view(Store& store, const Reader& reader, const std::string& family_ref,
                               const std::vector<SealKeyPair>& keys) {
    FamilyView out;
    if (family_ref.empty()) return out;
    auto rows = store.query("SELECT case_ref FROM families WHERE family_ref = ? ORDER BY case_ref", {family_ref});
    if (!rows) return rows.problem();
    for (const auto& r : *rows)
        out.cases.push_back(r[0]);
    auto child = child_view(store, reader, out.cases, keys);
    if (!child) return child.problem();
    out.access = child->access;
    out.responses = std::move(child->responses);
    if (auto siblings = add_siblings(store, reader, out, keys); !siblings) return siblings.problem();
    if (reader.role == Role::Admin) return out;
    // Another area's case reference is not this reader's to know.
    std::vector<std::string>& cases = out.cases;
    cases.erase(std::remove_if(cases.begin(), cases.end(),
                               [&](const std::string& c) {
                                   return std::none_of(out.responses.begin(), out.responses.end(),
                                                       [&](const ChildResponse& r) { return r.case_ref == c; });
                               }),
                cases.end());
    if (cases.empty()) out.access = Access::Denied;
    return out;
}

Stored<void> set_family(Store& store, const std::string& case_ref, const std::string& family_ref) {
    if (family_ref.empty())
        return Stored<void>::problem_of(store.query("DELETE FROM families WHERE case_ref = ?", {case_ref}));
    return Stored<void>::problem_of(
        store.query("INSERT INTO families (case_ref, family_ref) VALUES (?, ?)"
                    " ON CONFLICT (case_ref) DO UPDATE SET family_ref = excluded.family_ref",
                    {case_ref, family_ref}));
}

Stored<std::vector<WeDid>> we_did_list(Store& store, const Reader& reader, Protection protect) {
    auto all = measure_figures(store, reader, Filters{}, protect);
    if (!all) return all.problem();
    auto rows = store.query("SELECT seq, measure, you_said, we_did, created_at, created_by, service_area, language"
                            " FROM we_did ORDER BY seq DESC",
                            {});
    if (!rows) return rows.problem();
    std::vector<WeDid> out;
    for (const auto& r : *rows) {
        WeDid w{num(r[0]), r[1], r[2], r[3], r[4].substr(0, 10), r[5], r[6], r[7], {}};
        w.figure.suppressed = true;
        for (const auto& m : *all)
            if (m.measure == w.measure) w.figure = m.figure;
        out.push_back(std::move(w));
    }
    return out;
}

Stored<void> add_we_did(Store& store, const NewWeDid& e, const std::string& by) {
    return Stored<void>::problem_of(store.query("INSERT INTO we_did (measure, you_said, we_did, created_by,"
                                                " service_area, language) VALUES (?, ?, ?, ?, ?, ?)",
                                                {e.measure, e.you_said, e.we_did, by, e.service_area, e.language}));
}

Stored<bool> remove_we_did(Store& store, std::int64_t seq) {
    auto gone = store.query("DELETE FROM we_did WHERE seq = ? RETURNING seq", {std::to_string(seq)});
    if (!gone) return gone.problem();
    return !gone->empty();
}

} // namespace sayso::collector::reports
