#include "recode.hpp"

#include "index.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cstdint>
#include <ctime>
#include <map>
#include <set>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace sayso::collector::reports {

namespace {

using Rows = std::vector<Store::Row>;
using Params = std::vector<Store::Param>;

// A finest cell: service area, month, visit type, band, practitioner code.
using Cell = std::array<std::string, 5>;
// Where a cell is published: month, visit type, band, practitioner code.
using Cut = std::array<std::string, 4>;

constexpr int kLevels = 5;

// The cut of `c` at `level`: 0 as it is; 1 visit type kept together; 2 and
// band; 3 and month; 4 and practitioner code.
Cut coarser(const Cell& c, int level) {
    Cut cut{c[1], c[2], c[3], c[4]};
    static constexpr std::size_t order[] = {1, 2, 0, 3};
    for (int i = 0; i < level; ++i)
        cut[order[i]] = kKeptTogether;
    return cut;
}

// The rows of one cell not counted yet: their children, for the responses
// ("") and for each measure. A response without a case reference stands for
// one child of its cell, whoever gave it.
struct Pending {
    std::map<std::string, std::vector<std::int64_t>> children;
};

std::int64_t distinct(std::vector<std::int64_t> all) {
    std::sort(all.begin(), all.end());
    return std::unique(all.begin(), all.end()) - all.begin();
}

void add(std::vector<std::int64_t>& to, const std::vector<std::int64_t>& from) {
    to.insert(to.end(), from.begin(), from.end());
}

// How many values fit in one statement: well under SQLite's 32,766.
constexpr std::size_t kCellsPerStatement = 200;

Stored<void> insert_map(Store& store, const std::vector<std::pair<Cell, Cut>>& mapped) {
    Params flat;
    for (const auto& [cell, cut] : mapped) {
        flat.insert(flat.end(), cell.begin(), cell.end());
        flat.insert(flat.end(), cut.begin(), cut.end());
    }
    return insert_rows(store,
                       "INSERT INTO report_recode (service_area, month, visit_type, band, practitioner_code,"
                       " p_month, p_visit, p_band, p_code) VALUES ",
                       9, flat, "");
}

// What one recoding run knows of whose rows are counted, kept across its
// transactions (for the answers, and for the responses): each child's values
// already met in each dimension, the children whose rows counted before the
// run were read already, and how many rows the run counted. So a run counted
// in parts marks each child's first row exactly as one counted at once would,
// and reads no child twice. Values are kept as small numbers (`names`), so a
// run over a million rows doesn't build millions of strings.
class Firsts {
  public:
    // The number standing for `v` in this run.
    std::uint32_t name(const std::string& v) {
        const auto [at, added] = names_.emplace(v, static_cast<std::uint32_t>(values_.size()));
        if (added) values_.push_back(v);
        return at->second;
    }
    const std::string& value(std::uint32_t name) const { return values_[name]; }
    // A child's number: report_children's id; any other value by its name, below zero.
    std::int64_t child(const std::string& v) {
        std::int64_t id = 0;
        const auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), id);
        if (ec == std::errc() && end == v.data() + v.size() && id >= 0) return id;
        return -1 - static_cast<std::int64_t>(name(v));
    }
    // Whether `child` is met with `value` in dimension `d` of `measure` for the first time.
    bool first(std::uint32_t measure, std::int64_t child, std::uint32_t d, std::uint32_t value) {
        return seen_.insert({child, measure, d, value}).second;
    }
    // Whether `child`'s rows counted before in `measure` are still to be read.
    bool unread(std::uint32_t measure, std::int64_t child) { return read_.insert({child, measure, 0, 0}).second; }
    std::map<std::string, std::int64_t> counted; // rows this run counted, by measure ("" for responses)

  private:
    struct Key {
        std::int64_t child;
        std::uint32_t measure, d, value;
        bool operator==(const Key&) const = default;
    };
    struct Hash {
        std::size_t operator()(const Key& k) const {
            std::uint64_t h = static_cast<std::uint64_t>(k.child) * 0x9E3779B97F4A7C15ULL;
            h ^= (static_cast<std::uint64_t>(k.measure) << 40) ^ (static_cast<std::uint64_t>(k.d) << 32) ^ k.value;
            h *= 0xFF51AFD7ED558CCDULL;
            return static_cast<std::size_t>(h ^ (h >> 29));
        }
    };
    std::unordered_map<std::string, std::uint32_t> names_;
    std::vector<std::string> values_;
    std::unordered_set<Key, Hash> seen_, read_;
};

