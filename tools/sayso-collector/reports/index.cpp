#include "index.hpp"

#include "recode.hpp"

#include "formats/formats.hpp"

#include <algorithm>
#include <array>
#include <map>
#include <set>

namespace sayso::collector::reports {

namespace {

constexpr std::size_t kChunk = 2000; // responses read and indexed per transaction
constexpr std::size_t kRowsPerInsert = 100;

// INSERT ... VALUES (?,...),(?,...) for `rows` rows of `cols` values.
std::string values(std::size_t rows, std::size_t cols) {
    std::string one = "(";
    for (std::size_t c = 0; c < cols; ++c)
        one += c ? ",?" : "?";
    one += ")";
    std::string all;
    for (std::size_t r = 0; r < rows; ++r)
        all += (r ? "," : "") + one;
    return all;
}

// Sorts `flat` (row after row of `cols` values) by the values at `by`, in
// that order, keeping rows with equal keys in their order.
void sort_rows(std::vector<Store::Param>& flat, std::size_t cols, std::initializer_list<std::size_t> by) {
    std::vector<std::size_t> order(flat.size() / cols);
    for (std::size_t i = 0; i < order.size(); ++i)
        order[i] = i;
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
        for (const std::size_t c : by)
            if (flat[a * cols + c] != flat[b * cols + c]) return flat[a * cols + c] < flat[b * cols + c];
        return false;
    });
    std::vector<Store::Param> sorted;
    sorted.reserve(flat.size());
    for (const std::size_t i : order)
        for (std::size_t c = 0; c < cols; ++c)
            sorted.push_back(std::move(flat[i * cols + c]));
    flat = std::move(sorted);
}

} // namespace

Stored<void> insert_rows(Store& store, const std::string& head, std::size_t cols, const std::vector<Store::Param>& flat,
                         const std::string& tail) {
    const std::size_t n = flat.size() / cols;
    for (std::size_t at = 0; at < n; at += kRowsPerInsert) {
        const std::size_t take = std::min(kRowsPerInsert, n - at);
        std::vector<Store::Param> p(flat.begin() + static_cast<std::ptrdiff_t>(at * cols),
                                    flat.begin() + static_cast<std::ptrdiff_t>((at + take) * cols));
        if (auto ran = store.query(head + values(take, cols) + tail, p); !ran) return ran.problem();
    }
    return {};
}

bool truth(const std::string& v) {
    return v == "1" || v == "t" || v == "true";
}

std::string placeholders(std::size_t n) {
    std::string s;
    for (std::size_t i = 0; i < n; ++i)
        s += i ? ",?" : "?";
    return s;
}

KeysResult<void> read_answer(const Store::Row& row, std::size_t at, const std::vector<SealKeyPair>& keys, Answer& out) {
    out.skipped = truth(row[at]);
    out.options = formats::options_from_json(row[at + 1]);
    out.text = row[at + 2];
    out.sealed = row[at + 3];
    out.seal_key = row[at + 4];
    auto open = open_sealed(keys, out);
    if (!open) {
        out.skipped = false;
        out.options.clear();
        out.text.clear();
    }
    return open;
}

Stored<std::string> lock_index_mark(Store& store) {
    auto rows = store.query(
        std::string("SELECT last_seq FROM report_state WHERE id = 1") + (store.postgresql() ? " FOR UPDATE" : ""), {});
    if (!rows) return rows.problem();
    return rows->empty() ? "0" : (*rows)[0][0];
}

namespace {

enum class Recoding { Kept, Emptied };

// Empties the index, within the caller's transaction, so the next run builds
// it again from every stored response; the recoding's map too when asked.
// Never its group size: never fewer children a cut than ever asked.
Stored<void> empty_index(Store& store, Recoding recoding) {
    std::vector<const char*> tables = {"report_unopened", "report_comments",  "report_sums",     "report_response_sums",
                                       "report_answers",  "report_responses", "report_children", "report_state"};
    if (recoding == Recoding::Emptied) tables.push_back("report_recode");
    for (const char* t : tables)
        if (auto ran = store.query(std::string("DELETE FROM ") + t, {}); !ran) return ran.problem();
    return Stored<void>::problem_of(store.query("UPDATE report_recode_state SET last_seq = -1", {}));
}

} // namespace

