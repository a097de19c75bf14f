#include "recode.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace sayso::collector::reports {

namespace {

// month, visit type, band, practitioner code
using Cut = std::array<std::string, 4>;

// The cut at `level`: 0 as it is; 1 visit type kept together; 2 and band;
// 3 and month; 4 and practitioner code.
Cut coarser(Cut c, int level) {
    static constexpr int order[] = {1, 2, 0, 3};
    for (int i = 0; i < level; ++i)
        c[static_cast<std::size_t>(order[i])] = kKeptTogether;
    return c;
}

constexpr int kLevels = 5;

struct Cell {
    Cut cut;
    std::vector<std::int64_t> children; // sorted, distinct
    Cut published;
    bool counted = false;
};

// Assigns every cell of one service area (for one measure, or the responses) its published cut.
void recode_area(std::vector<Cell>& cells, int min_group) {
    std::vector<Cell*> pending;
    for (auto& c : cells)
        pending.push_back(&c);
    for (int level = 0; level < kLevels && !pending.empty(); ++level) {
        std::map<Cut, std::vector<Cell*>> groups;
        for (Cell* c : pending)
            groups[coarser(c->cut, level)].push_back(c);
        pending.clear();
        for (auto& [cut, members] : groups) {
            std::vector<std::int64_t> all;
            for (const Cell* c : members)
                all.insert(all.end(), c->children.begin(), c->children.end());
            std::sort(all.begin(), all.end());
            const auto distinct = std::unique(all.begin(), all.end()) - all.begin();
            if (distinct >= min_group) {
                for (Cell* c : members) {
                    c->published = cut;
                    c->counted = true;
                }
            } else {
                pending.insert(pending.end(), members.begin(), members.end());
            }
        }
    }
}

} // namespace

std::optional<StoreError> recode(Store& store, int min_group) {
    return store.transaction([&]() -> std::optional<StoreError> {
        std::vector<Store::Row> rows;
        // One recoding at a time: it follows the index, whose mark this locks.
        if (auto e = store.query(std::string("SELECT last_seq FROM report_state WHERE id = 1") +
                                     (store.postgresql() ? " FOR UPDATE" : ""),
                                 {}, rows))
            return e;
        const std::string seq = rows.empty() ? "0" : rows[0][0];
        // (measure, area) -> cells; the responses under measure "".
        std::map<std::pair<std::string, std::string>, std::map<Cut, Cell>> by;
        auto load = [&](const std::string& sql) -> std::optional<StoreError> {
            if (auto e = store.query(sql, {}, rows)) return e;
            for (const auto& r : rows) {
                auto& cell = by[{r[0], r[2]}][Cut{r[1], r[3], r[4], r[5]}];
                cell.cut = {r[1], r[3], r[4], r[5]};
                try {
                    cell.children.push_back(std::stoll(r[6]));
                } catch (...) {
                }
            }
            return std::nullopt;
        };
        if (auto e = load("SELECT measure, month, service_area, visit_type, band, practitioner_code, child"
                          " FROM report_answers GROUP BY measure, month, service_area, visit_type, band,"
                          " practitioner_code, child ORDER BY child"))
            return e;
        if (auto e = load("SELECT '', month, service_area, visit_type, band, practitioner_code, child"
                          " FROM report_responses GROUP BY month, service_area, visit_type, band,"
                          " practitioner_code, child ORDER BY child"))
            return e;
        std::vector<Store::Row> none;
        if (auto e = store.query("DELETE FROM report_recode", {}, none)) return e;
        std::vector<Store::Param> flat;
        auto flush = [&](bool all) -> std::optional<StoreError> {
            constexpr std::size_t cols = 11, per = 80;
            while (flat.size() >= (all ? 1 : per) * cols) {
                const std::size_t n = std::min(per, flat.size() / cols);
                std::string sql = "INSERT INTO report_recode (measure, month, service_area, visit_type, band,"
                                  " practitioner_code, p_month, p_visit, p_band, p_code, counted) VALUES ";
                for (std::size_t i = 0; i < n; ++i)
                    sql += i ? ",(?,?,?,?,?,?,?,?,?,?,?)" : "(?,?,?,?,?,?,?,?,?,?,?)";
                std::vector<Store::Param> part(flat.begin(), flat.begin() + static_cast<std::ptrdiff_t>(n * cols));
                flat.erase(flat.begin(), flat.begin() + static_cast<std::ptrdiff_t>(n * cols));
                if (auto e = store.query(sql, part, none)) return e;
            }
            return std::nullopt;
        };
        for (auto& [key, cut_cells] : by) {
            std::vector<Cell> cells;
            cells.reserve(cut_cells.size());
            for (auto& [cut, c] : cut_cells)
                cells.push_back(std::move(c));
            recode_area(cells, min_group);
            for (const auto& c : cells) {
                for (const std::string& v : {key.first, c.cut[0], key.second, c.cut[1], c.cut[2], c.cut[3],
                                             c.published[0], c.published[1], c.published[2], c.published[3]})
                    flat.emplace_back(v);
                flat.emplace_back(c.counted ? "1" : "0");
                if (auto e = flush(false)) return e;
            }
        }
        if (auto e = flush(true)) return e;
        if (auto e = store.query("DELETE FROM report_recode_state", {}, none)) return e;
        return store.query("INSERT INTO report_recode_state (id, last_seq, min_group) VALUES (1, ?, ?)",
                           {seq, std::to_string(min_group)}, none);
    });
}

} // namespace sayso::collector::reports