// Adds the rows about to be counted (report_release) to report_sums (the
// answers) and report_response_sums: how many, of each kind, and how many of
// them are a child's first in their measure (or among the responses) overall
// and in their published month, band, visit type and service area.
Stored<void> add_up(Store& store, bool answers, Firsts& firsts) {
    const std::string table = answers ? "report_answers" : "report_responses";
    const std::string what = answers ? "x.measure" : "''";
    // The rows about to be counted, each in its cell.
    const std::string waiting =
        " FROM report_release l JOIN " + table +
        " x ON x.service_area = l.service_area AND x.month = l.month AND x.visit_type = l.visit_type"
        " AND x.band = l.band AND x.practitioner_code = l.practitioner_code AND " +
        (answers ? "x.measure = l.measure" : "l.measure = ''");
    auto got = store.query("SELECT " + what + ", x.service_area, r.p_month, r.p_visit, r.p_band, x.child, " +
                               (answers ? "x.tone, x.skipped" : "x.complete, 0") + waiting +
                               " JOIN report_recode r ON r.service_area = l.service_area AND r.month = l.month"
                               " AND r.visit_type = l.visit_type AND r.band = l.band"
                               " AND r.practitioner_code = l.practitioner_code WHERE x.counted = 0",
                           {});
    if (!got) return got.problem();
    const Rows& rows = *got;
    auto yes = [](const std::string& v) { return v == "1" || v == "t"; };
    // Each row as numbers: measure, child, and its value in each dimension
    // (overall, month, band, visit type, area).
    struct Named {
        std::uint32_t measure;
        std::int64_t child;
        std::array<std::uint32_t, 5> in;
    };
    auto named = [&](const Store::Row& r) {
        const std::uint32_t none = firsts.name("");
        return Named{firsts.name(r[0]),
                     firsts.child(r[5]),
                     {none, firsts.name(r[2]), firsts.name(r[4]), firsts.name(r[3]), firsts.name(r[1])}};
    };
    // A row is a child's first in D when no row of theirs counted before, nor
    // one counted now ahead of it, has its value of D.
    auto first = [&](const Named& n, std::uint32_t d) { return firsts.first(n.measure, n.child, d, n.in[d]); };
    std::vector<Named> row_names;
    row_names.reserve(rows.size());
    for (const auto& r : rows)
        row_names.push_back(named(r));
    // Their children's rows counted before, by measure, a few hundred children
    // a statement; none when every row counted in the measure was counted by
    // this run (its children's values are known already): report_sums and
    // report_response_sums add up every counted row.
    auto stored = store.query(answers ? "SELECT measure, SUM(answers) FROM report_sums GROUP BY measure"
                                      : "SELECT '', SUM(responses) FROM report_response_sums",
                              {});
    if (!stored) return stored.problem();
    std::set<std::string> to_read; // measures with rows another run counted
    for (const auto& r : *stored)
        if (!r[1].empty() && r[1] != "0" && std::to_string(firsts.counted[r[0]]) != r[1]) to_read.insert(r[0]);
    std::map<std::string, std::set<std::string>> children; // measure ("" for responses) -> children
    for (std::size_t i = 0; i < rows.size(); ++i)
        if (to_read.count(rows[i][0]) && firsts.unread(row_names[i].measure, row_names[i].child))
            children[rows[i][0]].insert(rows[i][5]);
    for (const auto& [measure, ids] : children) {
        const std::vector<std::string> all(ids.begin(), ids.end());
        for (std::size_t at = 0; at < all.size(); at += kCellsPerStatement) {
            const std::size_t n = std::min(kCellsPerStatement, all.size() - at);
            Params p;
            if (answers) p.emplace_back(measure);
            std::string in;
            for (std::size_t i = 0; i < n; ++i) {
                in += i ? ",?" : "?";
                p.emplace_back(all[at + i]);
            }
            auto before =
                store.query(std::string("SELECT DISTINCT ") + (answers ? "measure" : "''") +
                                ", service_area, p_month, p_visit, p_band, child FROM " + table + " WHERE counted = 1" +
                                (answers ? " AND measure = ?" : "") + " AND child IN (" + in + ")",
                            p);
            if (!before) return before.problem();
            for (const auto& r : *before) {
                const Named n = named(r);
                for (std::uint32_t d = 0; d < 5; ++d)
                    first(n, d);
            }
        }
    }
    // answers: answers, positive, middling, negative, skipped, other; responses: responses, complete;
    // then the marks: overall, month, band, visit type, area.
    const std::size_t kinds = answers ? 6 : 2;
    // By measure (answers only), area, month, visit type and band, as numbers.
    std::map<std::array<std::uint32_t, 5>, std::vector<std::int64_t>> sums;
    for (std::size_t i = 0; i < rows.size(); ++i) {
        const auto& r = rows[i];
        const Named& n = row_names[i];
        auto& sum = sums[{answers ? n.measure : 0, n.in[4], n.in[1], n.in[3], n.in[2]}];
        sum.resize(kinds + 5);
        sum[0] += 1;
        if (answers) {
            const bool skipped = yes(r[7]);
            sum[1] += r[6] == "1";
            sum[2] += r[6] == "0";
            sum[3] += r[6] == "-1";
            sum[4] += skipped;
            sum[5] += r[6].empty() && !skipped;
        } else {
            sum[1] += yes(r[6]);
        }
        for (std::uint32_t d = 0; d < 5; ++d)
            sum[kinds + d] += first(n, d);
        ++firsts.counted[r[0]];
    }
    const std::vector<std::string> keys =
        answers ? std::vector<std::string>{"measure", "service_area", "month", "visit_type", "band"}
                : std::vector<std::string>{"service_area", "month", "visit_type", "band"};
    std::vector<std::string> counts =
        answers ? std::vector<std::string>{"answers", "positive", "middling", "negative", "skipped", "other"}
                : std::vector<std::string>{"responses", "complete"};
    for (const char* m : {"first_all", "first_month", "first_band", "first_visit", "first_area"})
        counts.push_back(m);
    const std::string into = answers ? "report_sums" : "report_response_sums";
    std::string head = "INSERT INTO " + into + " (", update;
    for (std::size_t c = 0; c < keys.size() + counts.size(); ++c) {
        const std::string& col = c < keys.size() ? keys[c] : counts[c - keys.size()];
        head += (c ? ", " : "") + col;
        if (c >= keys.size())
            update +=
                std::string(c > keys.size() ? "," : "") + " " + col + " = " + into + "." + col + " + excluded." + col;
    }
    head += ") VALUES ";
    std::string conflict = " ON CONFLICT (";
    for (std::size_t c = 0; c < keys.size(); ++c)
        conflict += (c ? ", " : "") + keys[c];
    conflict += ") DO UPDATE SET" + update;
    Params flat;
    for (const auto& [key, sum] : sums) {
        for (std::size_t k = answers ? 0 : 1; k < key.size(); ++k)
            flat.emplace_back(firsts.value(key[k]));
        for (const auto v : sum)
            flat.emplace_back(std::to_string(v));
    }
    return insert_rows(store, head, keys.size() + counts.size(), flat, conflict);
}