Stored<Indexed> index_new(Store& store, const std::vector<SealKeyPair>& keys, const Vocabulary& words, int min_group,
                          const std::string& month_now_in, std::size_t rows_per_run, const std::atomic<bool>* stop) {
    const std::string month_now = month_now_in.empty() ? this_month() : month_now_in;
    Indexed done;
    // Tones read from other packs than these (another version given, or
    // none, or a store the step that filed answers under packs emptied): the
    // index is built again, so every answer reads as its pack, at its
    // version, says. (Keep every version answers came from under --packs.)
    auto tones_from = store.query("SELECT packs FROM report_packs WHERE id = 1", {});
    if (!tones_from) return tones_from.problem();
    const std::string now_from = words.fingerprint();
    if (tones_from->empty() || (*tones_from)[0][0] != now_from) {
        auto rebuilt = store.transaction([&]() -> Stored<void> {
            // Each cell stays published where it was: the answers' cells are the same, only their tones change.
            if (auto emptied = empty_index(store, Recoding::Kept); !emptied) return emptied;
            return Stored<void>::problem_of(store.query("INSERT INTO report_packs (id, packs) VALUES (1, ?)"
                                                        " ON CONFLICT (id) DO UPDATE SET packs = excluded.packs",
                                                        {now_from}));
        });
        if (!rebuilt) return rebuilt.problem();
    }
    // Answers left out because their key was missing, and that key is here
    // now (restored) and opens one: the index is built again from the start,
    // so they count. (One a held key still can't open, damaged, changes nothing.)
    if (!keys.empty()) {
        auto unopened = store.query("SELECT a.kind, a.skipped, a.options, a.text, a.sealed, a.seal_key FROM "
                                    "report_unopened u JOIN answers a ON a.response_id = u.response_id"
                                    " AND a.question_id = u.question_id",
                                    {});
        if (!unopened) return unopened.problem();
        const bool back = std::any_of(unopened->begin(), unopened->end(), [&](const Store::Row& r) {
            if (!std::any_of(keys.begin(), keys.end(), [&](const SealKeyPair& k) { return k.id == r[5]; }))
                return false;
            Answer x;
            x.kind = r[0];
            return read_answer(r, 1, keys, x).ok();
        });
        if (back) {
            auto cleared = store.transaction([&]() { return empty_index(store, Recoding::Emptied); });
            if (!cleared) return cleared.problem();
        }
    }
    // Nothing new (the usual case for a page view): only read, take no write lock.
    auto marks = store.query("SELECT (SELECT COALESCE(MAX(seq), 0) FROM responses),"
                             " (SELECT last_seq FROM report_state WHERE id = 1),"
                             " (SELECT last_seq FROM report_recode_state WHERE id = 1),"
                             " (SELECT min_group FROM report_recode_state WHERE id = 1),"
                             " (SELECT month FROM report_recode_state WHERE id = 1)",
                             {});
    if (!marks) return marks.problem();
    const std::vector<Store::Row>& m = *marks;
    // Recoded after the last index run, in this month, for as many children.
    const bool recoded = !m.empty() && m[0][2] == m[0][1] && m[0][4] == month_now && !m[0][3].empty() &&
                         std::stoll(m[0][3]) >= min_group;
    if (!m.empty() && !m[0][1].empty() && m[0][0] == m[0][1] && recoded) return done;
    auto begun = store.query("INSERT INTO report_state (id, last_seq) VALUES (1, 0) ON CONFLICT (id) DO NOTHING", {});
    if (!begun) return begun.problem();
    for (;;) {
        if (stop && stop->load()) return done;
        std::int64_t responses = 0, answers = 0;
        // One chunk in one transaction, from reading where the last one ended
        // to moving that mark: two collectors indexing at once can't both take it.
        auto chunk = store.transaction([&]() -> Stored<void> {
            auto last = lock_index_mark(store);
            if (!last) return last.problem();
            auto got_rs = store.query("SELECT seq, id, started_at, service_area, visit_type, band, practitioner_code,"
                                      " case_ref, pack_id, language, state, asked_to_talk FROM responses"
                                      " WHERE seq > ? ORDER BY seq LIMIT " +
                                          std::to_string(kChunk),
                                      {*last});
            if (!got_rs) return got_rs.problem();
            const std::vector<Store::Row>& rs = *got_rs;
            if (rs.empty()) return {};
            const std::string upto = rs.back()[0];
            auto got_as = store.query("SELECT a.response_id, a.question_id, a.kind, a.measure, a.skipped, a.options,"
                                      " a.text, a.sealed, a.seal_key, r.pack_id, r.pack_version, r.band"
                                      " FROM answers a JOIN responses r ON r.id = a.response_id"
                                      " WHERE r.seq > ? AND r.seq <= ?",
                                      {*last, upto});
            if (!got_as) return got_as.problem();
            const std::vector<Store::Row>& as = *got_as;
            // Each child gets a number once: counting distinct numbers is quicker than distinct words.
            std::vector<Store::Param> keys_of;
            for (const auto& r : rs)
                keys_of.emplace_back(r[7].empty() ? "response:" + r[1] : r[7]);
            if (auto inserted = insert_rows(store, "INSERT INTO report_children (key) VALUES ", 1, keys_of); !inserted)
                return inserted;
            std::map<std::string, std::string> child_id;
            for (std::size_t at = 0; at < keys_of.size(); at += 500) {
                const std::vector<Store::Param> part(
                    keys_of.begin() + static_cast<std::ptrdiff_t>(at),
                    keys_of.begin() + static_cast<std::ptrdiff_t>(std::min(keys_of.size(), at + 500)));
                auto rows = store.query(
                    "SELECT key, id FROM report_children WHERE key IN (" + placeholders(part.size()) + ")", part);
                if (!rows) return rows.problem();
                for (const auto& r : *rows)
                    child_id[r[0]] = r[1];
            }
            // What each answer's row is filed under comes from its response.
            struct Cut {
                std::string month, service_area, visit_type, band, practitioner_code, child;
            };
            std::map<std::string, Cut> cut;
            std::vector<Store::Param> resp;
            for (std::size_t i = 0; i < rs.size(); ++i) {
                const auto& r = rs[i];
                const std::string child = child_id[*keys_of[i]];
                const std::string month = r[2].substr(0, 7);
                cut[r[1]] = {month, r[3], r[4], r[5], r[6], child};
                for (const std::string& v : {r[1], r[0], r[2], month, r[3], r[4], r[5], r[6], r[7], child, r[8], r[9]})
                    resp.emplace_back(v);
                resp.emplace_back(r[10] == "complete" ? "1" : "0");
                resp.emplace_back(truth(r[11]) ? "1" : "0");
            }
            std::vector<Store::Param> ans, texts, unopened;
            for (const auto& a : as) {
                Answer x;
                x.kind = a[2];
                if (const auto open = read_answer(a, 4, keys, x); !open) {
                    const std::string why = open.words();
                    // Counted in no figure, and named to admins, until its key is back.
                    for (const std::string& v : {a[0], a[1], a[8], why})
                        unopened.emplace_back(v);
                    continue;
                }
                const Cut& c = cut[a[0]];
                if (x.kind == "text" && !x.skipped && !x.text.empty())
                    for (const std::string& v :
                         {a[0], a[1], c.month, c.service_area, c.visit_type, c.band, c.practitioner_code, c.child})
                        texts.emplace_back(v);
                if (a[3].empty()) continue; // no measure: not counted
                const auto t = words.tone(a[9], a[10], a[11], a[1], x.kind, x.skipped, x.options);
                for (const std::string& v :
                     {a[3], c.month, c.service_area, c.visit_type, c.band, c.practitioner_code, c.child, a[9], a[10]})
                    ans.emplace_back(v);
                ans.push_back(t ? Store::Param(std::to_string(*t)) : std::nullopt);
                ans.emplace_back(x.skipped ? "1" : "0");
            }
            // Stored in the order the recoding counts them (recode.cpp): by
            // measure, then cell. The rows one of its transactions changes
            // then lie together within each chunk's part of the table, not one
            // or two on every page of it.
            sort_rows(resp, 14, {4, 3, 5, 6, 7});
            sort_rows(ans, 11, {0, 2, 1, 3, 4, 5});
            sort_rows(texts, 8, {3, 2, 4, 5, 6});
            auto inserted = insert_rows(store,
                                        "INSERT INTO report_responses (response_id, seq, started_at, month,"
                                        " service_area, visit_type, band, practitioner_code, case_ref, child, pack_id,"
                                        " language, complete, asked_to_talk) VALUES ",
                                        14, resp);
            if (!inserted) return inserted;
            inserted = insert_rows(store,
                                   "INSERT INTO report_answers (measure, month, service_area, visit_type, band,"
                                   " practitioner_code, child, pack_id, pack_version, tone, skipped) VALUES ",
                                   11, ans);
            if (!inserted) return inserted;
            inserted = insert_rows(store,
                                   "INSERT INTO report_comments (response_id, question_id, month, service_area,"
                                   " visit_type, band, practitioner_code, child) VALUES ",
                                   8, texts);
            if (!inserted) return inserted;
            inserted = insert_rows(
                store, "INSERT INTO report_unopened (response_id, question_id, seal_key, reason) VALUES ", 4, unopened);
            if (!inserted) return inserted;
            responses = static_cast<std::int64_t>(rs.size());
            answers = static_cast<std::int64_t>(as.size());
            return Stored<void>::problem_of(store.query("UPDATE report_state SET last_seq = ? WHERE id = 1", {upto}));
        });
        if (!chunk) return chunk.problem();
        // Then where each cell's rows are published, over everything indexed.
        if (responses == 0) {
            if (auto recoded_now = recode(store, min_group, month_now, rows_per_run, stop); !recoded_now)
                return recoded_now.problem();
            return done;
        }
        done.responses += responses;
        done.answers += answers;
    }
}

} // namespace sayso::collector::reports