// Counts the rows waiting in each of `released` (a cell, and "" for its
// responses and their comments or a measure for its answers) where its cell
// is published (report_recode).
Stored<void> release(Store& store, const std::vector<std::pair<const Cell*, std::string>>& released,
                     Firsts (&firsts)[2]) {
    Params flat;
    for (const auto& [cell, what] : released) {
        flat.insert(flat.end(), cell->begin(), cell->end());
        flat.emplace_back(what);
    }
    auto inserted = insert_rows(
        store, "INSERT INTO report_release (service_area, month, visit_type, band, practitioner_code, measure) VALUES ",
        6, flat, "");
    if (!inserted) return inserted;
    for (const bool answers : {true, false})
        if (auto added = add_up(store, answers, firsts[answers ? 1 : 0]); !added) return added;
    for (const char* table : {"report_responses", "report_comments", "report_answers"}) {
        const std::string t = table;
        const std::string sql =
            "UPDATE " + t +
            " SET p_month = r.p_month, p_visit = r.p_visit, p_band = r.p_band, p_code = r.p_code,"
            " counted = 1 FROM report_release l JOIN report_recode r ON r.service_area = l.service_area"
            " AND r.month = l.month AND r.visit_type = l.visit_type AND r.band = l.band"
            " AND r.practitioner_code = l.practitioner_code WHERE " +
            t + ".counted = 0 AND " + t + ".service_area = l.service_area AND " + t + ".month = l.month AND " + t +
            ".visit_type = l.visit_type AND " + t + ".band = l.band AND " + t +
            ".practitioner_code = l.practitioner_code AND " +
            (t == "report_answers" ? t + ".measure = l.measure" : std::string("l.measure = ''"));
        if (auto ran = store.query(sql, {}); !ran) return ran.problem();
    }
    return Stored<void>::problem_of(store.query("DELETE FROM report_release", {}));
}

// Within a transaction: the index's mark, locked (lock_index_mark), read
// committed on PostgreSQL (whatever the server's default), so a recoding that
// waited for another's lock reads what that one wrote.
Stored<std::string> lock_mark_read_committed(Store& store) {
    if (store.postgresql())
        if (auto isolated = store.script("SET TRANSACTION ISOLATION LEVEL READ COMMITTED"); !isolated)
            return isolated.problem();
    return lock_index_mark(store);
}

} // namespace

std::string this_month() {
    const std::time_t now = std::time(nullptr);
    std::tm utc{};
    gmtime_r(&now, &utc);
    char m[8];
    std::strftime(m, sizeof m, "%Y-%m", &utc);
    return m;
}

Stored<void> recode(Store& store, int min_group, const std::string& month_now_in, std::size_t rows_per_run,
                    const std::atomic<bool>* stop) {
    const std::string month_now = month_now_in.empty() ? this_month() : month_now_in;
    // What this run counts, planned on a snapshot and counted in several
    // transactions (below): the rows waiting, by cell; which of them are counted, each
    // cut's rows for the responses or one measure together (`ends`: where
    // each such group ends); the index's mark and the group size planned with.
    std::map<Cell, Pending> pending;
    std::vector<std::pair<const Cell*, std::string>> released;
    std::vector<std::size_t> ends;
    std::string planned_at, planned_state;
    int planned_k = 0;
    // The recoding's own state (its mark and group size): another run that
    // starts everything again (a larger group size asked for, the index
    // emptied) changes it, and that ends this one.
    auto recode_state = [&]() -> Stored<std::string> {
        auto rows = store.query("SELECT last_seq, min_group FROM report_recode_state WHERE id = 1", {});
        if (!rows) return rows.problem();
        return rows->empty() ? std::string("none") : (*rows)[0][0] + "/" + (*rows)[0][1];
    };
    // First the group size, in a short write: never fewer children a cut than
    // ever asked, so what was published stays published; more than before,
    // and every cut is made again.
    auto sized = store.transaction([&]() -> Stored<void> {
        // Under the index's mark, locked: no other run changes the group size meanwhile.
        auto seq = lock_mark_read_committed(store);
        if (!seq) return seq.problem();
        auto state = store.query("SELECT min_group FROM report_recode_state WHERE id = 1", {});
        if (!state) return state.problem();
        const int before = state->empty() ? 0 : std::stoi((*state)[0][0]);
        const int k = std::max(min_group, before);
        if (before != 0 && k > before) {
            if (auto ran = store.query("DELETE FROM report_recode", {}); !ran) return ran.problem();
            for (const char* t : {"report_sums", "report_response_sums"})
                if (auto ran = store.query(std::string("DELETE FROM ") + t, {}); !ran) return ran.problem();
            for (const char* t : {"report_responses", "report_answers", "report_comments"}) {
                auto ran = store.query(std::string("UPDATE ") + t +
                                           " SET p_month = '', p_visit = '', p_band = '', p_code = '', counted = 0"
                                           " WHERE counted = 1",
                                       {});
                if (!ran) return ran.problem();
            }
            // The larger size is kept at once, so no run planned with the smaller one counts on.
            if (auto ran = store.query("DELETE FROM report_recode_state", {}); !ran) return ran.problem();
            if (auto ran = store.query("INSERT INTO report_recode_state (id, last_seq, month, min_group)"
                                       " VALUES (1, -1, ?, ?)",
                                       {month_now, std::to_string(k)});
                !ran)
                return ran.problem();
        }
        return {};
    });
    if (!sized) return sized;

    // Then the plan: what it reads is read on a snapshot, so no sign-in or
    // delivery waits while it reads every waiting row (seconds, after a large
    // backlog). Besides the index's mark and the recoding's state, the plan
    // depends on which cells are published and which rows are counted:
    // `read_with` counts both (each only grows, but when everything starts
    // again).
    auto depends_on = [&]() -> Stored<std::string> {
        auto rows = store.query("SELECT (SELECT COUNT(*) FROM report_recode),"
                                " (SELECT COALESCE(SUM(answers), 0) FROM report_sums),"
                                " (SELECT COALESCE(SUM(responses), 0) FROM report_response_sums)",
                                {});
        if (!rows) return rows.problem();
        if (rows->empty()) return std::string();
        return (*rows)[0][0] + "/" + (*rows)[0][1] + "/" + (*rows)[0][2];
    };
    std::string seq, read_with;
    int k = 0;
    std::map<Cell, Cut> map;
    auto read_plan = [&]() -> Stored<void> {
        pending.clear();
        map.clear();
        auto mark = store.query("SELECT last_seq FROM report_state WHERE id = 1", {});
        if (!mark) return mark.problem();
        seq = mark->empty() ? "0" : (*mark)[0][0];
        auto state = store.query("SELECT min_group FROM report_recode_state WHERE id = 1", {});
        if (!state) return state.problem();
        k = std::max(min_group, state->empty() ? 0 : std::stoi((*state)[0][0]));
        auto with = depends_on();
        if (!with) return with.problem();
        read_with = *with;
        auto state_now = recode_state();
        if (!state_now) return state_now.problem();
        planned_state = *state_now;

        // Where each cell with rows waiting is published already (the only
        // cells this run reads or changes).
        auto published_with = [](const char* table) {
            return std::string("SELECT DISTINCT m.service_area, m.month, m.visit_type, m.band, m.practitioner_code,"
                               " m.p_month, m.p_visit, m.p_band, m.p_code FROM ") +
                   table +
                   " x JOIN report_recode m ON m.service_area = x.service_area AND m.month = x.month"
                   " AND m.visit_type = x.visit_type AND m.band = x.band AND m.practitioner_code = x.practitioner_code"
                   " WHERE x.counted = 0";
        };
        auto published =
            store.query(published_with("report_responses") + " UNION " + published_with("report_answers"), {});
        if (!published) return published.problem();
        for (const auto& r : *published)
            map[{r[0], r[1], r[2], r[3], r[4]}] = {r[5], r[6], r[7], r[8]};

        // The rows waiting, by cell.
        std::map<Cell, std::int64_t> ordinal; // for a response without a case reference
        auto load = [&](const std::string& sql) -> Stored<void> {
            auto rows = store.query(sql, {});
            if (!rows) return rows.problem();
            for (const auto& r : *rows) {
                const Cell cell{r[1], r[2], r[3], r[4], r[5]};
                std::int64_t child = 0;
                if (r[7] == "1") {
                    child = -(ordinal.emplace(cell, static_cast<std::int64_t>(ordinal.size()) + 1).first->second);
                } else {
                    try {
                        child = std::stoll(r[6]);
                    } catch (...) {
                        continue;
                    }
                }
                pending[cell].children[r[0]].push_back(child);
            }
            return {};
        };
        const std::string anonymous = " CASE WHEN c.key LIKE 'response:%' THEN 1 ELSE 0 END"
                                      " FROM report_children c JOIN ";
        auto loaded = load("SELECT DISTINCT '', x.service_area, x.month, x.visit_type, x.band, x.practitioner_code,"
                           " x.child," +
                           anonymous + "report_responses x ON x.child = c.id WHERE x.counted = 0");
        if (!loaded) return loaded;
        loaded = load("SELECT DISTINCT x.measure, x.service_area, x.month, x.visit_type, x.band,"
                      " x.practitioner_code, x.child," +
                      anonymous + "report_answers x ON x.child = c.id WHERE x.counted = 0");
        if (!loaded) return loaded;
        return {};
    };

    // Where the cells not yet published are published (`map` gains them).
    auto place = [&]() {
        std::vector<std::pair<Cell, Cut>> placed;
        // Cells not yet published, by area, each in the first group (level by
        // level) whose waiting responses, with those already published in
        // that group's cut, are about k children or more.
        std::map<std::string, std::vector<const Cell*>> unplaced;
        std::map<std::pair<std::string, Cut>, std::vector<std::int64_t>> waiting; // in published cuts
        for (const auto& [cell, p] : pending) {
            const auto it = map.find(cell);
            const auto r = p.children.find("");
            if (it == map.end()) {
                if (r != p.children.end()) unplaced[cell[0]].push_back(&cell);
                // Answers without their response (none are indexed so) wait.
            } else if (r != p.children.end()) {
                add(waiting[{cell[0], it->second}], r->second);
            }
        }
        for (auto& [area, cells] : unplaced) {
            for (int level = 0; level < kLevels && !cells.empty(); ++level) {
                std::map<Cut, std::vector<const Cell*>> groups;
                std::vector<const Cell*> later;
                for (const Cell* c : cells) {
                    // An open month's cell is published only as itself, for now.
                    if (level > 0 && (*c)[1] >= month_now)
                        later.push_back(c);
                    else
                        groups[coarser(*c, level)].push_back(c);
                }
                for (auto& [cut, members] : groups) {
                    std::vector<std::int64_t> all;
                    if (const auto w = waiting.find({area, cut}); w != waiting.end()) all = w->second;
                    for (const Cell* c : members)
                        add(all, pending.at(*c).children.at(""));
                    if (distinct(all) < k) {
                        later.insert(later.end(), members.begin(), members.end());
                        continue;
                    }
                    for (const Cell* c : members) {
                        map[*c] = cut;
                        placed.push_back({*c, cut});
                    }
                }
                cells = std::move(later);
            }
        }
        return placed;
    };
    // Read on a snapshot, then written in a short transaction once nothing the
    // plan read has changed meanwhile. Something did (another collector
    // indexed or counted): planned again holding the lock, so a run always
    // gets on.
    bool stale = false;
    auto read = store.snapshot(read_plan);
    if (!read) return read;
    auto placed = place();
    auto mapped = store.transaction([&]() -> Stored<void> {
        auto now = lock_mark_read_committed(store);
        if (!now) return now.problem();
        auto state_now = recode_state();
        if (!state_now) return state_now.problem();
        auto with = depends_on();
        if (!with) return with.problem();
        stale = *now != seq || *state_now != planned_state || *with != read_with;
        if (stale) {
            if (auto again = read_plan(); !again) return again;
            placed = place();
        }
        return insert_map(store, placed);
    });
    if (!mapped) return mapped;

    // Then the rows waiting in each published cut are counted, the
    // responses and each measure apart, when they are about k children or more.
    // Counted measure by measure (the responses first): every index of the
    // answers begins with the measure, so a transaction changes the pages
    // of one measure's rows, not of all. Within a measure, cut after cut,
    // as a run counted at once would.
    std::map<std::pair<std::string, Cut>, std::vector<const Cell*>> by_cut;
    for (const auto& [cell, p] : pending)
        if (const auto it = map.find(cell); it != map.end()) by_cut[{cell[0], it->second}].push_back(&cell);
    std::map<std::string, std::vector<std::vector<const Cell*>>> by_what;
    for (const auto& [key, cells] : by_cut) {
        std::map<std::string, std::vector<std::int64_t>> children;
        for (const Cell* c : cells)
            for (const auto& [what, ids] : pending.at(*c).children)
                add(children[what], ids);
        for (const auto& [what, ids] : children) {
            if (distinct(ids) < k) continue;
            auto& group = by_what[what].emplace_back();
            for (const Cell* c : cells)
                if (pending.at(*c).children.count(what)) group.push_back(c);
        }
    }
    for (const auto& [what, groups] : by_what)
        for (const auto& group : groups) {
            for (const Cell* c : group)
                released.push_back({c, what});
            ends.push_back(released.size());
        }
    planned_at = seq;
    planned_k = k;

    // Then the groups are counted a few thousand rows a transaction, so that
    // no other write (a sign-in, a delivery) waits long for this run. Each
    // group is counted whole in one transaction, so a reader between two sees
    // every cut grown by k children or not at all. Only the index adds rows
    // to count, and it moves its mark when it does; only a run that starts
    // everything again changes the recoding's state: either moved since the
    // plan (another collector's run) ends this run, and the next one plans
    // again from what is there.
    auto same_plan = [&]() -> Stored<bool> {
        auto now = lock_mark_read_committed(store);
        if (!now) return now.problem();
        auto state_now = recode_state();
        if (!state_now) return state_now.problem();
        return *now == planned_at && *state_now == planned_state;
    };
    bool moved = false;
    std::size_t from = 0;
    Firsts firsts[2];
    auto stopping = [&] { return stop && stop->load(); };
    for (std::size_t g = 0; g < ends.size() && !moved;) {
        if (stopping()) return {};
        std::size_t rows = 0, upto = from;
        while (g < ends.size() && (upto == from || rows < rows_per_run)) {
            for (std::size_t i = upto; i < ends[g]; ++i)
                rows += pending.at(*released[i].first).children.at(released[i].second).size();
            upto = ends[g++];
        }
        const std::vector<std::pair<const Cell*, std::string>> part(
            released.begin() + static_cast<std::ptrdiff_t>(from), released.begin() + static_cast<std::ptrdiff_t>(upto));
        auto counted = store.transaction([&]() -> Stored<void> {
            auto same = same_plan();
            if (!same) return same.problem();
            if (!*same) {
                moved = true;
                return {};
            }
            return release(store, part, firsts);
        });
        if (!counted) return counted;
        from = upto;
    }
    if (moved || stopping()) return {};
    return store.transaction([&]() -> Stored<void> {
        auto same = same_plan();
        if (!same) return same.problem();
        if (!*same) return {};
        if (auto ran = store.query("DELETE FROM report_recode_state", {}); !ran) return ran.problem();
        return Stored<void>::problem_of(
            store.query("INSERT INTO report_recode_state (id, last_seq, month, min_group) VALUES (1, ?, ?, ?)",
                        {planned_at, month_now, std::to_string(planned_k)}));
    });
}

} // namespace sayso::collector::reports
